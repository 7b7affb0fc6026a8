// One time-ordered stream from several, each already (almost always) in time order:
// a k-way merge keeps the inputs' own order at equal times, earlier streams first.
// A stream that is not in order (a recorder that interleaves CPUs loosely) is sorted
// first, stably, so the result is the same as a stable sort of all events.
import type { TraceEvent } from '../types/event.ts';

function inOrder(l: readonly TraceEvent[]): boolean {
  for (let i = 1; i < l.length; i++) if (l[i]!.ts < l[i - 1]!.ts) return false;
  return true;
}

const byTs = (a: TraceEvent, b: TraceEvent): number => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0);

/** Yield the events of `streams` in time order (k-way merge; ties go to the earlier stream). */
export function* mergeStreams(streams: readonly (readonly TraceEvent[])[]): Generator<TraceEvent> {
  const lists = streams.filter((l) => l.length > 0).map((l) => (inOrder(l) ? l : [...l].sort(byTs)));
  const pos = lists.map(() => 0);
  if (lists.length === 1) {
    yield* lists[0]!;
    return;
  }
  for (;;) {
    let best = -1;
    let bestTs = 0n;
    for (let k = 0; k < lists.length; k++) {
      const e = lists[k]![pos[k]!];
      if (e !== undefined && (best < 0 || e.ts < bestTs)) {
        best = k;
        bestTs = e.ts;
      }
    }
    if (best < 0) return;
    yield lists[best]![pos[best]!++]!;
  }
}

export function mergeByTime(streams: readonly (readonly TraceEvent[])[]): TraceEvent[] {
  const nonEmpty = streams.filter((l) => l.length > 0);
  if (nonEmpty.length === 1 && inOrder(nonEmpty[0]!)) return nonEmpty[0] as TraceEvent[];
  const out: TraceEvent[] = [];
  for (const e of mergeStreams(streams)) out.push(e);
  return out;
}
