// The mm pointers kprobes print, bound to victims: each pointer's victims found without a
// pass over every victim (a trace of thousands of OOM kills makes such passes quadratic).
// A pointer names another mm once its mm is freed, so a pointer can have several victims.
import type { ModelState, VictimState } from './state.ts';

/** Bind the mm pointer a probe prints to the victim in its attempt (the first one seen for it). */
export function bindPtr(s: ModelState, v: VictimState, ptr: string | undefined): void {
  if (v.mm.mmPtr !== undefined || ptr === undefined) return;
  v.mm.mmPtr = ptr;
  const l = s.victimsByPtr.get(ptr);
  if (l) l.push(v);
  else s.victimsByPtr.set(ptr, [v]);
}

/** The victims bound to `ptr`, in selection order. */
export function victimsOfPtr(s: { victimsByPtr: ReadonlyMap<string, readonly VictimState[]> }, ptr: string | undefined): VictimState[] {
  const l = ptr === undefined ? undefined : s.victimsByPtr.get(ptr);
  return l ? [...l].sort((a, b) => a.index - b.index) : [];
}
