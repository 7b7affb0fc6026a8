#!/usr/bin/env node
// `npm run fuzz`: the long fuzz run. Every text format gets at least FUZZ_LINES mutated
// real lines (default 1,000,000; windows of 24 lines, 1-6 mutations each), and each
// bundled capture FUZZ_CAPTURES mutated whole captures through `check --json`.
// Prints what it ran and the first failure with fast-check's seed and counterexample.
import fc from 'fast-check';
import { bundledCaptures } from '../src/testing/captures.ts';
import { captureProperty, lineProperty, realLines } from '../src/testing/mutate.ts';

const LINES = Number(process.env.FUZZ_LINES ?? 1_000_000);
const CAPTURES = Number(process.env.FUZZ_CAPTURES ?? 50);
const WINDOW = 24;
let failed = 0;

function report<T>(label: string, d: fc.RunDetails<T>, t0: number, unit: string): void {
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  if (d.failed) {
    failed++;
    console.log(`${label}: FAILED after ${d.numRuns} runs (${s} s)\n${fc.defaultReportMessage(d)}`);
  } else console.log(`${label}: ${d.numRuns} runs, ${unit}, no failure (${s} s)`);
}

const lines = await realLines();
for (const [format, real] of Object.entries(lines)) {
  const size = Math.min(WINDOW, real.length);
  const runs = Math.ceil(LINES / size);
  const t0 = performance.now();
  const d = fc.check(lineProperty(format, real, size), { numRuns: runs });
  report(format, d, t0, `${runs * size} mutated lines`);
}
for (const c of bundledCaptures()) {
  const t0 = performance.now();
  const d = await fc.check(captureProperty(c), { numRuns: CAPTURES });
  report(`capture ${c.id} through check`, d, t0, `${CAPTURES} mutated captures`);
}
process.exitCode = failed ? 1 : 0;
