// The references the model keeps to the lines of invalidate calls (src/types/event.ts
// EventRef), packed into rows of a few ArrayBuffers: a long trace keeps millions, where
// an EventRef object, its SourceRef and its BigInt are three objects the collector walks
// (on 1,000 victims, the calls' heap went from 68 to 30 MB with rows: ~135 B a reference). A reference is built again, equal field for field, only
// when read. One that does not fit a row (a time past 64 bits, a pid past 32) is kept as
// the object it is.
import { refOf, type EventRef, type SourceRef, type TraceEvent } from '../types/event.ts';

const STRIDE = 44;
const PAGE_SHIFT = 12;
const PAGE_ROWS = 1 << PAGE_SHIFT;
const NONE = 0xffffffff;
/** tgid and the source's CPU when absent. */
const ABSENT = -2;
/** A row whose reference is kept whole: its index in `whole` is at PID. */
const WHOLE = 0xffff;
// Row layout (little-endian).
const TS = 0; // BigInt64
const OFFSET = 8; // Float64
const LINE = 16; // Uint32
const PID = 20; // Int32
const TGID = 24; // Int32, ABSENT
const RECORD = 28; // Uint32, NONE absent
const PAGE = 32; // Uint32, NONE absent
const SRC_CPU = 36; // Int16, ABSENT
const NAME = 38; // Uint16 string index, WHOLE
const FILE = 40; // Uint16 string index
const INSTANCE = 42; // Uint16 string index + 1, 0 absent

const int32 = (x: number | undefined): boolean => x !== undefined && Number.isInteger(x) && x >= -0x80000000 && x <= 0x7fffffff;
const u32 = (x: number | undefined): boolean => x === undefined || (Number.isInteger(x) && x >= 0 && x < NONE);

export class RefTable {
  private pages: DataView[] = [];
  private count = 0;
  private whole: EventRef[] = [];
  private strs: string[] = [];
  private index = new Map<string, number>();

  get length(): number {
    return this.count;
  }

  /** Keeps a reference to `e`; its row. */
  add(e: TraceEvent): number {
    const row = this.count++;
    if ((row & (PAGE_ROWS - 1)) === 0) this.pages.push(new DataView(new ArrayBuffer(PAGE_ROWS * STRIDE)));
    const v = this.pages[this.pages.length - 1]!;
    const o = (row & (PAGE_ROWS - 1)) * STRIDE;
    if (!this.pack(v, o, e)) {
      v.setUint16(o + NAME, WHOLE, true);
      v.setInt32(o + PID, this.whole.length, true);
      this.whole.push(refOf(e));
    }
    return row;
  }

  /** The reference kept at `row` (a new object each time). */
  ref(row: number): EventRef {
    const v = this.pages[row >>> PAGE_SHIFT]!;
    const o = (row & (PAGE_ROWS - 1)) * STRIDE;
    const name = v.getUint16(o + NAME, true);
    if (name === WHOLE) return this.whole[v.getInt32(o + PID, true)]!;
    const src: SourceRef = { file: this.strs[v.getUint16(o + FILE, true)]!, line: v.getUint32(o + LINE, true), offset: v.getFloat64(o + OFFSET, true) };
    const cpu = v.getInt16(o + SRC_CPU, true);
    if (cpu !== ABSENT) src.cpu = cpu;
    const record = v.getUint32(o + RECORD, true);
    if (record !== NONE) src.record = record;
    const page = v.getUint32(o + PAGE, true);
    if (page !== NONE) src.page = page;
    const inst = v.getUint16(o + INSTANCE, true);
    if (inst) src.instance = this.strs[inst - 1]!;
    const tgid = v.getInt32(o + TGID, true);
    return { ts: v.getBigInt64(o + TS, true), pid: v.getInt32(o + PID, true), tgid: tgid === ABSENT ? undefined : tgid, name: this.strs[name]!, src };
  }

  private pack(v: DataView, o: number, e: TraceEvent): boolean {
    const s = e.src;
    if (BigInt.asIntN(64, e.ts) !== e.ts || !int32(e.pid) || (e.tgid !== undefined && (!int32(e.tgid) || e.tgid === ABSENT))) return false;
    if (!u32(s.line) || !u32(s.record) || !u32(s.page) || (s.cpu !== undefined && (!Number.isInteger(s.cpu) || s.cpu < -0x8000 || s.cpu > 0x7fff || s.cpu === ABSENT))) return false;
    const name = this.intern(e.name);
    const file = this.intern(s.file);
    const inst = s.instance === undefined ? -1 : this.intern(s.instance);
    if (name < 0 || file < 0 || (s.instance !== undefined && inst < 0)) return false;
    v.setBigInt64(o + TS, e.ts, true);
    v.setFloat64(o + OFFSET, s.offset, true);
    v.setUint32(o + LINE, s.line, true);
    v.setInt32(o + PID, e.pid, true);
    v.setInt32(o + TGID, e.tgid ?? ABSENT, true);
    v.setUint32(o + RECORD, s.record ?? NONE, true);
    v.setUint32(o + PAGE, s.page ?? NONE, true);
    v.setInt16(o + SRC_CPU, s.cpu ?? ABSENT, true);
    v.setUint16(o + NAME, name, true);
    v.setUint16(o + FILE, file, true);
    v.setUint16(o + INSTANCE, inst + 1, true);
    return true;
  }

  /** The string's index, or -1 once the table holds as many as a row can name. */
  private intern(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      if (this.strs.length >= WHOLE - 1) return -1;
      this.index.set(s, (i = this.strs.length));
      this.strs.push(s);
    }
    return i;
  }
}
