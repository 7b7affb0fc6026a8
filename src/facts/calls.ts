// The invalidate calls of a victim's mm in each named scope (see types.ts), and their tallies.
import type { CoreCall, ModelState, VictimState } from '../replay/state.ts';
import type { CallTally, NotifierTally } from './types.ts';
import { asNs } from '../types/time.ts';

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

/** Calls made by the reaper inside the victim's attempts. */
export const callsInAttempts = (v: VictimState): CoreCall[] => v.attempts.flatMap((a) => a.calls);

/** Invalidate calls on the victim's mm: its reap attempts, and calls on its mm pointer until it was torn down. */
export function callsOverMmLifetime(s: ModelState, v: VictimState): CoreCall[] {
  const until = (v.release?.ts ?? s.lastTs ?? v.mark.ts) + TEARDOWN_NS;
  const more = v.mm.mmPtr === undefined ? [] : outside(s, v.mm.mmPtr).filter((c) => c.entry.ts >= v.mark.ts && c.entry.ts <= until);
  return [...callsInAttempts(v), ...more].sort((a, b) => (a.entry.ts < b.entry.ts ? -1 : a.entry.ts > b.entry.ts ? 1 : 0));
}

const failed = (c: { retval?: number }): boolean => c.retval !== undefined && c.retval < 0;

export function tally(calls: readonly CoreCall[]): CallTally {
  const notifiers: Record<string, NotifierTally> = {};
  for (const c of calls) {
    for (const cb of c.callbacks) {
      const n = (notifiers[cb.instance] ??= { starts: 0, startsOk: 0, startsFailed: 0, ends: 0, endsInsideFailedStart: 0, first: { ts: asNs(cb.entry.ts), src: cb.entry.src } });
      if (cb.phase === 'start') {
        n.starts++;
        if (cb.retval === 0) n.startsOk++;
        else if (failed(cb)) {
          n.startsFailed++;
          n.failedWith ??= cb.retval;
        }
      } else {
        n.ends++;
        if (failed(c)) n.endsInsideFailedStart++;
      }
    }
  }
  const failedCalls = calls.filter(failed);
  return {
    starts: calls.length,
    startsNonblock: calls.filter((c) => c.blockable === false).length,
    failed: failedCalls.length,
    failedWith: failedCalls[0]?.retval,
    ended: calls.filter((c) => c.endCall).length,
    unpaired: calls.filter((c) => !c.endCall).length,
    notifiers,
  };
}
