// Event names looked up by their bytes: a filtered-out event costs a hash and a byte
// compare, never a string. A string is made once per distinct name.
import type { EventNames, NameEntry } from '../common/event-names.ts';

/** Events whose text may carry newlines: the unparsed lines after them are their continuation. */
const MULTILINE = new Set(['printk:console', 'ftrace:print', 'ftrace:bprint', 'ftrace:bputs']);

export interface NameSlot {
  bytes: Buffer;
  hash: number;
  entry: NameEntry;
  multiline: boolean;
  next: NameSlot | undefined;
}

function sameBytes(a: Buffer, buf: Buffer, start: number, end: number): boolean {
  if (a.length !== end - start) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== buf[start + k]) return false;
  return true;
}

export class NameCache {
  private table: (NameSlot | undefined)[] = new Array(64);
  private size = 0;
  /** Consecutive lines often carry the same event: try it before hashing. */
  private last: NameSlot | undefined;

  constructor(private readonly names: EventNames) {}

  // `oom:mark_victim` as bytes [start, end) of a line
  lookup(buf: Buffer, start: number, end: number): NameSlot {
    const last = this.last;
    if (last && sameBytes(last.bytes, buf, start, end)) return last;
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    h >>>= 0;
    for (let s = this.table[h & (this.table.length - 1)]; s; s = s.next) {
      if (s.hash === h && sameBytes(s.bytes, buf, start, end)) return (this.last = s);
    }
    return (this.last = this.add(buf, start, end, h));
  }

  private add(buf: Buffer, start: number, end: number, hash: number): NameSlot {
    const entry = this.names.byFull(buf.toString('utf8', start, end));
    const slot: NameSlot = {
      bytes: Buffer.from(buf.subarray(start, end)),
      hash,
      entry,
      multiline: MULTILINE.has(entry.full),
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
