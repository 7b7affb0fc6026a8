// A victim's address space is followed until its memory went and the mm_id reuse window
// after that passed (src/timeline/mm-tracker.ts): what comes later on its mm_id, pid or
// tasks belongs to another address space, and nothing reads it for a released victim
// (the facts read its samples inside the window; its held samples stop there). Retiring it bounds what a long trace keeps per
// victim, and stops a reused mm_id from feeding an old victim's samples.
import { MM_ID_REUSE_WINDOW_NS } from '../../timeline/mm-tracker.ts';
import type { ModelState } from '../state.ts';

/** Retire the address spaces of victims released more than the reuse window before `now`. */
export function retireReleased(s: ModelState, now: bigint): void {
  if (s.retireCheckAt !== undefined && now < s.retireCheckAt) return;
  // Late is safe (a retire only drops what is outside the window), so at most one scan per window.
  let next = now + MM_ID_REUSE_WINDOW_NS;
  // Only victims not retired yet: a trace of thousands of kills would scan them all each window.
  s.unretired = s.unretired.filter((v) => !v.mm.retired);
  for (const v of s.unretired) {
    if (!v.release) continue;
    const due = v.release.ts + MM_ID_REUSE_WINDOW_NS;
    if (now > due) {
      s.mms.retire(v.mm, v.release.ts);
      // Unread once released (see above): the samples the facts print are the timeline's.
      // The held samples stay: they end with the retire, and detectors (custom ones too) read them.
      v.heldAfter.detach();
      v.heldAfter.trim();
      v.anonSamples = undefined;
    } else if (due + 1n < next) next = due + 1n;
  }
  s.retireCheckAt = next;
}
