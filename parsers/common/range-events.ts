// The events of a byte range as columns (typed arrays, text as UTF-8 bytes, names,
// comms and flags as tables) for the trip from a worker thread: a structured clone
// writes every key of every object and rebuilds them one by one, several times the
// cost of reading columns back into events of the reader's own shape. Events with
// anything more (a stack, fields, odd text) travel whole, in order.
import type { TraceEvent } from '../../src/types/event.ts';

export interface EventColumns {
  n: number;
  file: string;
  ts: BigInt64Array;
  /** Per event: cpu, pid, tgid (-1: none), line, name index (-1: kept whole), comm index, text end, flags index (-1: none). */
  ints: Int32Array;
  offset: Float64Array;
  text: Uint8Array;
  names: string[];
  comms: string[];
  flags: string[];
  /** Events kept whole, by index. */
  whole: [number, TraceEvent][];
}

/** Ints per event: cpu, pid, tgid, line, name, comm, text end, flags. */
const W = 8;
const MIN_TS = -(1n << 63n);
const MAX_TS = (1n << 63n) - 1n;
const SIMPLE_KEYS = new Set(['ts', 'cpu', 'pid', 'tgid', 'comm', 'name', 'text', 'flags', 'src']);

function table(m: Map<string, number>, s: string): number {
  let i = m.get(s);
  if (i === undefined) m.set(s, (i = m.size));
  return i;
}

export class EventColumnWriter {
  private n = 0;
  private ts = new BigInt64Array(1024);
  private ints = new Int32Array(1024 * W);
  private offset = new Float64Array(1024);
  private text = Buffer.allocUnsafe(1 << 20);
  private textEnd = 0;
  private readonly names = new Map<string, number>();
  private readonly comms = new Map<string, number>();
  private readonly flags = new Map<string, number>();
  private readonly whole: [number, TraceEvent][] = [];

  constructor(private readonly file: string) {}

  /** Whether `ev` fits the columns as it is (else it travels whole). */
  private simple(ev: TraceEvent): boolean {
    const s = ev.src;
    if (ev.ts < MIN_TS || ev.ts > MAX_TS) return false;
    if (s.file !== this.file || s.cpu !== undefined || s.record !== undefined || s.page !== undefined) return false;
    if (!Number.isInteger(s.line) || s.line < 0 || s.line > 0x7fffffff) return false;
    if ((ev.cpu | 0) !== ev.cpu || (ev.pid | 0) !== ev.pid) return false;
    if (ev.tgid !== undefined && ((ev.tgid | 0) !== ev.tgid || ev.tgid < 0)) return false;
    for (const k in ev) if (!SIMPLE_KEYS.has(k)) return false;
    for (const k in s) if (k !== 'file' && k !== 'line' && k !== 'offset') return false;
    // Lone surrogates would not come back from UTF-8 the same.
    return (ev.text as unknown as { isWellFormed(): boolean }).isWellFormed();
  }

  private grow(): void {
    const cap = this.ts.length * 2;
    const ts = new BigInt64Array(cap);
    ts.set(this.ts);
    this.ts = ts;
    const ints = new Int32Array(cap * W);
    ints.set(this.ints);
    this.ints = ints;
    const off = new Float64Array(cap);
    off.set(this.offset);
    this.offset = off;
  }

  add(ev: TraceEvent): void {
    const i = this.n++;
    if (i === this.ts.length) this.grow();
    if (!this.simple(ev)) {
      this.whole.push([i, ev]);
      this.ints[i * W + 4] = -1;
      this.ints[i * W + 6] = this.textEnd;
      return;
    }
    this.ts[i] = ev.ts;
    const o = i * W;
    const a = this.ints;
    a[o] = ev.cpu;
    a[o + 1] = ev.pid;
    a[o + 2] = ev.tgid ?? -1;
    a[o + 3] = ev.src.line;
    a[o + 4] = table(this.names, ev.name);
    a[o + 5] = table(this.comms, ev.comm);
    this.offset[i] = ev.src.offset;
    const need = this.textEnd + ev.text.length * 3;
    if (need > this.text.length) {
      const t = Buffer.allocUnsafe(Math.max(need, this.text.length * 2));
      this.text.copy(t, 0, 0, this.textEnd);
      this.text = t;
    }
    this.textEnd += this.text.write(ev.text, this.textEnd, 'utf8');
    a[o + 6] = this.textEnd;
    a[o + 7] = ev.flags === undefined ? -1 : table(this.flags, ev.flags);
  }

  finish(): EventColumns {
    const n = this.n;
    const cols: EventColumns = {
      n,
      file: this.file,
      ts: this.ts.slice(0, n),
      ints: this.ints.slice(0, n * W),
      offset: this.offset.slice(0, n),
      text: new Uint8Array(this.text.subarray(0, this.textEnd)),
      names: [...this.names.keys()],
      comms: [...this.comms.keys()],
      flags: [...this.flags.keys()],
      whole: this.whole,
    };
    return cols;
  }
}

/** The buffers a post can move instead of copying (each column owns its own). */
export function transferList(c: EventColumns): ArrayBuffer[] {
  return [c.ts.buffer, c.ints.buffer, c.offset.buffer, c.text.buffer] as ArrayBuffer[];
}

/** Reads the events back, in order, each a fresh object of the reader's shape. */
export class EventColumnReader {
  private i = 0;
  private textStart = 0;
  private nextWhole = 0;
  private readonly text: Buffer;

  constructor(private readonly c: EventColumns) {
    this.text = Buffer.from(c.text.buffer, c.text.byteOffset, c.text.byteLength);
  }

  next(): TraceEvent {
    const c = this.c;
    const i = this.i++;
    const o = i * W;
    const a = c.ints;
    if (a[o + 4] === -1) {
      this.textStart = a[o + 6]!;
      return c.whole[this.nextWhole++]![1];
    }
    const end = a[o + 6]!;
    // Same keys in the same order as the text reader builds them.
    const ev: TraceEvent = {
      ts: c.ts[i]!,
      cpu: a[o]!,
      pid: a[o + 1]!,
      comm: c.comms[a[o + 5]!]!,
      name: c.names[a[o + 4]!]!,
      text: this.text.toString('utf8', this.textStart, end),
      src: { file: c.file, line: a[o + 3]!, offset: c.offset[i]! },
    };
    this.textStart = end;
    if (a[o + 2]! >= 0) ev.tgid = a[o + 2];
    if (a[o + 7]! >= 0) ev.flags = c.flags[a[o + 7]!];
    return ev;
  }
}
