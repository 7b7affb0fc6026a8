// The mm pointers kprobes print, bound to victims: each pointer's victims found without a
// pass over every victim (a trace of thousands of OOM kills makes such passes quadratic).
// A pointer names another mm once its mm is freed, so a pointer can have several victims.
import type { ModelState, VictimState } from './state.ts';

/** Bind the mm pointer a probe prints to the victim in its attempt (the first one seen for it). */
export function bindPtr(s: ModelState, v: VictimState, ptr: string | undefined): void {
  if (v.mm.mmPtr !== undefined || ptr === undefined) return;
  v.mm.mmPtr = ptr;
  const l = s.victimsByPtr.get(ptr);
  if (!l) {
    s.victimsByPtr.set(ptr, [v]);
    return;
  }
  // Kept in selection order: bound in that order but for attempts that interleave.
  let i = l.length;
  while (i > 0 && l[i - 1]!.index > v.index) i--;
  l.splice(i, 0, v);
}

const NONE: readonly VictimState[] = [];

/** The victims bound to `ptr`, in selection order. */
export function victimsOfPtr(s: { victimsByPtr: ReadonlyMap<string, readonly VictimState[]> }, ptr: string | undefined): readonly VictimState[] {
  return (ptr === undefined ? undefined : s.victimsByPtr.get(ptr)) ?? NONE;
}
