// The address-space tracker on small inline event sequences: tasks, mm_id hashes and
// mm pointers bound once, the hash reuse window, and events fed one at a time.
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../types/event.ts';
import { MM_ID_REUSE_WINDOW_NS, MmTracker } from './mm-tracker.ts';

const S = 1_000_000_000n;
let line = 0;
const ev = (name: string, ts: bigint, pid: number, fields: Record<string, unknown> = {}): TraceEvent =>
  ({ name, ts, pid, cpu: 0, comm: 't', text: '', fields, src: { file: 'x', line: ++line } } as unknown as TraceEvent);
const rss = (ts: bigint, pid: number, mmId: number, kb: number, curr = true) => ev('kmem:rss_stat', ts, pid, { mm_id: mmId, curr, type: 'MM_ANONPAGES', size: kb * 1024 });

describe('MmTracker', () => {
  it("binds the tasks reporting an mm_id as their own, and keeps only the reuse window before the selection", () => {
    const t = new MmTracker();
    [rss(1n * S, 10, 7, 100), rss(8n * S, 11, 7, 200), rss(9n * S + 500_000_000n, 10, 7, 300)].forEach((e) => t.observe(e));
    const mm = t.track(10, 10n * S);
    expect([mm.mmId, [...mm.tasks].sort()]).toEqual([7, [10, 11]]);
    // The sample at 1 s is older than the window before the selection at 10 s.
    expect(mm.anon().map((a) => a.bytes / 1024)).toEqual([300]);
    t.observe(rss(11n * S, 12, 7, 50));
    expect([...mm.tasks].sort()).toEqual([10, 11, 12]);
    expect(mm.anon().map((a) => a.bytes / 1024)).toEqual([300, 50]);
    expect(t.ofMmId(7)).toBe(mm);
  });
  it('a reused hash: samples past the release plus the window are not this address space', () => {
    const t = new MmTracker();
    t.observe(rss(1n * S, 10, 7, 100));
    const mm = t.track(10, 2n * S);
    t.observe(rss(3n * S, 10, 7, 0));
    t.observe(rss(3n * S + MM_ID_REUSE_WINDOW_NS + 1n, 20, 7, 900));
    expect(mm.anon(3n * S).map((a) => a.bytes / 1024)).toEqual([100, 0]);
    expect(mm.anon().map((a) => a.bytes / 1024)).toEqual([100, 0, 900]);
  });
  it("an mm_id learned after the selection (the reaper's updates) still gets its samples from the selection on", () => {
    const t = new MmTracker();
    const mm = t.track(10, 10n * S);
    for (let i = 0n; i < 30n; i++) t.observe(rss(10n * S + i * 100_000_000n, 10, 9, 1000 - Number(i), false));
    expect(mm.mmId).toBeUndefined();
    t.bindMmId(mm, 9);
    expect(mm.anon().length).toBe(30);
    expect(mm.anon()[0]!.ts).toBe(10n * S);
  });
  it("the exit of the task it is tracked for is its event too, as a thread's is", () => {
    const t = new MmTracker();
    t.observe(rss(9n * S, 11, 7, 5));
    t.observe(rss(9n * S, 10, 7, 5));
    const mm = t.track(10, 10n * S);
    t.observe(ev('sched:sched_process_exit', 12n * S, 11, { pid: 11 }));
    t.observe(ev('sched:sched_process_exit', 13n * S, 10, { pid: 10 }));
    expect([...mm.events].filter((e) => e.name === 'sched:sched_process_exit').map((e) => e.fields?.pid)).toEqual([11, 10]);
  });
  it("lines about its pid and its tasks' exits are its events, fed one at a time", () => {
    const t = new MmTracker();
    t.observe(ev('signal:signal_generate', 10n * S - 1n, 1, { pid: 10, sig: 9 }));
    t.observe(rss(10n * S - 2n, 11, 7, 5));
    t.observe(rss(10n * S - 2n, 10, 7, 5));
    const mm = t.track(10, 10n * S);
    t.observe(ev('oom:wake_reaper', 10n * S + 1n, 0, { pid: 10 }));
    t.observe(ev('sched:sched_process_exit', 12n * S, 11, { pid: 11 }));
    t.observe(ev('sched:sched_process_exit', 12n * S, 99, { pid: 99 }));
    t.observe(ev('oom:wake_reaper', 13n * S, 0, { pid: 55 }));
    expect([...mm.events].map((e) => `${e.name}:${e.fields?.pid ?? e.pid}`)).toEqual(['kmem:rss_stat:11', 'kmem:rss_stat:10', 'signal:signal_generate:10', 'oom:wake_reaper:10', 'sched:sched_process_exit:11']);
  });
});
