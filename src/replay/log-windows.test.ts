// The kernel log lines in a victim's attempts, found by binary search when the lines
// are in time order: always the lines a pass over all of them finds, in their order.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../types/event.ts';
import { linesInWindows, type Window } from './log-windows.ts';

const line = (ts: bigint, i: number): TraceEvent => ({ ts, cpu: 0, pid: 1, comm: 'k', name: 'printk:console', text: `line ${i}`, src: { file: 'dmesg.txt', line: i + 1, offset: i * 10 } });
const byPass = (lines: readonly TraceEvent[], ws: readonly Window[]): TraceEvent[] => lines.filter((e) => ws.some(([a, b]) => e.ts >= a && e.ts <= b));

describe('log lines in attempt windows', () => {
  it('finds what a pass over every line finds, sorted or not', () => {
    const ts = fc.bigInt({ min: 0n, max: 200n });
    fc.assert(
      fc.property(fc.array(ts, { maxLength: 60 }), fc.boolean(), fc.array(fc.tuple(ts, fc.bigInt({ min: 0n, max: 40n })), { maxLength: 5 }), (times, sort, wins) => {
        const sorted = sort ? [...times].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) : times;
        const lines = sorted.map(line);
        const ws: Window[] = wins.map(([a, len]) => [a, a + len]);
        expect(linesInWindows(lines, ws)).toEqual(byPass(lines, ws));
      }),
      { numRuns: Number(process.env.FC_RUNS) || 300 },
    );
  });

  it('a list that grows after a first search is searched as it now is', () => {
    const lines = [line(10n, 0), line(20n, 1)];
    expect(linesInWindows(lines, [[15n, 25n]]).map((e) => e.text)).toEqual(['line 1']);
    lines.push(line(5n, 2));
    expect(linesInWindows(lines, [[0n, 12n]]).map((e) => e.text)).toEqual(['line 0', 'line 2']);
  });
});
