// Field decoders turn an event's printed text into typed fields. One decoder per
// event (keyed by `system:name`); kprobe events are decoded generically from their
// definition. Events without a decoder keep their raw text and can be decoded later
// with the generic key=value reader.
import type { Fields, TraceEvent } from '../types/event.ts';
import type { KprobeDef } from '../types/kprobe.ts';

export interface DecodeContext {
  /** The kprobe definition for an event name (`group:event` or bare `event`), if one was given. */
  kprobe(name: string): KprobeDef | undefined;
}

/** Returns the fields, or undefined when the text does not match the event's known formats. */
export type Decoder = (ev: TraceEvent, ctx: DecodeContext) => Fields | undefined;

/** `0x` then lower-case hex digits without leading zeros (or `0x0`): what normHex gives back unchanged. */
function isNormalHex(s: string): boolean {
  const n = s.length;
  if (n < 3 || s.charCodeAt(0) !== 48 || s.charCodeAt(1) !== 120) return false;
  if (s.charCodeAt(2) === 48) return n === 3;
  for (let i = 2; i < n; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** Normalized hex address: lowercase, `0x` prefix, no leading zeros (`0x0` for zero). */
export function normHex(s: string): string {
  if (isNormalHex(s)) return s;
  const h = s.startsWith('0x') || s.startsWith('0X') ? s.slice(2) : s;
  const t = h.replace(/^0+/, '').toLowerCase();
  return `0x${t || '0'}`;
}
