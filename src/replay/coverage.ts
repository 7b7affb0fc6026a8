// How complete the trace is where a verdict looks: data-loss markers in a time
// window lower every verdict they touch to inconclusive (docs/model.md#rules).
import type { DataLoss } from '../types/event.ts';
import type { Finding } from '../findings/finding.ts';
import { formatSourceRef } from '../types/source-ref.ts';
import type { EventTally } from '../types/coverage.ts';

export interface Coverage {
  losses: DataLoss[];
  /** Earliest event per CPU: before the latest of these, an overrun may have eaten events. */
  firstTsByCpu: Map<number, bigint>;
  firstTs?: bigint;
  lastTs?: bigint;
  /** `system:name` of every event type the inputs hold. */
  present: Set<string>;
  /** Per selected event name: delivered to the model, and how many did not decode. */
  delivered: ReadonlyMap<string, EventTally>;
}

export function lossesIn(c: Coverage, from: bigint, to: bigint): DataLoss[] {
  const latestFirst = [...c.firstTsByCpu.values()].reduce<bigint | undefined>((m, t) => (m === undefined || t > m ? t : m), undefined);
  return c.losses.filter((l) => {
    if (l.kind === 'overrun') return latestFirst === undefined || from <= latestFirst;
    // "CPU n buffer started": that CPU's events before the marker were overwritten, from
    // the start of the trace: every window that begins before the marker's time is touched.
    if (l.kind === 'buffer_started') return l.ts === undefined || from <= l.ts;
    // A CPU's events that stop (a damaged binary trace): every window that ends after them is touched.
    if (l.tail) return l.ts === undefined || to >= l.ts;
    // A loss with no later event on its CPU: it may lie anywhere after its line.
    if (l.ts === undefined) return true;
    return l.ts >= from && l.ts <= to;
  });
}

/** Lower `f` to inconclusive when events were lost in [from, to]. */
export function applyLosses(f: Finding, c: Coverage, from: bigint, to: bigint): Finding {
  const lost = lossesIn(c, from, to);
  if (lost.length === 0) return f;
  const l = lost[0]!;
  const where = `${l.kind}${l.cpu >= 0 ? ` on CPU ${l.cpu}` : ''} at ${formatSourceRef(l.src)}`;
  return {
    ...f,
    level: 'inconclusive',
    why: `${lost.length} data-loss marker(s) in the window (${where})${f.why ? `; ${f.why}` : ''}`,
    evidence: [...f.evidence, ...lost.slice(0, 3).map((x) => ({ src: x.src, ts: x.ts, what: `data loss: ${x.kind}` }))],
  };
}

/**
 * Losses that cut a CPU's head while other CPUs' events go back further: what ran on
 * that CPU in between (a selection, a kill, a reaper step) may be missing altogether,
 * so no verdict can stand for it, and "no finding" is not a finding.
 */
export function lostHeads(c: Coverage): DataLoss[] {
  if (c.firstTs === undefined) return [];
  return c.losses.filter((l) => l.kind === 'buffer_started' && l.ts !== undefined && l.ts > c.firstTs!);
}

/**
 * Losses that end a CPU's events while other CPUs' go on (a binary trace cut or corrupt in
 * that CPU's pages): what ran on that CPU after them may be missing altogether.
 */
export function lostTails(c: Coverage): DataLoss[] {
  if (c.lastTs === undefined) return [];
  return c.losses.filter((l) => l.tail && (l.ts === undefined || l.ts < c.lastTs!));
}
