// Small helpers shared by the field decoders: turning printed numbers into field values.
import type { Decoder } from './decoder.ts';
import type { Fields, TraceEvent } from '../types/event.ts';

/**
 * A decoder over the event text with surrounding blanks removed: trace-cmd pads the text
 * to a column and some formats end in `\n` (6.1 exit_mmap), neither is part of the fields.
 */
export function onText(decode: (text: string) => Fields | undefined): Decoder {
  return (ev: TraceEvent) => decode(ev.text.trim());
}

/** A small printed integer (pid, prio, flags): always fits a number. */
export function int(s: string): number {
  return Number(s);
}

/** A printed 64-bit decimal: a number while exact, else a bigint. */
export function wide(s: string): number | bigint {
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : BigInt(s);
}

/** Hex digits printed without `0x` (`%lx` clone flags): a number while exact, else a bigint. */
export function hexInt(s: string): number | bigint {
  const n = parseInt(s, 16);
  return Number.isSafeInteger(n) ? n : BigInt(`0x${s}`);
}

const HEX = /^(?:0x)?[0-9a-f]+$/i;
const DECIMAL = /^-?\d+$/;

export function isHex(s: string): boolean {
  return HEX.test(s);
}

export function isDecimal(s: string): boolean {
  return DECIMAL.test(s);
}

/** `"text"` → `text`; anything else as it is. */
export function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
}
