// Bench case: a trace of thousands of OOM kills. The bundled 6.1/premature capture's OOM
// story repeated with shifted times (`oomRounds`: two victims a round, the same pids, mm_ids
// and mm pointers every round), checked whole as `reaplay check` runs, with and without its
// kprobe definitions, at 1,000 and 5,000 victims. Time must grow linearly with the victims:
// the exponent between the two sizes at most MAX_EXPONENT (a rule judging every pair of
// victims shows 2.0), and peak RSS is printed beside it (/usr/bin/time -f %M when installed).
// `watch` reads the same stream with the definitions: linear time too, and peak RSS flat (it
// drops each window of settled victims: at most MAX_WATCH_RSS_GROWTH from 1,000 to 5,000).
// Run alone: `npx tsx src/bench/victims.ts`; `npm run bench` runs it too.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, SAMPLES_DIR } from '../testing/captures.ts';
import { oomRounds } from './inputs.ts';
import { runOnce } from './parallel.ts';

const ROUNDS = [500, 2500];
const MAX_EXPONENT = 1.25;
const MAX_WATCH_RSS_GROWTH = 1.5;

/** Wall seconds and peak RSS (MB, NaN without /usr/bin/time) of `reaplay <args>` (exit 1: findings, as expected here). */
function run(args: string[]): { s: number; mb: number } {
  const r = runOnce({ label: `reaplay ${args.join(' ')}`, cmd: [process.execPath, join(REPO_ROOT, 'bin/reaplay.js'), ...args] });
  return { s: r.seconds, mb: r.rssMB ?? NaN };
}

export async function victimsCase(benchDir: string, log: (s: string) => void = console.log): Promise<string[]> {
  const seed = join(SAMPLES_DIR, '6.1/premature');
  const inputs = [];
  for (const rounds of ROUNDS) {
    const file = join(benchDir, `oom-${rounds * 2}-victims.txt`);
    if (!existsSync(file)) await oomRounds(join(seed, 'ftrace.txt.gz'), file, rounds);
    inputs.push(file);
  }
  const failures: string[] = [];
  const defs = join(seed, 'kprobe_events.txt');
  const cases: [string, (f: string) => string[]][] = [
    ['check without kprobe definitions', (f) => ['check', f]],
    ['check with kprobe definitions', (f) => ['check', f, defs]],
    ['watch with kprobe definitions', (f) => ['watch', '--json', f, '--kprobes', defs]],
  ];
  for (const [label, args] of cases) {
    const runs = inputs.map((f) => run(args(f)));
    const secs = runs.map((r) => r.s);
    const exponent = Math.log(secs[1]! / secs[0]!) / Math.log(ROUNDS[1]! / ROUNDS[0]!);
    log(`thousands of victims, ${label}: ${ROUNDS.map((r) => (r * 2).toLocaleString('en')).join(' and ')} victims ${runs.map((r) => `${r.s.toFixed(1)} s (${r.mb.toFixed(0)} MB)`).join(' and ')}; time grows as victims^${exponent.toFixed(2)}`);
    if (!(exponent <= MAX_EXPONENT)) failures.push(`thousands of victims, ${label}: time grows as victims^${exponent.toFixed(2)} > ${MAX_EXPONENT}`);
    const growth = runs[1]!.mb / runs[0]!.mb;
    if (label.startsWith('watch') && growth > MAX_WATCH_RSS_GROWTH) failures.push(`thousands of victims, ${label}: peak RSS grows ${growth.toFixed(2)}x from ${ROUNDS[0]! * 2} to ${ROUNDS[1]! * 2} victims > ${MAX_WATCH_RSS_GROWTH}x`);
  }
  return failures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const failures = await victimsCase(join(REPO_ROOT, '.bench'));
  for (const m of failures) console.log(`MISSED ${m}`);
  process.exitCode = failures.length ? 1 : 0;
}
