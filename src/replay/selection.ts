// Which victims a selection counts as selected before it: every victim chosen earlier
// but those of the same OOM invocation (a group kill marks several at once). Read by
// the premature rule and by the victim facts, each selection judged without a list of
// its own (a trace of thousands of victims would hold a quadratic number of entries).
import type { Selection, VictimState } from './state.ts';

/** mark_victim events of one OOM invocation (group kill) come from one task within this long. */
export const SAME_SELECTION_NS = 10_000_000n;

/** Victim `o` counts as selected before `sel`. */
export function isEarlier(sel: Selection, o: VictimState): boolean {
  return o.index < sel.victim.index && !(o.selector === sel.victim.selector && sel.ts - o.mark.ts < SAME_SELECTION_NS);
}
