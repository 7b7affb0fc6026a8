import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../types/event.ts';
import { mergeByTime } from './merge.ts';

const ev = (ts: number, file: string): TraceEvent => ({ ts: BigInt(ts), cpu: 0, pid: 1, comm: 'x', name: 'a:b', text: '', src: { file, line: ts, offset: 0 } });

describe('mergeByTime', () => {
  it('merges ordered streams, ties to the earlier stream, as a stable sort would', () => {
    const a = [ev(1, 'a'), ev(3, 'a'), ev(3, 'a'), ev(7, 'a')];
    const b = [ev(0, 'b'), ev(3, 'b'), ev(9, 'b')];
    const c = [ev(2, 'c')];
    const merged = mergeByTime([a, b, c]);
    const sorted = [...a, ...b, ...c].sort((x, y) => (x.ts < y.ts ? -1 : x.ts > y.ts ? 1 : 0));
    expect(merged).toEqual(sorted);
    expect(merged.map((e) => `${e.ts}${e.src.file}`)).toEqual(['0b', '1a', '2c', '3a', '3a', '3b', '7a', '9b']);
  });
  it('sorts a stream that is out of order before merging it', () => {
    expect(mergeByTime([[ev(5, 'a'), ev(1, 'a')], [ev(3, 'b')]]).map((e) => Number(e.ts))).toEqual([1, 3, 5]);
  });
  it('hands a single ordered stream back without copying', () => {
    const a = [ev(1, 'a'), ev(2, 'a')];
    expect(mergeByTime([a, []])).toBe(a);
  });
});
