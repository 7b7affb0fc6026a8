// `npm run bench`, binary traces: reaplay on trace.dat and perf.data side by side with the
// recorders' own readers, each run once in turn on the same files (wall time and peak RSS
// from `/usr/bin/time -f '%e %M'`), and the .zst text decoder (WASM) next to fzstd.
//   check on haystack-dat/trace.dat (+ dmesg) <= 0.05 x `trace-cmd report -i trace.dat > /dev/null`
//   parse --stats on it                       <= 0.05 x the same
//   check on a >= 200 MB perf.data           <= 0.10 x `perf script -i perf.data > /dev/null`
// The perf.data is recorded once under .bench/ (not committed):
//   perf record -e 'sched:*,raw_syscalls:*' -a -o .bench/perf-sched-syscalls.data -- dd if=/dev/zero of=/dev/null bs=64 count=1500000
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { HAVE_SHARED, REPO_ROOT, SHARED_TRACES } from '../testing/captures.ts';
import { buildBundle, REAPLAY } from './bundle.ts';

const BENCH_DIR = join(REPO_ROOT, '.bench');

interface Run {
  seconds: number;
  maxRssMB: number;
  /** user + system CPU seconds: steadier than wall time on a loaded machine. */
  cpu: number;
}

/** Wall time and peak RSS of one command, its output thrown away. */
function timed(cmd: string[]): Run {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', ...cmd], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 64 << 20 });
  const last = r.stderr.trim().split('\n').pop()!;
  const [s, kb, u, sys] = last.split(' ').map(Number) as [number, number, number, number];
  if (!Number.isFinite(s)) throw new Error(`${cmd.join(' ')}: ${r.stderr.slice(-500)}`);
  return { seconds: s, maxRssMB: kb / 1024, cpu: u + sys };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Pairs {
  ours: Run;
  theirs: Run;
  /** The median of each pair's wall-time ratio: a pair runs back to back, so the machine's drift over the runs cancels. */
  ratio: number;
}

/** `ours` and `theirs` alternately, `n` times; medians. */
function sideBySide(ours: string[], theirs: string[], n: number): Pairs {
  const a: Run[] = [];
  const b: Run[] = [];
  for (let i = 0; i < n; i++) {
    b.push(timed(theirs));
    a.push(timed(ours));
  }
  const m = (rs: Run[]): Run => ({ seconds: median(rs.map((r) => r.seconds)), maxRssMB: Math.max(...rs.map((r) => r.maxRssMB)), cpu: median(rs.map((r) => r.cpu)) });
  return { ours: m(a), theirs: m(b), ratio: median(a.map((r, i) => r.seconds / b[i]!.seconds)) };
}

function row(label: string, r: Pairs, target: number, theirsName: string, failures: string[]): string {
  const ratio = r.ratio;
  if (ratio > target) failures.push(`${label}: ${ratio.toFixed(3)}x of ${theirsName} > ${target}x`);
  const cpuRatio = r.ours.cpu / r.theirs.cpu;
  return `${label.padEnd(38)} ${r.ours.seconds.toFixed(2).padStart(7)} s (cpu ${r.ours.cpu.toFixed(2)} s) ${r.ours.maxRssMB.toFixed(0).padStart(5)} MB | ` +
    `${theirsName} ${r.theirs.seconds.toFixed(2).padStart(7)} s (cpu ${r.theirs.cpu.toFixed(2)} s) ${r.theirs.maxRssMB.toFixed(0).padStart(5)} MB | ` +
    `wall ${ratio.toFixed(3)}x (median of the pairs), cpu ${cpuRatio.toFixed(3)}x (target <= ${target}x wall)`;
}

function zstdRate(file: string, which: string): { bytesOut: number; seconds: number; maxRssMB: number } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src/bench/zstd-rate.ts'), file, which], { cwd: REPO_ROOT, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!);
}

/** Runs the binary cases; returns the missed targets. */
export async function benchBinary(runs = 1): Promise<string[]> {
  const failures: string[] = [];
  buildBundle();
  const lines: string[] = ['binary traces (wall time, peak RSS; medians of side-by-side runs; reaplay built into dist/):'];
  const dat = join(SHARED_TRACES, '6.1/haystack-dat');
  if (HAVE_SHARED && existsSync(join(dat, 'trace.dat'))) {
    const file = join(dat, 'trace.dat');
    const report = ['trace-cmd', 'report', '-i', file];
    lines.push(row('check haystack-dat/trace.dat', sideBySide([...REAPLAY, 'check', file, join(dat, 'dmesg.txt')], report, runs), 0.05, 'trace-cmd report', failures));
    lines.push(row('parse --stats haystack-dat/trace.dat', sideBySide([...REAPLAY, 'parse', '--stats', file], report, runs), 0.05, 'trace-cmd report', failures));
    const zst = join(dat, 'ftrace.txt.zst');
    const w = zstdRate(zst, 'wasm');
    const f = zstdRate(zst, 'fzstd');
    lines.push(`.zst text decode (haystack-dat ftrace.txt.zst): zstddec (WASM) ${(w.bytesOut / 1e6 / w.seconds).toFixed(0)} MB/s, ` +
      `fzstd ${(f.bytesOut / 1e6 / f.seconds).toFixed(0)} MB/s (${(f.seconds / w.seconds).toFixed(1)}x)`);
  } else lines.push('(../shared/traces/6.1/haystack-dat not found: trace.dat cases skipped)');
  const perf = join(BENCH_DIR, 'perf-sched-syscalls.data');
  if (existsSync(perf) && statSync(perf).size >= 200e6) {
    lines.push(row(`check perf.data (${(statSync(perf).size / 1e6).toFixed(0)} MB)`, sideBySide([...REAPLAY, 'check', perf], ['perf', 'script', '-i', perf], runs), 0.1, 'perf script', failures));
  } else lines.push(`(${perf} missing or < 200 MB: record it with the command at the top of src/bench/binary.ts)`);
  console.log(lines.join('\n'));
  return failures;
}
