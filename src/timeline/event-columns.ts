// Events kept while something may still cite them (a followed address space's samples,
// an open victim's anon samples), packed into the rows of a few ArrayBuffers. A
// kmem:rss_stat sample, the bulk of what a long trace keeps, is 60 bytes of numbers and
// a few one-byte indexes into its chunk's strings, where the event object costs ~650
// bytes and a binary one pins the slab of payload it was read from.
// The event is built again, equal field for field, only when asked for. A row holds an
// event only when that rebuilds it exactly (its text is the print fmt of its fields);
// any other event is kept whole in its row's chunk.
import type { Fields, SourceRef, TraceEvent } from '../types/event.ts';
import { MM_COUNTERS, RSS_PRINTF_BY_MEMBER, RSS_PRINTF_BY_TYPE } from '../normalize/kmem.ts';

const RSS = 'kmem:rss_stat';

const STRIDE = 60;
const MAX_ROWS = 512;
const FIRST_ROWS = 4;
const NONE = 0xffffffff;
// Row layout (little-endian).
const TS = 0; // BigInt64
const OFFSET = 8; // Float64
const SIZE = 16; // Float64
const LINE = 24; // Uint32
const PID = 28; // Int32; a whole row: the index of its event in the chunk
const MM_ID = 32; // Uint32
const TGID = 36; // Int32, -2 absent
const RECORD = 40; // Uint32, NONE absent
const PAGE = 44; // Uint32, NONE absent
const CPU = 48; // Int16
const SRC_CPU = 50; // Int16, -2 absent
const KIND = 52; // 0 whole, 1 rss by type, 2 rss by member
const MEMBER = 53; // Int8 (by member) or the type's string (by type)
const COMM = 54;
const FLAGS = 55; // string index + 1, 0 absent
const FILE = 56;
const INSTANCE = 57; // string index + 1, 0 absent
const CURR = 58;

/** What `scan` reads of a row. */
export interface RowCursor {
  i: number;
  ts: bigint;
  name: string;
  size: number;
  type: string | undefined;
}

const WHOLE = 0;
const BY_TYPE_ROW = 1;
const BY_MEMBER_ROW = 2;

/** String slots a row refers to, each with the chunk's last hit (consecutive rows repeat them). */
const S_COMM = 0;
const S_FILE = 1;
const S_FLAGS = 2;
const S_TYPE = 3;
const S_INSTANCE = 4;

class Chunk {
  rows = 0;
  view: DataView;
  /** Strings of its rows (comm, flags, file, type, instance), at most 255. */
  strs: string[] = [];
  private index = new Map<string, number>();
  private lastStr: (string | undefined)[] = [undefined, undefined, undefined, undefined, undefined];
  private lastIdx = [0, 0, 0, 0, 0];
  whole: TraceEvent[] = [];

  constructor(capacity: number) {
    this.view = new DataView(new ArrayBuffer(capacity * STRIDE));
  }

  get capacity(): number {
    return this.view.byteLength / STRIDE;
  }

  grow(): void {
    const next = new Uint8Array(Math.min(MAX_ROWS, this.capacity * 2) * STRIDE);
    next.set(new Uint8Array(this.view.buffer, 0, this.rows * STRIDE));
    this.view = new DataView(next.buffer);
  }

  /** The string's index, or -1 when the chunk holds 255 already. */
  intern(s: string, slot: number): number {
    if (this.lastStr[slot] === s) return this.lastIdx[slot]!;
    let i = this.index.get(s);
    if (i === undefined) {
      if (this.strs.length >= 255) return -1;
      i = this.strs.length;
      this.strs.push(s);
      this.index.set(s, i);
    }
    this.lastStr[slot] = s;
    this.lastIdx[slot] = i;
    return i;
  }
}

/** The text kmem:rss_stat prints for these fields. */
function rssText(f: Fields, curr: number): string {
  const counter = f.member !== undefined ? `member=${String(f.member)}` : `type=${String(f.type)}`;
  return `mm_id=${String(f.mm_id)} curr=${curr} ${counter} size=${String(f.size)}B`;
}

/** Where `n` as String(n) prints it ends in `t` from `at`, or -1 when `t` differs (the next literal checks that the number ends there). */
function intAt(t: string, at: number, n: number): number {
  if (at < 0) return -1;
  const s = String(n);
  return t.startsWith(s, at) ? at + s.length : -1;
}

/** `t` from `at` starts with `lit`: where it ends, or -1. */
const litAt = (t: string, at: number, lit: string): number => (at >= 0 && t.startsWith(lit, at) ? at + lit.length : -1);

/** Whether `t` is exactly rssText(f, curr), read in place (no string built: this runs for every kept sample). */
function isRssText(t: string, f: Fields, curr: number): boolean {
  let i = intAt(t, litAt(t, 0, 'mm_id='), f.mm_id as number);
  i = litAt(t, i, curr ? ' curr=1 ' : ' curr=0 ');
  i = f.member !== undefined ? intAt(t, litAt(t, i, 'member='), f.member as number) : litAt(t, litAt(t, i, 'type='), f.type as string);
  i = intAt(t, litAt(t, i, ' size='), f.size as number);
  return i >= 0 && i + 1 === t.length && t.charCodeAt(i) === 66;
}

const u32 = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < NONE;
const i16 = (x: number): boolean => Number.isInteger(x) && x >= -1 && x < 0x8000;

/** The row kind an rss_stat sample can be held as, or WHOLE. */
function rssKind(ev: TraceEvent): number {
  const f = ev.fields;
  if (ev.name !== RSS || !f || ev.stack !== undefined || !u32(f.mm_id) || typeof f.curr !== 'boolean' || !Number.isSafeInteger(f.size)) return WHOLE;
  const member = f.member;
  if (member !== undefined && (typeof member !== 'number' || !Number.isInteger(member) || member < -128 || member > 127)) return WHOLE;
  if (member === undefined && typeof f.type !== 'string') return WHOLE;
  const curr = f.curr ? 1 : 0;
  const rec = ev.record;
  // A binary record's text is its print fmt over the same arguments: equal when curr was 0 or 1.
  const exact = rec !== undefined ? (rec.printf === RSS_PRINTF_BY_TYPE || rec.printf === RSS_PRINTF_BY_MEMBER) && rec.arg(1) === curr : isRssText(ev.text, f, curr);
  if (!exact) return WHOLE;
  return member !== undefined ? BY_MEMBER_ROW : BY_TYPE_ROW;
}

/** The same event is often kept in several lists (an address space's, a victim's samples): judged once. */
let lastJudged: TraceEvent | undefined;
let lastKind = WHOLE;
const kindOf = (ev: TraceEvent): number => {
  if (ev !== lastJudged) {
    lastKind = rssKind(ev);
    lastJudged = ev;
  }
  return lastKind;
};

/** A list of time-ordered events, most of them packed (see above). */
export class EventColumns implements Iterable<TraceEvent> {
  private chunks: Chunk[] = [];
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(ev: TraceEvent): void {
    let c = this.chunks[this.chunks.length - 1];
    // A list starts small (most stay small); once it fills a chunk, the next are full-size.
    if (!c || c.rows === MAX_ROWS) this.chunks.push((c = new Chunk(c ? MAX_ROWS : FIRST_ROWS)));
    else if (c.rows === c.capacity) c.grow();
    const v = c.view;
    const o = c.rows * STRIDE;
    // A time past 64 bits (a raw counter) is stored wrapped; its event is kept whole and read from there.
    const ts64 = BigInt.asIntN(64, ev.ts);
    v.setBigInt64(o + TS, ts64, true);
    if (ts64 !== ev.ts || !this.pack(c, o, ev)) {
      v.setUint8(o + KIND, WHOLE);
      v.setInt32(o + PID, c.whole.length, true);
      c.whole.push(ev);
    }
    c.rows++;
    this.count++;
  }

  /** Write the packed row of `ev` at `o`; false when it must be kept whole. */
  private pack(c: Chunk, o: number, ev: TraceEvent): boolean {
    const kind = kindOf(ev);
    const s = ev.src;
    if (kind === WHOLE || !i16(ev.cpu) || !Number.isInteger(ev.pid) || (ev.tgid !== undefined && !Number.isInteger(ev.tgid))) return false;
    if (!u32(s.line) || !Number.isInteger(s.offset) || (s.cpu !== undefined && !i16(s.cpu)) || (s.record !== undefined && !u32(s.record)) || (s.page !== undefined && !u32(s.page))) return false;
    const f = ev.fields!;
    const comm = c.intern(ev.comm, S_COMM);
    const file = c.intern(s.file, S_FILE);
    const flags = ev.flags === undefined ? -1 : c.intern(ev.flags, S_FLAGS);
    const inst = s.instance === undefined ? -1 : c.intern(s.instance, S_INSTANCE);
    const type = kind === BY_TYPE_ROW ? c.intern(f.type as string, S_TYPE) : 0;
    if (comm < 0 || file < 0 || type < 0 || (ev.flags !== undefined && flags < 0) || (s.instance !== undefined && inst < 0)) return false;
    const v = c.view;
    v.setUint8(o + KIND, kind);
    v.setFloat64(o + OFFSET, s.offset, true);
    v.setFloat64(o + SIZE, f.size as number, true);
    v.setUint32(o + LINE, s.line, true);
    v.setInt32(o + PID, ev.pid, true);
    v.setUint32(o + MM_ID, f.mm_id as number, true);
    v.setInt32(o + TGID, ev.tgid ?? -2, true);
    v.setUint32(o + RECORD, s.record ?? NONE, true);
    v.setUint32(o + PAGE, s.page ?? NONE, true);
    v.setInt16(o + CPU, ev.cpu, true);
    v.setInt16(o + SRC_CPU, s.cpu ?? -2, true);
    if (kind === BY_MEMBER_ROW) v.setInt8(o + MEMBER, f.member as number);
    else v.setUint8(o + MEMBER, type);
    v.setUint8(o + COMM, comm);
    v.setUint8(o + FLAGS, flags + 1);
    v.setUint8(o + FILE, file);
    v.setUint8(o + INSTANCE, inst + 1);
    v.setUint8(o + CURR, f.curr ? 1 : 0);
    return true;
  }

  /** Every chunk but the last holds MAX_ROWS rows (a list opens a chunk only when the last is full), so a row is found by division. */
  private locate(i: number): [Chunk, number] {
    if (i < 0 || i >= this.count) throw new RangeError(`no event ${i} of ${this.count}`);
    const k = Math.floor(i / MAX_ROWS);
    return [this.chunks[k]!, (i - k * MAX_ROWS) * STRIDE];
  }

  /** Event `i`'s time and memory size (NaN without a numeric `size`), read without building it. */
  sample(i: number): [bigint, number] {
    const [c, o] = this.locate(i);
    const v = c.view;
    if (v.getUint8(o + KIND) !== WHOLE) return [v.getBigInt64(o + TS, true), v.getFloat64(o + SIZE, true)];
    const ev = c.whole[v.getInt32(o + PID, true)]!;
    return [ev.ts, typeof ev.fields?.size === 'number' ? ev.fields.size : NaN];
  }

  /** Event `i`, built again from its row (a new object each call) or the one kept whole. */
  at(i: number): TraceEvent {
    const [c, o] = this.locate(i);
    return eventAt(c, o);
  }

  *[Symbol.iterator](): Iterator<TraceEvent> {
    for (const c of this.chunks) for (let r = 0; r < c.rows; r++) yield eventAt(c, r * STRIDE);
  }

  /**
   * Each event's index, time, name and rss fields (`size`, NaN without a number; `type`),
   * read without building it. One cursor is yielded again and again: copy what you keep.
   */
  *scan(): Generator<Readonly<RowCursor>> {
    const cur: RowCursor = { i: 0, ts: 0n, name: RSS, size: NaN, type: undefined };
    for (const c of this.chunks) {
      const v = c.view;
      for (let r = 0; r < c.rows; r++, cur.i++) {
        const o = r * STRIDE;
        const kind = v.getUint8(o + KIND);
        if (kind === WHOLE) {
          const ev = c.whole[v.getInt32(o + PID, true)]!;
          cur.ts = ev.ts;
          cur.name = ev.name;
          cur.size = typeof ev.fields?.size === 'number' ? ev.fields.size : NaN;
          cur.type = typeof ev.fields?.type === 'string' ? ev.fields.type : undefined;
        } else {
          cur.ts = v.getBigInt64(o + TS, true);
          cur.name = RSS;
          cur.size = v.getFloat64(o + SIZE, true);
          cur.type = kind === BY_TYPE_ROW ? c.strs[v.getUint8(o + MEMBER)] : MM_COUNTERS[v.getInt8(o + MEMBER)];
        }
        yield cur;
      }
    }
  }

  /** Keep the first `n` events only. */
  truncate(n: number): void {
    if (n >= this.count) return;
    let keep = n;
    let k = 0;
    while (keep > 0) {
      const c = this.chunks[k++]!;
      if (keep < c.rows) {
        // A chunk's whole events are in the order of its rows: those of the rows kept come first.
        let whole = 0;
        for (let r = 0; r < keep; r++) if (c.view.getUint8(r * STRIDE + KIND) === WHOLE) whole++;
        c.whole.length = whole;
        c.rows = keep;
        break;
      }
      keep -= c.rows;
    }
    this.chunks.length = k;
    this.count = n;
  }

  /** Give back the room the last chunk grew for but did not fill (a list that takes no more rows). */
  trim(): void {
    const c = this.chunks[this.chunks.length - 1];
    if (!c || c.rows === c.capacity) return;
    c.view = new DataView(new Uint8Array(c.view.buffer, 0, c.rows * STRIDE).slice().buffer);
  }

  /** Bytes of the rows' buffers (the events kept whole and the chunks' strings aside). */
  packedBytes(): number {
    let b = 0;
    for (const c of this.chunks) b += c.view.byteLength;
    return b;
  }

  /** How many of its events are held packed. */
  packedCount(): number {
    let n = 0;
    for (const c of this.chunks) for (let r = 0; r < c.rows; r++) if (c.view.getUint8(r * STRIDE + KIND) !== WHOLE) n++;
    return n;
  }

  static of(events: Iterable<TraceEvent>): EventColumns {
    const l = new EventColumns();
    for (const e of events) l.push(e);
    return l;
  }
}

function eventAt(c: Chunk, o: number): TraceEvent {
  const v = c.view;
  const kind = v.getUint8(o + KIND);
  if (kind === WHOLE) return c.whole[v.getInt32(o + PID, true)]!;
  const f: Fields = { mm_id: v.getUint32(o + MM_ID, true), curr: v.getUint8(o + CURR) === 1 };
  if (kind === BY_MEMBER_ROW) {
    const member = v.getInt8(o + MEMBER);
    f.member = member;
    f.type = MM_COUNTERS[member] ?? null;
  } else f.type = c.strs[v.getUint8(o + MEMBER)]!;
  f.size = v.getFloat64(o + SIZE, true);
  const src: SourceRef = { file: c.strs[v.getUint8(o + FILE)]!, line: v.getUint32(o + LINE, true), offset: v.getFloat64(o + OFFSET, true) };
  const srcCpu = v.getInt16(o + SRC_CPU, true);
  if (srcCpu !== -2) src.cpu = srcCpu;
  const record = v.getUint32(o + RECORD, true);
  if (record !== NONE) src.record = record;
  const page = v.getUint32(o + PAGE, true);
  if (page !== NONE) src.page = page;
  const inst = v.getUint8(o + INSTANCE);
  if (inst) src.instance = c.strs[inst - 1]!;
  const ev: TraceEvent = {
    ts: v.getBigInt64(o + TS, true),
    cpu: v.getInt16(o + CPU, true),
    pid: v.getInt32(o + PID, true),
    comm: c.strs[v.getUint8(o + COMM)]!,
    name: RSS,
    text: rssText(f, f.curr ? 1 : 0),
    src,
    fields: f,
  };
  const tgid = v.getInt32(o + TGID, true);
  if (tgid !== -2) ev.tgid = tgid;
  const flags = v.getUint8(o + FLAGS);
  if (flags) ev.flags = c.strs[flags - 1]!;
  return ev;
}
