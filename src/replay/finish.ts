// What can only be judged once the trace is over: attempts no retry followed, each
// victim's reaper outcome, when MMF_OOM_SKIP was set and why, and when the memory
// went (docs/model.md#state-victim).
import type { Attempt, ModelState, VictimState } from './state.ts';

/**
 * start → finish → skip with nothing after: the retry loop only stops on success or
 * after its last retry, and a lock-busy skip inside the loop is followed by another
 * try. A lone skip after a finished attempt is the victim queued a second time and
 * skipped because MMF_OOM_SKIP was already set: the finished attempt succeeded.
 */
function doubleQueued(v: VictimState, max: number): void {
  const n = v.attempts.length;
  const last = v.attempts[n - 1];
  const prev = v.attempts[n - 2];
  if (n < 2 || n >= max || !last?.skip || last.result || !prev || prev.skip || !(prev.finish ?? prev.reapRet)) return;
  // Judged failed only because an attempt followed: that follower is what is in question here.
  if (prev.result && prev.decidedBy !== 'another attempt followed') return;
  if (prev.calls.some((c) => c.retval !== undefined && c.retval < 0) || v.unableLog) return;
  prev.result = 'ok';
  prev.decidedBy = 'the victim was queued again and that queueing was skipped (MMF_OOM_SKIP already set): this attempt ended the retry loop';
  last.result = 'already_skipped';
  last.decidedBy = 'second queueing of a victim already reaped';
}

function decideLast(v: VictimState, s: ModelState): void {
  const max = s.caps.maxReapRetries;
  doubleQueued(v, max);
  const last = v.attempts[v.attempts.length - 1];
  for (const a of v.attempts) {
    if (a.result) continue;
    if (a !== last) {
      a.result = a.skip ? 'lock_busy' : 'failed';
      a.decidedBy = 'another attempt followed';
      continue;
    }
    if (a.skip) {
      a.result = v.attempts.length >= max ? 'lock_busy' : 'already_skipped';
      a.decidedBy = v.attempts.length >= max ? `attempt ${max} of ${max}` : 'no retry followed a skip';
    } else if (!a.finish && !a.reapRet) {
      a.decidedBy = 'trace ended inside the attempt';
    } else if (v.reapedLog && (!a.start || v.reapedLog.ts >= a.start.ts)) {
      a.result = 'ok';
      a.decidedBy = '"oom_reaper: reaped process" line';
    } else if (a.calls.some((c) => c.retval !== undefined && c.retval < 0)) {
      a.result = 'failed';
      a.decidedBy = 'an invalidate call in it failed';
    } else if (v.attempts.length >= max || v.unableLog) {
      a.result = 'failed';
      a.decidedBy = v.unableLog ? '"unable to reap" line' : `attempt ${max} of ${max}`;
    } else {
      a.result = 'ok';
      a.decidedBy = s.caps.finishOnFailure ? 'no retry followed' : 'finish_task_reaping (this family emits it only on success)';
    }
  }
}

const endOf = (a: Attempt) => a.finish ?? a.reapRet ?? a.skip ?? a.start;

/** 4.14-4.18: a reaper that meets an mm with notifiers sleeps HZ and gives up with no tracepoint. */
const NOTIFIER_SKIP_NS = 1_000_000_000n;

function notifierGiveUp(s: ModelState, v: VictimState): boolean {
  const policy = s.caps.reaperNotifierPolicy;
  if ((policy !== 'SKIP_ANY' && policy !== 'SKIP_BLOCKABLE') || !v.wake || v.attempts.length > 0) return false;
  const at = v.wake.ts + NOTIFIER_SKIP_NS;
  if (v.release && v.release.ts <= at) return false;
  // The trace must reach past the give-up for the silence to mean anything.
  return s.lastTs !== undefined && s.lastTs >= at;
}

/**
 * One victim judged as the end of the trace would judge it (its last attempt, outcome,
 * MMF_OOM_SKIP, release). Victims are judged independently of each other, so a victim
 * whose outcome no later event can change may be judged alone (settle-victim.ts).
 */
export function finishVictim(s: ModelState, v: VictimState): VictimState {
  const max = s.caps.maxReapRetries;
  v.open = undefined;
  decideLast(v, s);
  if (!v.release && v.lastExit) v.release = { ts: v.lastExit.ts, how: 'task_exit', ev: v.lastExit };
  const ok = v.attempts.find((a) => a.result === 'ok');
  const failed = v.attempts.filter((a) => a.result === 'failed' || a.result === 'lock_busy');
  const last = v.attempts[v.attempts.length - 1];
  if (ok) {
    v.outcome = 'reaped';
    const at = endOf(ok)!;
    v.oomSkip ??= { ts: at.ts, cause: 'REAPED', ev: at };
  } else if (failed.length >= max || (v.unableLog && failed.length > 0)) {
    v.outcome = 'gave_up';
    const at = failed.length >= max ? endOf(failed[max - 1]!)! : v.unableLog!;
    v.oomSkip ??= { ts: at.ts, cause: 'REAP_GAVE_UP', ev: at };
  } else if (notifierGiveUp(s, v)) {
    v.outcome = 'gave_up';
    v.oomSkip ??= { ts: v.wake!.ts + NOTIFIER_SKIP_NS, cause: 'NOTIFIER_GIVE_UP', ev: v.wake! };
  } else if (v.unableLog) {
    v.outcome = 'gave_up';
    v.oomSkip ??= { ts: v.unableLog.ts, cause: 'REAP_GAVE_UP', ev: v.unableLog };
  } else if (last?.result === 'already_skipped') {
    v.outcome = 'not_run';
    v.oomSkip ??= { ts: last.skip!.ts, cause: 'ALREADY', ev: last.skip! };
  } else if (v.attempts.length === 0 && v.release) {
    v.outcome = 'not_run';
  } else if (v.reapedLog) {
    v.outcome = 'reaped';
    v.oomSkip ??= { ts: v.reapedLog.ts, cause: 'REAPED', ev: v.reapedLog };
  }
  if (!v.oomSkip && v.release) v.oomSkip = { ts: v.release.ts, cause: 'EXIT', ev: v.release.ev };
  return v;
}

export function finish(s: ModelState): ModelState {
  for (const v of s.victims) finishVictim(s, v);
  return s;
}
