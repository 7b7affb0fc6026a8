// settleVictim on the real captures, replayed event by event: a victim is settled before
// the end of its trace, and what it was judged when it settled is what the whole trace
// judges (outcome, MMF_OOM_SKIP, release, each attempt's result): no later event changed it.
import { describe, expect, it } from 'vitest';
import { analyzeLoaded, ingest, startReplay, stepEvent } from '../pipeline.ts';
import { bundledCaptures, captureFile, sharedCaptures, type Capture } from '../testing/captures.ts';
import { settleVictim, type SettleCheck } from './settle-victim.ts';
import type { ModelState, VictimState } from './state.ts';
import { initialState } from './state.ts';
import { BASE } from './capabilities.ts';
import type { TraceEvent } from '../types/event.ts';
import { MmTimeline } from '../timeline/mm-tracker.ts';
import { Samples } from '../timeline/samples.ts';

const captures = [...bundledCaptures(), ...sharedCaptures()].filter((c) => captureFile(c, 'ftrace.txt'));

const key = (v: VictimState): string => `${v.pid}@${v.mark.src.line}`;
const verdict = (v: VictimState): { outcome: string; oomSkip?: unknown; release?: unknown; attempts: unknown[] } => ({
  outcome: v.outcome,
  oomSkip: v.oomSkip && { ts: v.oomSkip.ts, cause: v.oomSkip.cause },
  release: v.release && { ts: v.release.ts, how: v.release.how },
  attempts: v.attempts.map((a) => a.result),
});

async function replayLive(c: Capture) {
  const files = ['ftrace.txt', 'dmesg.txt', 'kprobe_events.txt'].map((n) => captureFile(c, n)).filter((f): f is string => !!f);
  const loaded = await ingest(files);
  const whole = analyzeLoaded(loaded);
  const r = startReplay(loaded);
  r.state.caps = whole.profile.caps;
  const teardownProbed = loaded.kprobes.some((d) => d.func === '__mmu_notifier_release');
  const settled = new Map<string, { check: SettleCheck & { settled: string }; at: number; ts: bigint }>();
  loaded.events.forEach((ev, i) => {
    stepEvent(r, ev);
    for (const v of r.state.victims) {
      if (settled.has(key(v))) continue;
      const check = settleVictim(r.state, v, { teardownProbed });
      if (check.settled) settled.set(key(v), { check, at: i, ts: ev.ts });
    }
  });
  return { whole, settled, events: loaded.events.length };
}

describe('settleVictim on the real captures, event by event', () => {
  for (const c of captures) {
    it(`${c.id}: settled victims are judged then as the whole trace judges them, before its end`, async () => {
      const { whole, settled, events } = await replayLive(c);
      for (const v of whole.state.victims) {
        // Every capture's trace runs well past its victims' settle points.
        const s = settled.get(key(v));
        expect(s, `${c.id} victim ${v.pid} (${v.outcome}) never settled`).toBeDefined();
        if (!s) continue;
        // A victim given up may still lose its memory later: its release is not part of what settled.
        const want = verdict(v);
        if (s.check.settled === 'gave_up_next_selected') delete want.release;
        const got = verdict(s.check.judged);
        if (s.check.settled === 'gave_up_next_selected') delete got.release;
        expect(got, `${c.id} victim ${v.pid} settled (${s.check.settled}) at event ${s.at}`).toEqual(want);
        expect(s.at).toBeLessThan(events - 1);
      }
    }, 60_000);
  }

  it('6.1/premature: the victim given up is settled by the next selection, the one released once its memory went', async () => {
    const c = bundledCaptures().find((x) => x.id === '6.1/premature')!;
    const { whole, settled } = await replayLive(c);
    const [first, second] = whole.state.victims;
    const s1 = settled.get(key(first!))!;
    expect(s1.check.settled).toBe('gave_up_next_selected');
    // At the second selection itself (its mark_victim is the event that settles the first).
    expect(s1.ts).toBe(second!.mark.ts);
    const s2 = settled.get(key(second!))!;
    expect(s2.check.settled).toBe('released');
    expect(s2.ts).toBeGreaterThanOrEqual(second!.release!.ts);
  }, 60_000);
});

describe('settleVictim on hand-written states (edge cases)', () => {
  const ev = (name: string, ts: bigint, pid = 1, fields: TraceEvent['fields'] = {}): TraceEvent =>
    ({ name, ts, pid, cpu: 0, comm: 'x', fields, src: { file: 't', line: Number(ts / 1_000_000n) } }) as TraceEvent;
  const victim = (over: Partial<VictimState> = {}): VictimState => ({
    index: 0, pid: 100, comm: 'victim', mark: ev('oom:mark_victim', 1_000_000_000n, 5), selector: 5, domain: 'memcg:/a',
    attempts: [], mm: new MmTimeline(100, 1_000_000_000n), heldAfter: new Samples(), outcome: 'pending', selfReaps: 0, ...over,
  });
  const state = (vs: VictimState[], lastTs: bigint, caps: Partial<ModelState['caps']> = {}): ModelState => {
    const s = initialState({ ...BASE, ...caps });
    s.victims.push(...vs);
    s.lastTs = lastTs;
    return s;
  };
  const s1 = 1_000_000_000n;

  it('a release waits out the teardown second, and the reaper\'s delay when no attempt was made', () => {
    const rel = ev('kmem:rss_stat', 2n * s1);
    const v = victim({ release: { ts: rel.ts, how: 'rss_zero', ev: rel } });
    // No attempt yet, no delay: the reaper may still come until 1 s + 0 + 3 s grace.
    expect(settleVictim(state([v], 2n * s1, { reaperDelayMs: 0 }), v, { teardownProbed: false })).toEqual({ recheckAt: 4n * s1 });
    expect(settleVictim(state([v], 4n * s1, { reaperDelayMs: 0 }), v, { teardownProbed: false }).settled).toBe('released');
    // With the 2 s delay the reaper is due later still.
    expect(settleVictim(state([v], 4n * s1, { reaperDelayMs: 2000 }), v, { teardownProbed: false })).toEqual({ recheckAt: 6n * s1 });
  });

  it('the last task\'s exit is not a release mid-stream; an attempt in flight holds it open', () => {
    const exit = ev('sched:sched_process_exit', 2n * s1, 100);
    expect(settleVictim(state([victim({ lastExit: exit })], 9n * s1), victim({ lastExit: exit }), { teardownProbed: false })).toEqual({});
    const rel = ev('kmem:rss_stat', 2n * s1);
    const open = victim({ release: { ts: rel.ts, how: 'rss_zero', ev: rel }, attempts: [{ index: 1, start: ev('oom:start_task_reaping', 2n * s1), calls: [] }] });
    expect(settleVictim(state([open], 9n * s1), open, { teardownProbed: false })).toEqual({});
  });

  it('where exit_mmap reaps again, a release by the reaper waits for the mm\'s teardown when it is probed', () => {
    const at = ev('oom:start_task_reaping', 2n * s1);
    const fin = ev('oom:finish_task_reaping', 2n * s1 + 1000n);
    const rel = ev('kmem:rss_stat', 2n * s1 + 500n);
    const reaped = (over: Partial<VictimState> = {}) => victim({ release: { ts: rel.ts, how: 'reaper', ev: rel }, attempts: [{ index: 1, start: at, finish: fin, calls: [] }], ...over });
    const caps = { exitMmapSelfReap: true, reaperDelayMs: 0 };
    expect(settleVictim(state([reaped()], 9n * s1, caps), reaped(), { teardownProbed: true })).toEqual({});
    const torn = ev('p:__mmu_notifier_release', 5n * s1);
    expect(settleVictim(state([reaped({ mmTeardown: torn })], 5n * s1, caps), reaped({ mmTeardown: torn }), { teardownProbed: true })).toEqual({ recheckAt: 6n * s1 });
    const done = settleVictim(state([reaped({ mmTeardown: torn })], 6n * s1, caps), reaped({ mmTeardown: torn }), { teardownProbed: true });
    expect(done.settled).toBe('released');
    expect(done.settled && done.judged.outcome).toBe('reaped');
  });

  it('a give-up settles its victim only once a later victim is selected; the state is left unjudged', () => {
    const attempts = Array.from({ length: 10 }, (_, i) => ({
      index: i + 1,
      start: ev('oom:start_task_reaping', 2n * s1 + BigInt(i) * 100_000_000n),
      finish: ev('oom:finish_task_reaping', 2n * s1 + BigInt(i) * 100_000_000n + 1000n),
      calls: [],
    }));
    const v = victim({ attempts, unableLog: ev('printk:console', 3n * s1) });
    expect(settleVictim(state([v], 4n * s1), v, { teardownProbed: false })).toEqual({});
    const next = victim({ pid: 200, mark: ev('oom:mark_victim', 4n * s1, 5) });
    const check = settleVictim(state([v, next], 4n * s1), v, { teardownProbed: false });
    expect(check.settled).toBe('gave_up_next_selected');
    expect(check.settled && check.judged.outcome).toBe('gave_up');
    expect(v.outcome).toBe('pending');
    expect(v.attempts.every((a) => a.result === undefined)).toBe(true);
  });
});
