// The same OOM scenario was recorded at once by a tracefs instance, trace-cmd and
// perf. Read through reaplay, the three must tell the same story: the oom, kprobe
// and kvm events agree one for one (same order per CPU, pids and field values),
// and the high-volume rss_stat / exit_mmap / sched / signal events agree inside
// the window all three recorders covered.
// Times: each recorder stamps its own buffer, one after another, at every event,
// so a timer interrupt of the emulated guest (HZ=250) that falls between the tracefs
// write and the later ones shows as skew. Measured over the 24 captures: core events
// 8 of ~10,000 pairs over 1 ms (at most 4.1 ms); all events 6,170 of 368,297 pairs
// over 1 ms (1.7%, at most 49.5 ms, in the page-fault paths of rss_stat). The test
// holds the order exactly and bounds the skew by those measurements.
import { describe, expect, it } from 'vitest';
import type { Fields, TraceEvent } from '../types/event.ts';
import { newContext, parseInputs } from './parse-inputs.ts';
import { bundledCaptures, captureFile, HAVE_SHARED, sharedCaptures, type Capture } from '../testing/captures.ts';

const RECORDERS = ['ftrace.txt', 'trace-cmd-report.txt', 'perf-script.txt', 'perf-script-fields.txt'] as const;
const MS = 1_000_000n;

interface SkewBound {
  /** No pair further apart than this. */
  max: bigint;
  /** At most this share of pairs 1 ms apart or more (and never fewer than 2 allowed). */
  over1msShare: number;
}
const CORE_SKEW: SkewBound = { max: 5n * MS, over1msShare: 0.01 };
const VOLUME_SKEW: SkewBound = { max: 60n * MS, over1msShare: 0.05 };
/** A quiet gap in which to place a window edge: the guest's 100 ms sleeps make many. */
const EDGE_GAP = 100n * MS;

/** Fields that differ by recorder by design: probe sites are symbols in tracefs, raw addresses elsewhere; %p is hashed only in tracefs. */
const RECORDER_SPECIFIC = new Set(['probe_addr', 'ret_site', 'probe_offset', 'probe_module', 'mt', 'mt_hashed']);

/**
 * What must agree between recorders. perf prints tid -1 for a task already unhashed
 * at exit (its last events, e.g. the SIGCHLD to the parent), where tracefs still
 * knows `current->pid`: -1 is "unknown" and matches any pid.
 */
function comparable(ev: TraceEvent, other?: TraceEvent): string {
  const f: Fields = {};
  for (const [k, v] of Object.entries(ev.fields ?? {})) if (!RECORDER_SPECIFIC.has(k)) f[k] = v;
  const pid = ev.pid === -1 && other ? other.pid : ev.pid;
  return JSON.stringify({ name: ev.name, pid, f }, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
}

async function read(c: Capture, recorder: string): Promise<TraceEvent[]> {
  const ctx = newContext();
  const events: TraceEvent[] = [];
  await parseInputs([captureFile(c, 'kprobe_events.txt')!, captureFile(c, recorder)!], {
    context: ctx,
    onEvent: (ev) => events.push(ev),
  });
  expect(ctx.diag.bySeverity('error'), `${c.id} ${recorder}`).toBe(0);
  expect(ctx.diag.count('field_decode_failed'), `${c.id} ${recorder}`).toBe(0);
  return events;
}

const isCore = (ev: TraceEvent): boolean => ev.name.startsWith('oom:') || ev.name.startsWith('kvm:') || ev.name.startsWith('mn:');
const isVolume = (ev: TraceEvent): boolean => /^(kmem:rss_stat|mmap:exit_mmap|sched:|signal:)/.test(ev.name);

function perCpu(events: TraceEvent[]): Map<number, TraceEvent[]> {
  const m = new Map<number, TraceEvent[]>();
  for (const ev of events) {
    let l = m.get(ev.cpu);
    if (!l) m.set(ev.cpu, (l = []));
    l.push(ev);
  }
  return m;
}

function agree(label: string, a: TraceEvent[], b: TraceEvent[], bound: SkewBound): void {
  const pa = perCpu(a);
  const pb = perCpu(b);
  expect([...pb.keys()].sort(), label).toEqual([...pa.keys()].sort());
  let pairs = 0;
  let over1ms = 0;
  for (const [cpu, la] of pa) {
    const lb = pb.get(cpu)!;
    expect(lb.map((e, i) => comparable(e, la[i])), `${label} CPU ${cpu}`).toEqual(la.map((e) => comparable(e)));
    for (let i = 0; i < la.length; i++) {
      const d = la[i]!.ts - lb[i]!.ts;
      const abs = d < 0n ? -d : d;
      expect(abs < bound.max, `${label} CPU ${cpu} #${i} ${la[i]!.name} ${la[i]!.ts} vs ${lb[i]!.ts}`).toBe(true);
      pairs++;
      if (abs >= MS) over1ms++;
    }
  }
  expect(over1ms, `${label}: ${over1ms} of ${pairs} pairs over 1 ms apart`).toBeLessThanOrEqual(Math.max(2, Math.floor(pairs * bound.over1msShare)));
}

/**
 * The time window all recorders covered, with both edges placed in a quiet gap
 * (no event of any recorder within EDGE_GAP / 2), so an event near an edge cannot fall
 * inside for one recorder and outside for another.
 */
function commonWindow(lists: TraceEvent[][]): [bigint, bigint] {
  const lo0 = lists.map((e) => e[0]!.ts).reduce((x, y) => (x > y ? x : y));
  const hi0 = lists.map((e) => e[e.length - 1]!.ts).reduce((x, y) => (x < y ? x : y));
  const times = lists.flat().map((e) => e.ts).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  let lo = hi0;
  let hi = lo0;
  for (let i = 1; i < times.length; i++) {
    if (times[i - 1]! >= lo0 && times[i]! - times[i - 1]! > EDGE_GAP) {
      lo = (times[i - 1]! + times[i]!) / 2n;
      break;
    }
  }
  for (let i = times.length - 1; i > 0; i--) {
    if (times[i]! <= hi0 && times[i]! - times[i - 1]! > EDGE_GAP) {
      hi = (times[i - 1]! + times[i]!) / 2n;
      break;
    }
  }
  return [lo, hi];
}

function captures(): Capture[] {
  return [...bundledCaptures(), ...(HAVE_SHARED ? sharedCaptures() : [])];
}

describe('tracefs, trace-cmd and perf tell the same story', () => {
  for (const c of captures()) {
    it(`${c.bundled ? 'samples' : 'shared'} ${c.id}`, async () => {
      const all = await Promise.all(RECORDERS.map((r) => read(c, r)));
      const [ref, ...others] = all;
      // Core events: one for one over the whole trace.
      const core = all.map((evs) => evs.filter(isCore));
      expect(core[0]!.filter((e) => e.name === 'oom:mark_victim').length).toBeGreaterThan(0);
      for (let i = 1; i < core.length; i++) agree(`${c.id} core ${RECORDERS[i]}`, core[0]!, core[i]!, CORE_SKEW);
      // Volume events: inside the window every recorder covered.
      const [lo, hi] = commonWindow(all.map((evs) => evs.filter(isVolume)));
      const inWindow = (evs: TraceEvent[]): TraceEvent[] => evs.filter((e) => isVolume(e) && e.ts >= lo && e.ts <= hi);
      const refVol = inWindow(ref!);
      expect(refVol.length).toBeGreaterThan(100);
      others.forEach((o, i) => agree(`${c.id} volume ${RECORDERS[i + 1]}`, refVol, inWindow(o), VOLUME_SKEW));
    });
  }
});
