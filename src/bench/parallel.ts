// `npm run bench` case: the whole `reaplay` process (the bundle an install runs) on the 1 GB haystack text with one
// and two parser threads, side by side with `grep -c mark_victim` on the same file,
// all runs interleaved so a loaded machine weighs on each alike; medians and ratios.
//   check and parse --stats: MB/s of text with --jobs 1 and --jobs 2, wall vs grep -c
//   check on the .zst: MB/s of decompressed text end to end
//   peak RSS of each (/usr/bin/time -f %M when installed, else the child's own figure)
//   the floor: a process that reads the file as check does and only splits its lines
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../testing/captures.ts';
import { buildBundle, REAPLAY } from './bundle.ts';

/** Targets of the speed work (text of the haystack, whole process). */
export const TARGETS = { statsMBps: 500, checkMBps: 500, zstMBps: 400, twoJobsRatio: 1.7, checkVsGrep: 12, checkRssMB: 150 };

interface Case {
  label: string;
  cmd: string[];
  env?: Record<string, string>;
  textBytes: number;
}

interface Sample {
  seconds: number;
  rssMB: number | undefined;
  /** User + system CPU seconds of the process (all its threads): less sensitive to a loaded machine than wall time. */
  cpu: number | undefined;
}

const TIME = '/usr/bin/time';

/** One whole process under /usr/bin/time when installed (its output is not read). */
export function runOnce(c: Pick<Case, 'label' | 'cmd' | 'env'>): Sample {
  const timed = existsSync(TIME);
  const argv = timed ? [TIME, '-f', '%M %U %S', ...c.cmd] : c.cmd;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0]!, argv.slice(1), {
    cwd: REPO_ROOT,
    env: { ...process.env, ...c.env },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  // check exits 1 on findings; grep exits 0 on matches.
  if (r.status !== 0 && r.status !== 1) throw new Error(`${c.label}: exit ${r.status}: ${r.stderr.slice(-400)}`);
  const [kb, user, sys] = timed ? r.stderr.trim().split('\n').pop()!.split(' ').map(Number) : [NaN, NaN, NaN];
  return {
    seconds,
    rssMB: Number.isFinite(kb) ? kb! / 1024 : undefined,
    cpu: Number.isFinite(user) && Number.isFinite(sys) ? user! + sys! : undefined,
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export interface ParallelFigures {
  rows: string[][];
  failures: string[];
}

/** Run the cases `rounds` times, interleaved; `text` is the decompressed haystack, `zst` its original. */
export function benchParallel(text: string, zst: string, defs: string, rounds = 3): ParallelFigures {
  const bytes = statSync(text).size;
  buildBundle();
  const cli = REAPLAY;
  const cases: Case[] = [
    { label: 'grep -c mark_victim', cmd: ['grep', '-c', 'mark_victim', text], textBytes: bytes },
    // The floor of one thread in this runtime: read and split into lines, nothing more
    // (through tsx: its start, ~0.3 s, is counted against the floor, not against check).
    { label: 'line split only (floor)', cmd: [process.execPath, '--import', 'tsx', join(REPO_ROOT, 'src/bench/split-floor.ts'), text], textBytes: bytes },
    { label: 'parse --stats, 1 thread', cmd: [...cli, 'parse', '--stats', text], env: { REAPLAY_JOBS: '1' }, textBytes: bytes },
    { label: 'parse --stats, 2 threads', cmd: [...cli, 'parse', '--stats', text], env: { REAPLAY_JOBS: '2' }, textBytes: bytes },
    { label: 'check, 1 thread', cmd: [...cli, 'check', text, defs], env: { REAPLAY_JOBS: '1' }, textBytes: bytes },
    { label: 'check, 2 threads', cmd: [...cli, 'check', text, defs], env: { REAPLAY_JOBS: '2' }, textBytes: bytes },
    { label: 'check .zst', cmd: [...cli, 'check', zst, defs], textBytes: bytes },
  ];
  const samples = new Map<string, Sample[]>(cases.map((c) => [c.label, []]));
  for (let r = 0; r < rounds; r++) for (const c of cases) samples.get(c.label)!.push(runOnce(c));
  const sec = (label: string): number => median(samples.get(label)!.map((s) => s.seconds));
  const grep = sec('grep -c mark_victim');
  const rows = cases.map((c) => {
    const s = sec(c.label);
    const rss = samples.get(c.label)!.map((x) => x.rssMB).filter((x): x is number => x !== undefined);
    const cpu = samples.get(c.label)!.map((x) => x.cpu).filter((x): x is number => x !== undefined);
    const cpuS = cpu.length ? median(cpu) : undefined;
    return [
      c.label,
      `${s.toFixed(2)} s`,
      `${(c.textBytes / 1e6 / s).toFixed(0)} MB/s`,
      `${(s / grep).toFixed(1)}x grep`,
      cpuS !== undefined ? `${cpuS.toFixed(2)} s` : '',
      cpuS !== undefined ? `${(c.textBytes / 1e6 / cpuS).toFixed(0)} MB/s` : '',
      rss.length ? `${Math.max(...rss).toFixed(0)} MB` : '',
    ];
  });
  const failures: string[] = [];
  const stats1 = bytes / 1e6 / sec('parse --stats, 1 thread');
  if (stats1 < TARGETS.statsMBps) failures.push(`parse --stats, 1 thread: ${stats1.toFixed(0)} MB/s < ${TARGETS.statsMBps} MB/s`);
  for (const what of ['parse --stats', 'check']) {
    const ratio = sec(`${what}, 1 thread`) / sec(`${what}, 2 threads`);
    rows.push([`${what}: 2 threads / 1 thread`, '', `${ratio.toFixed(2)}x`, '', '', '', '']);
    if (ratio < TARGETS.twoJobsRatio) failures.push(`${what}: 2 threads ${ratio.toFixed(2)}x of 1 < ${TARGETS.twoJobsRatio}x`);
  }
  rows.push(['check, 1 thread / line split only', '', `${((sec('line split only (floor)') / sec('check, 1 thread')) * 100).toFixed(0)} % of the floor's rate`, '', '', '', '']);
  const check1 = bytes / 1e6 / sec('check, 1 thread');
  if (check1 < TARGETS.checkMBps) failures.push(`check, 1 thread: ${check1.toFixed(0)} MB/s < ${TARGETS.checkMBps} MB/s`);
  const zstRate = bytes / 1e6 / sec('check .zst');
  if (zstRate < TARGETS.zstMBps) failures.push(`check .zst: ${zstRate.toFixed(0)} MB/s of text < ${TARGETS.zstMBps} MB/s`);
  const rss1 = Math.max(...samples.get('check, 1 thread')!.map((x) => x.rssMB ?? 0));
  if (rss1 >= TARGETS.checkRssMB) failures.push(`check, 1 thread: peak RSS ${rss1.toFixed(0)} MB >= ${TARGETS.checkRssMB} MB`);
  const vsGrep = sec('check, 2 threads') / grep;
  if (vsGrep > TARGETS.checkVsGrep) failures.push(`check, 2 threads: ${vsGrep.toFixed(1)}x grep -c > ${TARGETS.checkVsGrep}x`);
  return { rows, failures };
}

/** One table, for `npm run bench` and for a run of its own: `tsx src/bench/parallel.ts TEXT ZST DEFS [ROUNDS]`. */
export function formatParallel(f: ParallelFigures): string {
  const head = ['run (1 GB haystack text)', 'median wall', 'text rate', 'vs grep', 'CPU (user+sys)', 'per CPU-second', 'peak RSS'];
  const all = [head, ...f.rows];
  const w = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return all.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ')).join('\n');
}

/** The case as `npm run bench` runs it: prints its table, returns what missed its target. */
export function parallelCase(text: string, zst: string, defs: string, rounds = 3): string[] {
  const f = benchParallel(text, zst, defs, rounds);
  console.log(formatParallel(f));
  return f.failures;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const [text, zst, defs, rounds] = process.argv.slice(2);
  for (const m of parallelCase(text!, zst!, defs!, rounds ? Number(rounds) : 3)) console.log(`MISSED ${m}`);
}
