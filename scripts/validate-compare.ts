// Part of scripts/validate-recipe.sh: replays one lab capture made with the recipe's kprobe
// definitions, compares check's verdicts with the capture's truth.json, and with check on a
// capture of the same scenario made with the lab's own definitions.
//   npx tsx scripts/validate-compare.ts LABEL RECIPE_CAPTURE_DIR [LAB_OWN_CAPTURE_DIR]
// Prints one line per comparison; exit code 1 when any disagrees.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, type Analysis } from '../src/pipeline.ts';

interface TruthVictim {
  pid: number;
  comm: string;
  t_selected: number;
  notifiers: { mntest: null | { has_end_op: boolean; start_failed: number }; kvm: null | { start: number; start_failed: number; end_inside_core_start: number } };
  core: { start_nonblock_failed: number; start_blockable_failed: number; unpaired_starts: number };
  reaper: { outcome: string; attempts: number };
}
interface Truth {
  victims: TruthVictim[];
  module_probes: Record<string, boolean>;
  premature: { cases: { selected_pid: number }[] };
}

const [label, recipeDir, ownDir] = process.argv.slice(2);
if (!label || !recipeDir) {
  process.stderr.write('usage: validate-compare.ts LABEL RECIPE_CAPTURE_DIR [LAB_OWN_CAPTURE_DIR]\n');
  process.exit(2);
}

interface Result {
  ok: boolean;
  what: string;
  got: unknown;
  want: unknown;
}
let results: Result[] = [];
const say = (ok: boolean, what: string, got: unknown, want: unknown) => results.push({ ok, what, got, want });
const same = (what: string, got: unknown, want: unknown) => say(JSON.stringify(got) === JSON.stringify(want), what, got, want);
// The same check on another run of the scenario: pids differ.
const key = (what: string) => what.replace(/victim \d+/, 'victim N');

function inputs(dir: string, recorder: string): string[] {
  const f = (n: string) => [n, `${n}.gz`, `${n}.zst`].map((x) => join(dir, x)).find((x) => existsSync(x));
  return [f(recorder), f('dmesg.txt'), f('kprobe_events.txt')].filter((x): x is string => x !== undefined);
}

/** The verdicts that do not depend on pids or times: what must agree between two runs of one scenario. */
function verdicts(a: Analysis) {
  return {
    victims: a.victims.map((v) => ({ reap: v.reap, unpaired: v.calls.mmLifetime.unpaired, failed: v.calls.mmLifetime.failed, notifiers: Object.keys(v.calls.mmLifetime.notifiers).sort() })),
    findings: a.findings.map((f) => `${f.rule}:${f.level}:${f.notifier ?? ''}`).sort(),
  };
}

function againstTruth(a: Analysis, t: Truth, rec: string): void {
  const tv = [...t.victims].sort((x, y) => x.t_selected - y.t_selected);
  same(`${rec} victims`, a.victims.map((v) => v.pid), tv.map((v) => v.pid));
  for (const x of tv) {
    const v = a.victims.find((y) => y.pid === x.pid);
    if (!v) continue;
    const at = `${rec} victim ${x.pid}`;
    same(`${at} reap outcome`, v.reap, x.reaper.outcome);
    if (t.module_probes.__oom_reap_task_mm) same(`${at} reap calls`, v.reapCalls, x.reaper.attempts);
    same(`${at} unpaired core starts`, v.calls.mmLifetime.unpaired, x.core.unpaired_starts);
    same(`${at} failed core starts`, v.calls.mmLifetime.failed, x.core.start_nonblock_failed + x.core.start_blockable_failed);
    if (x.notifiers.kvm) {
      same(`${at} kvm starts ok`, v.calls.mmLifetime.notifiers.kvm?.startsOk ?? 0, x.notifiers.kvm.start - x.notifiers.kvm.start_failed);
      same(`${at} kvm ends inside failed start`, v.calls.mmLifetime.notifiers.kvm?.endsInsideFailedStart ?? 0, x.notifiers.kvm.end_inside_core_start);
    }
    if (x.notifiers.mntest) same(`${at} mntest failed starts`, v.calls.mmLifetime.notifiers.mntest?.startsFailed ?? 0, x.notifiers.mntest.start_failed);
    const failed = x.core.start_nonblock_failed;
    const core = a.findings.filter((f) => f.victim?.pid === x.pid && f.rule === 'UPI-CORE-FAILED-START');
    same(`${at} UPI-CORE-FAILED-START`, core.map((f) => [f.count, f.level]), failed ? [[failed, 'proven']] : []);
  }
  same(`${rec} premature`, a.findings.filter((f) => f.kind === 'premature_victim').map((f) => [f.victim?.pid, f.level]), t.premature.cases.map((c) => [c.selected_pid, 'proven']));
  same(`${rec} inconclusive findings`, a.findings.filter((f) => f.level === 'inconclusive').map((f) => f.rule), []);
}

const truth: Truth = JSON.parse(readFileSync(join(recipeDir, 'truth.json'), 'utf8'));
let bad = 0;
for (const rec of ['ftrace.txt', 'trace-cmd-report.txt', 'perf-script.txt']) {
  const files = inputs(recipeDir, rec);
  if (files.length < 3) {
    bad++;
    process.stdout.write(`DIFF ${label}: ${rec}: missing inputs (have ${files.join(', ') || 'none'})\n`);
    continue;
  }
  let a: Analysis;
  try {
    a = await analyze(files);
  } catch (e) {
    // A recorder that failed in the guest (e.g. an empty report) is a difference, not a crash.
    bad++;
    process.stdout.write(`DIFF ${label}: ${rec}: cannot be read: ${(e as Error).message}\n`);
    continue;
  }
  results = [];
  againstTruth(a, truth, rec);
  const mine = results;
  // Where check disagrees with truth.json on the lab's own capture as well, the recipe is not the cause.
  let ownMisses = new Set<string>();
  if (ownDir) {
    const own = await analyze(inputs(ownDir, rec));
    results = [];
    againstTruth(own, JSON.parse(readFileSync(join(ownDir, 'truth.json'), 'utf8')) as Truth, rec);
    ownMisses = new Set(results.filter((r) => !r.ok).map((r) => key(r.what)));
    results = [];
    same(`${rec} same verdicts as with the lab's own kprobes`, verdicts(a), verdicts(own));
    mine.push(...results);
  }
  for (const r of mine) {
    const shared = !r.ok && ownMisses.has(key(r.what));
    if (!r.ok && !shared) bad++;
    const tag = r.ok ? 'ok  ' : shared ? 'SAME' : 'DIFF';
    const tail = r.ok ? '' : ` (truth: ${JSON.stringify(r.want)})${shared ? "; check differs from truth.json the same way on the lab's own capture" : ''}`;
    process.stdout.write(`${tag} ${label}: ${r.what}: ${JSON.stringify(r.got)}${tail}\n`);
  }
}
process.stdout.write(`${label}: ${bad === 0 ? "AGREES (with truth.json, or where not, exactly as the lab's own kprobes)" : `${bad} difference(s)`}\n`);
process.exit(bad === 0 ? 0 : 1);
