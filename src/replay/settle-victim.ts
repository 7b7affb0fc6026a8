// When a victim is settled: no later event can change its outcome, its release or the
// pairing of the invalidate calls on its mm (docs/model.md#state-settle). A live caller
// (watch, a streaming replay) asks this after each event that may settle something; a
// settled victim is judged alone, as finish() would judge it at the end of the trace.
import type { ModelState, VictimState } from './state.ts';
import { finishVictim } from './finish.ts';
import { TEARDOWN_NS, callsOverMmLifetime } from './mm-calls.ts';

export type SettledBy = 'released' | 'gave_up_next_selected';

export interface SettleOptions {
  /**
   * `__mmu_notifier_release` is probed: the mm's teardown is seen, so it is waited for
   * (a thread outside the victim's known tasks may run the last exit).
   */
  teardownProbed: boolean;
  /** Trace time every input has reached (default: the state's last event). */
  now?: bigint;
}

export type SettleCheck =
  | { settled: SettledBy; /** The victim judged alone (a copy: the state is left as it is). */ judged: VictimState }
  | { settled?: undefined; /** Not settled before this trace time: ask again once it is reached. */ recheckAt?: bigint };

/** A victim that exited before the reaper ran may still see a (skipped) attempt: wait this long past the reaper's due time. */
export const REAPER_GRACE_NS = 3_000_000_000n;

/**
 * The victim judged as the end of the trace would judge it now, on a copy: its attempts
 * are copied (finish decides their results), the rest is shared and left untouched.
 */
export function judgeVictim(s: ModelState, v: VictimState): VictimState {
  return finishVictim(s, { ...v, attempts: v.attempts.map((a) => ({ ...a })) });
}

/** An invalidate call on the victim's mm still in flight, or started and not yet ended. */
export const callOpen = (s: ModelState, v: VictimState): boolean =>
  callsOverMmLifetime(s, v).some((c) => c.retval === undefined || (c.retval === 0 && !c.endCall));

/**
 * Is `v` settled at `now`? `s.caps` must be the resolved profile (the reaper's delay and
 * exit_mmap's self-reap decide how long to wait).
 *
 * - Released: its memory went (not merely its last known task exiting: other threads may
 *   hold the mm), no reap attempt and no invalidate call on its mm is in flight, where
 *   exit_mmap reaps again (4.17-6.0) a reaper's release waits for the mm's teardown, then
 *   one teardown second passes (calls on the mm until then are the victim's), and with no
 *   attempt yet the reaper's delay and a grace pass too (it may still come and skip it).
 * - Given up with the next selection made: MMF_OOM_SKIP set by a give-up and a later
 *   victim chosen. Its memory may still go later (that changes its story, which a live
 *   caller prints again as an update, but not its outcome).
 */
export function settleVictim(s: ModelState, v: VictimState, opts: SettleOptions): SettleCheck {
  const now = opts.now ?? s.lastTs;
  const j = judgeVictim(s, v);
  const last = j.attempts[j.attempts.length - 1];
  const attemptOpen = last !== undefined && !last.finish && !last.skip && !last.reapRet;
  const mmGone = opts.teardownProbed ? j.mmTeardown : j.lastExit;
  const exitPending = s.caps.exitMmapSelfReap && j.release?.how === 'reaper' && !mmGone;
  if (j.release && j.release.how !== 'task_exit' && !attemptOpen && !exitPending && !callOpen(s, j)) {
    const reaperDue = (j.wake?.ts ?? j.mark.ts) + BigInt(s.caps.reaperDelayMs) * 1_000_000n + REAPER_GRACE_NS;
    const teardown = (mmGone && mmGone.ts > j.release.ts ? mmGone.ts : j.release.ts) + TEARDOWN_NS;
    const wait = j.attempts.length === 0 && reaperDue > teardown ? reaperDue : teardown;
    if (now !== undefined && now >= wait) return { settled: 'released', judged: j };
    return { recheckAt: wait };
  }
  if (j.outcome === 'gave_up' && j.oomSkip && s.victims.some((o) => o !== v && o.mark.ts > j.oomSkip!.ts)) return { settled: 'gave_up_next_selected', judged: j };
  return {};
}
