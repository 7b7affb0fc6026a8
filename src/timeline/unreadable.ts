// A line that did not parse may have been any event, a mark_victim as well as noise:
// it is data loss at its place in the input. Its time is that of the next event of the
// same input (as for a ring-buffer loss marker), so the verdicts whose window holds it
// drop to inconclusive, and "no finding" near it is not taken for a finding.
import type { DataLoss, SourceRef, TraceEvent } from '../types/event.ts';
import { UNREADABLE_CODES, type Diagnostic } from '../../parsers/common/diagnostics.ts';
import type { LoadedCapture } from './load.ts';

/** The first event after `src` in its input (by line), or undefined at the end. */
function nextEvent(byFile: Map<string, TraceEvent[]>, src: SourceRef): TraceEvent | undefined {
  const list = byFile.get(src.file);
  if (!list) return undefined;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.src.line <= src.line) lo = mid + 1;
    else hi = mid;
  }
  return list[lo];
}

/** Data-loss entries for the unreadable lines of `c` (the kept ones by place; the rest counted on the last). */
export function unreadableLosses(c: LoadedCapture, after?: (d: Diagnostic) => Pick<TraceEvent, 'ts' | 'cpu'> | undefined): DataLoss[] {
  const kept = c.ctx.diag.kept.filter((d) => UNREADABLE_CODES.includes(d.code) && d.src);
  if (kept.length === 0) return [];
  const byFile = new Map<string, TraceEvent[]>();
  for (const ev of after ? [] : c.events) {
    let l = byFile.get(ev.src.file);
    if (!l) byFile.set(ev.src.file, (l = []));
    l.push(ev);
  }
  for (const l of byFile.values()) l.sort((a, b) => a.src.line - b.src.line);
  const out = kept.map((d): DataLoss => {
    // A streamed timeline is not kept: its reader noted the event after each such line.
    const next = after ? after(d) : nextEvent(byFile, d.src!);
    return { kind: 'unreadable_line', cpu: next?.cpu ?? -1, src: d.src!, count: 1, ...(next ? { ts: next.ts } : {}) };
  });
  const all = UNREADABLE_CODES.reduce((n, code) => n + c.ctx.diag.count(code), 0);
  // Lines past the diagnostics kept by place: counted, with no place (they may lie anywhere).
  if (all > kept.length) out.push({ kind: 'unreadable_line', cpu: -1, src: kept[kept.length - 1]!.src!, count: all - kept.length });
  return out;
}
