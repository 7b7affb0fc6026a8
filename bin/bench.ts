#!/usr/bin/env node
// `npm run bench`: throughput, peak RSS and retained bytes per event on large traces,
// next to `grep -c` on the same files, checked against the targets:
//   tracefs text parsed and filtered to the model's events at >= 250 MB/s (one core),
//   peak RSS < 400 MB on a >= 2 GB input;
// and the whole `reaplay check` process (src/bench/parallel.ts, src/bench/rss-curve.ts):
//   >= 500 MB/s with one thread, >= 1.7x that with two, <= 12x `grep -c`, .zst >= 400 MB/s,
//   peak RSS < 150 MB on the 1 GB haystack and < 300 MB on a 10 GB trace (1, 3, 10 GB curve);
// and <= 64 B per event the replay keeps packed for a victim that stays open (src/bench/retained.ts);
// and time linear in the victims of a trace of thousands of OOM kills (src/bench/victims.ts).
// Inputs: the real 1 GB haystack of ../shared/traces (from its .zst and decompressed),
// and a >= 2 GB trace generated from real lines with shifted timestamps. Both are
// written under .bench/ (git-ignored) and reused by later runs.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { HAVE_SHARED, REPO_ROOT, SAMPLES_DIR, SHARED_TRACES } from '../src/testing/captures.ts';
import { decompressTo, generateRepeated, oomRounds } from '../src/bench/inputs.ts';
import { benchBinary } from '../src/bench/binary.ts';
import { parallelCase } from '../src/bench/parallel.ts';
import { watchStreamCase } from '../src/bench/watch-stream.ts';
import { rssCurve } from '../src/bench/rss-curve.ts';

const MIN_MBPS = 250;
const MAX_RSS_MB = 400;
/** The generator writes whole rounds of the seed: from the 1 GB haystack that is 3 GB. */
const GENERATED_BYTES = 2_100_000_000;
const BENCH_DIR = join(REPO_ROOT, '.bench');

interface Figures {
  seconds: number;
  textBytes: number;
  fileBytes: number;
  lines: number;
  allEvents: number;
  selected: number;
  maxRssMB: number;
  retainedBytesPerEvent?: number;
  errors: number;
}

function measure(file: string, defs?: string, retain = false): Figures {
  const args = ['--expose-gc', '--import', 'tsx', join(REPO_ROOT, 'src/bench/measure.ts'), file];
  if (defs) args.push('--defs', defs);
  if (retain) args.push('--retain');
  const out = execFileSync(process.execPath, args, { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as Figures;
}

/** `grep -c` over the whole file. Its output goes to a pipe: GNU grep stops at the first match when writing to /dev/null. */
function grepSeconds(file: string): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('grep', ['-c', 'mark_victim', file], { stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`grep -c failed on ${file}`);
  return s;
}

const mb = (n: number): string => (n / 1e6).toFixed(0);
const rows: string[][] = [];
const failures: string[] = [];

function report(label: string, f: Figures, textTarget: boolean, rssTarget: boolean, grepS?: number): void {
  const mbps = f.textBytes / 1e6 / f.seconds;
  rows.push([
    label,
    `${mb(f.fileBytes)} MB`,
    `${mb(f.textBytes)} MB`,
    `${(f.allEvents / 1e6).toFixed(2)} M`,
    String(f.selected),
    `${f.seconds.toFixed(2)} s`,
    `${mbps.toFixed(0)} MB/s`,
    `${(f.allEvents / f.seconds / 1e6).toFixed(2)} M/s`,
    `${f.maxRssMB.toFixed(0)} MB`,
    f.retainedBytesPerEvent !== undefined ? `${f.retainedBytesPerEvent.toFixed(0)} B` : '',
    grepS !== undefined ? `${(f.textBytes / 1e6 / grepS).toFixed(0)} MB/s` : '',
  ]);
  if (f.errors > 0) failures.push(`${label}: ${f.errors} lines did not parse`);
  if (textTarget && mbps < MIN_MBPS) failures.push(`${label}: ${mbps.toFixed(0)} MB/s < ${MIN_MBPS} MB/s`);
  if (rssTarget && f.maxRssMB >= MAX_RSS_MB) failures.push(`${label}: peak RSS ${f.maxRssMB.toFixed(0)} MB >= ${MAX_RSS_MB} MB`);
}

mkdirSync(BENCH_DIR, { recursive: true });
const haystackDir = join(SHARED_TRACES, '6.1/haystack');
const haystackZst = join(haystackDir, 'ftrace.txt.zst');
const haveHaystack = HAVE_SHARED && existsSync(haystackZst);
const defs = haveHaystack ? join(haystackDir, 'kprobe_events.txt') : join(SAMPLES_DIR, '6.1/kvm_mn_eagain/kprobe_events.txt');
let seed: string;
if (haveHaystack) {
  const text = join(BENCH_DIR, 'haystack.txt');
  if (!existsSync(text)) await decompressTo(haystackZst, text);
  report('haystack .zst', measure(haystackZst, defs), false, false);
  report('haystack text', measure(text, defs), true, false, grepSeconds(text));
  report('haystack text, events kept', measure(text, defs, true), false, false);
  failures.push(...parallelCase(text, haystackZst, defs));
  // Peak RSS of check flat in input size: 1 GB, 3 GB, 10 GB (the last through a pipe).
  const curve = await rssCurve(BENCH_DIR, text, [join(haystackDir, 'dmesg.txt'), defs]);
  const [one, , ten] = curve;
  if (one!.maxRssMB >= 150) failures.push(`check, 1 GB: peak RSS ${one!.maxRssMB.toFixed(0)} MB >= 150 MB`);
  if (ten!.maxRssMB >= 300) failures.push(`check, 10 GB: peak RSS ${ten!.maxRssMB.toFixed(0)} MB >= 300 MB`);
  seed = text;
} else {
  console.log(`(${haystackZst} not found: the generated trace is built from the bundled sample instead)`);
  seed = join(BENCH_DIR, 'sample.txt');
  if (!existsSync(seed)) await decompressTo(join(SAMPLES_DIR, '6.1/kvm_mn_eagain/ftrace.txt.gz'), seed);
}
const generated = join(BENCH_DIR, 'generated-2g.txt');
if (!existsSync(generated)) await generateRepeated(seed, generated, GENERATED_BYTES);
report('generated >= 2 GB text', measure(generated, defs), true, true, grepSeconds(generated));

// The report over 1,000 victims: the real lines of one OOM scenario (two victims, one
// premature) repeated 500 times with shifted timestamps.
const many = join(BENCH_DIR, 'oom-1000-victims.txt');
const premature = join(SAMPLES_DIR, '6.1/premature');
if (!existsSync(many)) await oomRounds(join(premature, 'ftrace.txt.gz'), many, 500);
const rep = JSON.parse(
  execFileSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src/bench/report.ts'), many, join(premature, 'kprobe_events.txt')], { cwd: REPO_ROOT, encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop()!,
) as { victims: number; findings: number; analyzeSeconds: number; renderSeconds: number; htmlBytes: number; maxRssMB: number };

const head = ['input', 'file', 'text', 'events', 'selected', 'time', 'text rate', 'event rate', 'peak RSS', 'kept/event', 'grep -c'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
console.log(line(head));
for (const r of rows) console.log(line(r));
console.log(
  `report over ${rep.victims} victims (${rep.findings} findings): analysis ${rep.analyzeSeconds.toFixed(2)} s, page ${rep.renderSeconds.toFixed(2)} s, ` +
    `index.html ${(rep.htmlBytes / 1e6).toFixed(2)} MB (of which ~0.83 MB the chart libraries), peak RSS ${rep.maxRssMB.toFixed(0)} MB`,
);
if (rep.victims < 1000) failures.push(`report: ${rep.victims} victims, expected 1000`);
failures.push(...(await import('../src/bench/growth.ts')).linearGrowth());
await (await import('../src/bench/fleet.ts')).fleetBench(BENCH_DIR, failures);
failures.push(...watchStreamCase());
failures.push(...(await (await import('../src/bench/retained.ts')).retainedCase(BENCH_DIR)));
failures.push(...(await (await import('../src/bench/victims.ts')).victimsCase(BENCH_DIR)));
console.log(`targets: tracefs text >= ${MIN_MBPS} MB/s filtered to the model's events; peak RSS < ${MAX_RSS_MB} MB on >= 2 GB`);
failures.push(...(await benchBinary()));
if (failures.length) {
  for (const f of failures) console.log(`MISSED ${f}`);
  process.exitCode = 1;
} else console.log('all targets met');
