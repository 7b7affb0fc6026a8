// Normalize phase: give a parsed event its typed fields. A known event whose text
// does not match its format keeps its raw text and is reported, never dropped.
import type { TraceEvent } from '../types/event.ts';
import type { ParseContext } from '../../parsers/importer.ts';
import { decodeEvent } from '../normalize/index.ts';

export function normalizeEvent(ev: TraceEvent, ctx: ParseContext): TraceEvent {
  const fields = decodeEvent(ev, { kprobe: (name) => ctx.names.kprobe(name) });
  if (fields === undefined) ctx.diag.add('field_decode_failed', ev.src, ev.name);
  else if (fields !== null) ev.fields = fields;
  return ev;
}
