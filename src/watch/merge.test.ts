import { describe, expect, it } from 'vitest';
import { TimeMerge } from './merge.ts';
import type { TraceEvent } from '../types/event.ts';

const ev = (ts: bigint, name = 'x:y'): TraceEvent => ({ ts, cpu: 0, pid: 1, comm: 'c', name, text: '', src: { file: 'f', line: Number(ts), offset: 0 } });

describe('TimeMerge', () => {
  it('hands an event on only once every open input has reached its time, in time order', () => {
    const m = new TimeMerge();
    const a = m.addLane();
    const b = m.addLane();
    m.push(a, ev(10n));
    m.push(a, ev(30n));
    expect(m.drain()).toEqual([]); // b has said nothing yet
    m.push(b, ev(20n));
    expect(m.drain().map((e) => e.ts)).toEqual([10n, 20n]);
    m.close(b);
    expect(m.drain().map((e) => e.ts)).toEqual([30n]);
  });

  it('a quiet kernel log holds the trace back by its lag at most; untimed log lines pass at once', () => {
    const m = new TimeMerge();
    const trace = m.addLane();
    const log = m.addLane(5n);
    m.push(log, ev(-1n));
    expect(m.drain().map((e) => e.ts)).toEqual([-1n]);
    m.push(trace, ev(100n));
    m.push(trace, ev(104n));
    m.push(trace, ev(106n));
    expect(m.drain().map((e) => e.ts)).toEqual([100n]);
    m.push(log, ev(103n));
    expect(m.drain().map((e) => e.ts)).toEqual([103n]);
  });
});
