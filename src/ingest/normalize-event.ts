// Normalize phase: give a parsed event its typed fields. A known event whose text
// does not match its format keeps its raw text and is reported, never dropped.
import type { StreamMeta, TraceEvent } from '../types/event.ts';
import type { ParseContext } from '../../parsers/importer.ts';
import { decodeEvent } from '../normalize/index.ts';

/** Decode `ev` in place; a kernel release printed in the log (dump header, banner) is noted in `meta`. */
export function normalizeEvent(ev: TraceEvent, ctx: ParseContext, meta?: StreamMeta): TraceEvent {
  const fields = decodeEvent(ev, { kprobe: (name) => ctx.names.kprobe(name) });
  if (fields === undefined) ctx.diag.add('field_decode_failed', ev.src, ev.name);
  else if (fields !== null) {
    ev.fields = fields;
    if (meta && fields.kind === 'kernel_version' && typeof fields.release === 'string') meta.kernelRelease ??= fields.release;
  }
  return ev;
}
