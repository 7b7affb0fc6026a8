// One victim's replayed story as plain data: what `check --json` prints and what
// the tests compare with the lab's truth.
import type { SourceRef } from '../types/event.ts';
import type { CoreCall, ModelState, ReapOutcome, SkipCause, VictimState } from './state.ts';

export interface NotifierSummary {
  starts: number;
  startsOk: number;
  startsFailed: number;
  ends: number;
  endsInsideFailedStart: number;
}

export interface VictimSummary {
  pid: number;
  comm: string;
  mm?: string;
  mmId?: number;
  domain: string;
  selectedAt: bigint;
  selected: SourceRef;
  killedAt?: bigint;
  wokeReaperAt?: bigint;
  reap: ReapOutcome;
  /** Reaper attempts (start/finish pairs and skips). */
  attempts: number;
  /** Calls of the reap routine seen by probe in the reaper (the lab's "attempts"). */
  reapCalls: number;
  firstAttemptAt?: bigint;
  lastAttemptAt?: bigint;
  oomSkip?: { at: bigint; cause: SkipCause };
  release?: { at: bigint; how: string };
  /** Nanoseconds from the selection to each step, when the step was seen. */
  latency: { kill?: bigint; wake?: bigint; firstAttempt?: bigint; oomSkip?: bigint; release?: bigint };
  /** The next victim selected in the same OOM domain. */
  next?: { pid: number; selectedAt: bigint };
  core: { starts: number; startsNonblock: number; failed: number; ended: number; unpaired: number };
  notifiers: Record<string, NotifierSummary>;
}

/** Teardown of an mm follows the release marker by well under this; later calls on the address are another mm's. */
export const TEARDOWN_NS = 1_000_000_000n;

/** Calls outside reap attempts, by mm pointer, built once per state. */
const outsideByMm = new WeakMap<ModelState, Map<string, CoreCall[]>>();

function outside(s: ModelState, mm: string): CoreCall[] {
  let m = outsideByMm.get(s);
  if (!m) {
    m = new Map();
    for (const c of s.calls) {
      if (c.victim || c.mm === undefined) continue;
      let l = m.get(c.mm);
      if (!l) m.set(c.mm, (l = []));
      l.push(c);
    }
    outsideByMm.set(s, m);
  }
  return m.get(mm) ?? [];
}

/** Invalidate calls on the victim's mm: its reap attempts, and calls on its mm pointer until it was torn down. */
export function callsOf(s: ModelState, v: VictimState): CoreCall[] {
  const until = (v.release?.ts ?? s.lastTs ?? v.mark.ts) + TEARDOWN_NS;
  const own = v.attempts.flatMap((a) => a.calls);
  const more = v.mmPtr === undefined ? [] : outside(s, v.mmPtr).filter((c) => c.entry.ts >= v.mark.ts && c.entry.ts <= until);
  return [...own, ...more].sort((a, b) => (a.entry.ts < b.entry.ts ? -1 : a.entry.ts > b.entry.ts ? 1 : 0));
}

function notifierSummary(calls: CoreCall[]): Record<string, NotifierSummary> {
  const out: Record<string, NotifierSummary> = {};
  for (const c of calls) {
    const failedCall = c.retval !== undefined && c.retval < 0;
    for (const cb of c.callbacks) {
      const n = (out[cb.instance] ??= { starts: 0, startsOk: 0, startsFailed: 0, ends: 0, endsInsideFailedStart: 0 });
      if (cb.phase === 'start') {
        n.starts++;
        if (cb.retval === 0) n.startsOk++;
        else if (cb.retval !== undefined && cb.retval < 0) n.startsFailed++;
      } else {
        n.ends++;
        if (failedCall) n.endsInsideFailedStart++;
      }
    }
  }
  return out;
}

function nextInDomain(s: ModelState, v: VictimState): VictimSummary['next'] {
  const n = s.selections.find((sel) => sel.earlier.includes(v) && (sel.victim.domain === v.domain || sel.victim.domain === 'unknown' || v.domain === 'unknown'));
  return n ? { pid: n.victim.pid, selectedAt: n.ts } : undefined;
}

export function summarize(s: ModelState, v: VictimState): VictimSummary {
  const calls = callsOf(s, v);
  const started = v.attempts.map((a) => a.start ?? a.skip).filter((e) => e !== undefined);
  const sum: VictimSummary = {
    pid: v.pid,
    comm: v.comm,
    mm: v.mmPtr,
    mmId: v.mmId,
    domain: v.domain,
    selectedAt: v.mark.ts,
    selected: v.mark.src,
    killedAt: v.kill?.ts,
    wokeReaperAt: v.wake?.ts,
    reap: v.outcome,
    attempts: v.attempts.length,
    reapCalls: v.attempts.filter((a) => a.reapEntry).length,
    firstAttemptAt: started[0]?.ts,
    lastAttemptAt: started[started.length - 1]?.ts,
    oomSkip: v.oomSkip ? { at: v.oomSkip.ts, cause: v.oomSkip.cause } : undefined,
    release: v.release ? { at: v.release.ts, how: v.release.how } : undefined,
    latency: {
      kill: v.kill ? v.kill.ts - v.mark.ts : undefined,
      wake: v.wake ? v.wake.ts - v.mark.ts : undefined,
      firstAttempt: started[0] ? started[0].ts - v.mark.ts : undefined,
      oomSkip: v.oomSkip ? v.oomSkip.ts - v.mark.ts : undefined,
      release: v.release ? v.release.ts - v.mark.ts : undefined,
    },
    next: nextInDomain(s, v),
    core: {
      starts: calls.length,
      startsNonblock: calls.filter((c) => c.blockable === false).length,
      failed: calls.filter((c) => c.retval !== undefined && c.retval < 0).length,
      ended: calls.filter((c) => c.endCall).length,
      unpaired: calls.filter((c) => !c.endCall).length,
    },
    notifiers: notifierSummary(calls),
  };
  return sum;
}
