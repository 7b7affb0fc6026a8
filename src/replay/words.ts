// The values the model keeps to the end of a trace for every invalidate call (mm pointers,
// ranges, addresses, callback symbols) repeat from call to call: each is kept once.
import type { ModelState } from './state.ts';

/** A value the state keeps, as its one copy (`ModelState.words`). */
export function kept(s: Pick<ModelState, 'words'>, v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  let w = s.words.get(v);
  // A copy, not the value itself: a substring of a line may keep the whole line alive (a
  // concatenation is flattened into a string of its own before it is cut).
  if (w === undefined) s.words.set(v, (w = (' ' + v).slice(1)));
  return w;
}
