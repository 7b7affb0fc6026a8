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

  it('an input still delivering is waited for however far the others ran ahead; once quiet on the wall clock, by its lag only', () => {
    let now = 0;
    const m = new TimeMerge(() => now);
    const trace = m.addLane();
    const log = m.addLane(5n, 1000);
    m.push(log, ev(10n));
    m.push(trace, ev(100n));
    m.push(trace, ev(200n));
    // The log delivered just now: it may still have lines before 200.
    now = 500;
    expect(m.drain().map((e) => e.ts)).toEqual([10n]);
    m.touch(log); // bytes with no event yet (a partial line)
    now = 1400;
    expect(m.drain()).toEqual([]);
    m.push(log, ev(150n));
    expect(m.drain().map((e) => e.ts)).toEqual([100n, 150n]);
    // Quiet for a second: it holds the trace back by its lag only.
    now = 2500;
    expect(m.drain().map((e) => e.ts)).toEqual([]);
    m.push(trace, ev(300n));
    now = 3500;
    expect(m.drain().map((e) => e.ts)).toEqual([200n]);
  });
});
