// Event names looked up by their bytes: a line costs a hash and a byte compare, never
// a string or a map lookup. A string is made once per distinct name, decoded as UTF-8
// with every control byte and every byte that is not UTF-8 shown as `\xNN`, so a
// crafted name can neither pass raw controls on nor pose as another name.
import type { EventNames, NameEntry } from './event-names.ts';

/** Events whose text may carry newlines: the unparsed lines after them are their continuation. */
const MULTILINE = new Set(['printk:console', 'ftrace:print', 'ftrace:bprint', 'ftrace:bputs']);

export interface NameSlot {
  bytes: Buffer;
  hash: number;
  /** The first and the last 4 bytes of the name, little-endian (0 for a name shorter than 4). */
  head: number;
  tail: number;
  entry: NameEntry;
  multiline: boolean;
  /** The name held control bytes or bytes that are not UTF-8 (shown escaped in `entry`). */
  suspect: boolean;
  next: NameSlot | undefined;
}

function sameBytes(a: Buffer, buf: Buffer, start: number, end: number): boolean {
  if (a.length !== end - start) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== buf[start + k]) return false;
  return true;
}

/** The 4 bytes at `i` as a little-endian int32. */
const word = (buf: Uint8Array, i: number): number => buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24);

/** Bytes 4 .. length-4 of a name whose first and last words already matched. */
function sameMiddle(a: Buffer, buf: Buffer, start: number): boolean {
  for (let k = 4; k < a.length - 4; k++) if (a[k] !== buf[start + k]) return false;
  return true;
}

/** Slots of the recently seen names, by their length and end words. */
const RECENT = 64;
/** 32 - log2(RECENT): the shift that leaves a hash's top bits as a slot. */
const RECENT_SHIFT = 26;

const hex = (c: number): string => `\\x${c.toString(16).padStart(2, '0')}`;

/** Length of the well-formed UTF-8 sequence at `i` (RFC 3629), or 0. */
function utf8Len(buf: Uint8Array, i: number, end: number): number {
  const c = buf[i]!;
  let n: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) n = 2;
  else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    if (c === 0xe0) lo = 0xa0;
    if (c === 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    if (c === 0xf0) lo = 0x90;
    if (c === 0xf4) hi = 0x8f;
  } else return 0;
  if (i + n > end) return 0;
  const c1 = buf[i + 1]!;
  if (c1 < lo || c1 > hi) return 0;
  for (let k = 2; k < n; k++) {
    const ck = buf[i + k]!;
    if (ck < 0x80 || ck > 0xbf) return 0;
  }
  return n;
}

/** `name` of bytes [start, end): UTF-8, with controls and invalid bytes as `\xNN`. */
export function decodeName(buf: Buffer, start: number, end: number): { text: string; suspect: boolean } {
  let plain = true;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c < 0x20 || c >= 0x7f) {
      plain = false;
      break;
    }
  }
  if (plain) return { text: buf.toString('latin1', start, end), suspect: false };
  let text = '';
  let suspect = false;
  let i = start;
  while (i < end) {
    const c = buf[i]!;
    if (c >= 0x20 && c < 0x7f) {
      text += String.fromCharCode(c);
      i++;
    } else if (c >= 0x80 && utf8Len(buf, i, end) > 0) {
      const n = utf8Len(buf, i, end);
      text += buf.toString('utf8', i, i + n);
      i += n;
    } else {
      text += hex(c);
      suspect = true;
      i++;
    }
  }
  return { text, suspect };
}

export class NameCache {
  private table: (NameSlot | undefined)[] = new Array(64);
  private size = 0;
  /**
   * The few names a trace is made of, found by two words, not a hash of every byte;
   * a miss (a name not seen lately, or one sharing the slot) goes through the table.
   */
  private readonly recent: (NameSlot | undefined)[] = new Array(RECENT).fill(undefined);

  /**
   * `printed`: 'full' when lines print `system:name` (perf script), 'short' when they
   * print the name alone (tracefs text, trace-cmd report).
   */
  constructor(
    private readonly names: EventNames,
    private readonly printed: 'full' | 'short',
  ) {}

  /** The slot of the name in bytes [start, end) of a line. */
  lookup(buf: Buffer, start: number, end: number): NameSlot {
    const len = end - start;
    if (len < 4) return this.find(buf, start, end);
    const head = word(buf, start);
    const tail = word(buf, end - 4);
    // The top bits of a multiplicative hash, as an int: `>>> 0` then `%` made it a double modulo.
    const r = Math.imul(head ^ tail ^ len, 0x9e3779b1) >>> RECENT_SHIFT;
    const s = this.recent[r];
    if (s !== undefined && s.head === head && s.tail === tail && s.bytes.length === len && (len <= 8 || sameMiddle(s.bytes, buf, start))) return s;
    return (this.recent[r] = this.find(buf, start, end));
  }

  private find(buf: Buffer, start: number, end: number): NameSlot {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    h >>>= 0;
    for (let s = this.table[h & (this.table.length - 1)]; s; s = s.next) {
      if (s.hash === h && sameBytes(s.bytes, buf, start, end)) return s;
    }
    return this.add(buf, start, end, h);
  }

  private add(buf: Buffer, start: number, end: number, hash: number): NameSlot {
    const { text, suspect } = decodeName(buf, start, end);
    const entry = this.printed === 'full' ? this.names.byFull(text) : this.names.byShort(text);
    const slot: NameSlot = {
      bytes: Buffer.from(buf.subarray(start, end)),
      hash,
      head: end - start >= 4 ? word(buf, start) : 0,
      tail: end - start >= 4 ? word(buf, end - 4) : 0,
      entry,
      multiline: MULTILINE.has(entry.full),
      suspect,
      next: undefined,
    };
    // Names are few in real traces; grow anyway so hostile input cannot make chains long.
    if (++this.size > this.table.length) this.grow();
    const i = hash & (this.table.length - 1);
    slot.next = this.table[i];
    this.table[i] = slot;
    return slot;
  }

  private grow(): void {
    const old = this.table;
    this.table = new Array(old.length * 2);
    for (let s of old) {
      while (s) {
        const next = s.next;
        const i = s.hash & (this.table.length - 1);
        s.next = this.table[i];
        this.table[i] = s;
        s = next;
      }
    }
  }
}
