// Field decoding entry point: one decoder per known tracepoint, keyed by `system:name`;
// kprobe events are decoded generically (from their definition when one was given);
// anything else stays raw (null) and can be read later with decodeGeneric.
import type { Fields, TraceEvent } from '../types/event.ts';
import type { KprobeDef } from '../types/kprobe.ts';
import type { DecodeContext, Decoder } from './decoder.ts';
import { KMEM_DECODERS, KMEM_RECORD_DECODERS } from './kmem.ts';
import { decodeKprobe, looksLikeKprobe } from './kprobe.ts';
import { KVM_DECODERS } from './kvm.ts';
import { MMAP_DECODERS, MMAP_RECORD_DECODERS } from './mmap.ts';
import { OOM_DECODERS, OOM_RECORD_DECODERS } from './oom.ts';
import type { RecordDecoder } from './record.ts';
import { decodePrintk } from '../../parsers/common/printk-line.ts';
import { SCHED_DECODERS, SCHED_RECORD_DECODERS } from './sched.ts';
import { SIGNAL_DECODERS, SIGNAL_RECORD_DECODERS } from './signal.ts';
import { TASK_DECODERS } from './task.ts';

export type { DecodeContext, Decoder } from './decoder.ts';
export { normHex } from './decoder.ts';
export { decodeGeneric } from './generic.ts';
export { decodeKprobe } from './kprobe.ts';

export const DECODERS: Record<string, Decoder> = {
  ...OOM_DECODERS,
  ...KVM_DECODERS,
  ...KMEM_DECODERS,
  ...MMAP_DECODERS,
  ...SCHED_DECODERS,
  ...TASK_DECODERS,
  ...SIGNAL_DECODERS,
  // The console text keeps its leading blanks: they are part of the message.
  'printk:console': (ev) => decodePrintk(ev.text),
};

/**
 * Binary records of these events are decoded from their bytes (src/normalize/record.ts), with
 * the same fields their text decoder above gives; a record any of these declines goes to text.
 */
export const RECORD_DECODERS: Record<string, RecordDecoder> = {
  ...OOM_RECORD_DECODERS,
  ...KMEM_RECORD_DECODERS,
  ...MMAP_RECORD_DECODERS,
  ...SCHED_RECORD_DECODERS,
  ...SIGNAL_RECORD_DECODERS,
};

/** The definition behind an event: by `group:event`, or by bare name when the system is unknown. */
function kprobeDef(name: string, ctx: DecodeContext): KprobeDef | undefined {
  return ctx.kprobe(name) ?? (name.startsWith('?:') ? ctx.kprobe(name.slice(2)) : undefined);
}

/**
 * Fields of `ev`: null when nothing decodes this event (kept raw), undefined when its text
 * does not match its known format (the caller records `field_decode_failed`).
 */
export function decodeEvent(ev: TraceEvent, ctx: DecodeContext): Fields | undefined | null {
  const def = kprobeDef(ev.name, ctx);
  if (def) return decodeKprobe(ev.text.trim(), def);
  const rec = ev.record;
  if (rec && Object.hasOwn(RECORD_DECODERS, ev.name)) {
    const f = RECORD_DECODERS[ev.name]!(rec);
    if (f) return f;
  }
  if (Object.hasOwn(DECODERS, ev.name)) return DECODERS[ev.name]!(ev, ctx);
  const text = ev.text.trim();
  if (looksLikeKprobe(text)) return decodeKprobe(text);
  return null;
}
