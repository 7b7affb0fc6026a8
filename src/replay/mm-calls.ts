// The invalidate calls of a victim's mm: those the reaper made inside its attempts, and
// those on its mm pointer from its selection until the mm was torn down.
import type { CoreCall, ModelState, VictimState } from './state.ts';

/** Teardown of an mm follows the release marker by well under this; later calls on the address are another mm's. */
export const TEARDOWN_NS = 1_000_000_000n;

/**
 * Calls outside reap attempts, by mm pointer, per state; extended as the state's calls grow
 * (a live replay asks again after more events).
 */
const outsideByMm = new WeakMap<ModelState, { seen: number; byMm: Map<string, CoreCall[]> }>();

function outside(s: ModelState, mm: string): CoreCall[] {
  let m = outsideByMm.get(s);
  if (!m) outsideByMm.set(s, (m = { seen: 0, byMm: new Map() }));
  for (; m.seen < s.calls.length; m.seen++) {
    const c = s.calls[m.seen]!;
    if (c.victim || c.mm === undefined) continue;
    let l = m.byMm.get(c.mm);
    if (!l) m.byMm.set(c.mm, (l = []));
    l.push(c);
  }
  return m.byMm.get(mm) ?? [];
}

/** Calls made by the reaper inside the victim's attempts. */
export const callsInAttempts = (v: VictimState): CoreCall[] => v.attempts.flatMap((a) => a.calls);

/** Invalidate calls on the victim's mm: its reap attempts, and calls on its mm pointer until it was torn down. */
export function callsOverMmLifetime(s: ModelState, v: VictimState): CoreCall[] {
  const until = (v.release?.ts ?? s.lastTs ?? v.mark.ts) + TEARDOWN_NS;
  const more = v.mm.mmPtr === undefined ? [] : outside(s, v.mm.mmPtr).filter((c) => c.entry.ts >= v.mark.ts && c.entry.ts <= until);
  return [...callsInAttempts(v), ...more].sort((a, b) => (a.entry.ts < b.entry.ts ? -1 : a.entry.ts > b.entry.ts ? 1 : 0));
}
