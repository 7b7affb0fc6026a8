// Linear time on every line: each decoder (src/testing/worst-lines.ts) is timed on
// lines of growing length, 1 KB → 1 MB of its worst separators, and each sniffer on
// heads of 1 KB → 64 KiB (the most a sniffer is ever given). Fails when time grows
// faster than linear (exponent between the two largest sizes above MAX_EXPONENT; a
// quadratic rule shows 2.0) or when a 1 MB line takes more than MAX_MS_PER_MB. The
// best of several runs is kept: on a shared machine the slow runs are the noise.
// Run alone with `npx tsx src/bench/growth.ts`; `npm run bench` runs it too.
import { DECODER_CASES, SNIFFER_CASES, timeRun, type GrowthCase } from '../testing/worst-lines.ts';

const LINE_SIZES = [1 << 10, 1 << 12, 1 << 14, 1 << 16, 1 << 18, 1 << 20];
const HEAD_SIZES = [1 << 10, 1 << 12, 1 << 14, 1 << 16];
/** 1.0 is linear, 2.0 quadratic; the margin absorbs timer noise and GC on a loaded machine. */
const MAX_EXPONENT = 1.5;
/** Timings below this are too short to fit a slope to on a shared machine. */
const MIN_MS_FOR_SLOPE = 5;
const MAX_MS_PER_MB = 100;

/** Best ms per run of `c` on an input of `bytes`, repeating small inputs to at least ~20 ms in all. */
function timeAt(c: GrowthCase, bytes: number): number {
  const input = c.build(bytes);
  // Warm up first (V8 compiles a regex to native code only after some runs).
  const small = c.build(1 << 10);
  for (let i = 0; i < 50; i++) c.run(small);
  const times: number[] = [];
  let total = 0;
  while (times.length < 5 || (total < 20 && times.length < 2000)) {
    const t = timeRun(c, input);
    times.push(t);
    total += t;
  }
  return Math.min(...times);
}

export function linearGrowth(log: (s: string) => void = console.log): string[] {
  const failures: string[] = [];
  const label = (s: number): string => (s >= 1 << 20 ? `${s >> 20} MB` : `${s >> 10} KB`);
  const cases: [GrowthCase[], number[]][] = [
    [DECODER_CASES, LINE_SIZES],
    [SNIFFER_CASES, HEAD_SIZES],
  ];
  for (const [group, sizes] of cases) {
    log(`growth: best ms per run at ${sizes.map(label).join(', ')}; exponent between the last two`);
    for (const c of group) {
      const ms = sizes.map((s) => timeAt(c, s));
      // Floor at 0.05 ms so two tiny timings do not fake a steep slope.
      const a = Math.max(ms.at(-2)!, 0.05);
      const b = Math.max(ms.at(-1)!, 0.05);
      const exponent = Math.log(b / a) / Math.log(sizes.at(-1)! / sizes.at(-2)!);
      log(`  ${c.name.padEnd(72)} ${ms.map((t) => t.toFixed(2).padStart(8)).join('')}   ${exponent.toFixed(2)}`);
      if (exponent > MAX_EXPONENT && b > MIN_MS_FOR_SLOPE) failures.push(`growth ${c.name}: time grows as n^${exponent.toFixed(2)}`);
      if (sizes.at(-1) === 1 << 20 && b > MAX_MS_PER_MB) failures.push(`growth ${c.name}: ${b.toFixed(0)} ms for 1 MB > ${MAX_MS_PER_MB} ms`);
    }
  }
  return failures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const failures = linearGrowth();
  for (const f of failures) console.log(`MISSED ${f}`);
  process.exitCode = failures.length ? 1 : 0;
}
