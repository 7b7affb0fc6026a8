// Importer for perf.data (perf record): file mode and pipe mode (`-o -`), `-z` (zstd
// COMPRESSED records), attrs and ids, tracepoint payloads decoded through the formats of
// HEADER_TRACING_DATA, task names from COMM/FORK, LOST/LOST_SAMPLES as data loss.
// Wanted samples are stably sorted by time as `perf script` orders them, a round at a time
// (at each FINISHED_ROUND, what is not later than the previous round's latest time goes
// out, as perf's ordered events flush), and named by the comm their thread had at that
// time (PERF_RECORD_COMM). Memory: the records of about two rounds.
import type { ByteSource, ParseContext, ReaderSink } from '../importer.ts';
import type { DataLoss, SourceRef, StreamMeta, TraceEvent } from '../../src/types/event.ts';
import { InputError } from '../common/input.ts';
import { ZstdStream } from '../common/zstd-stream.ts';
import { Cursor, Damage } from '../common/cursor.ts';
import { BinaryEvents } from '../common/binary-events.ts';
import {
  type TracingData, emptyTracingData, readCmdlines, readEventFormats, readFtraceFormats, readHeaderInfo, readKallsyms, readPrintk,
} from '../common/tracing-data.ts';
import { type Attr, SAMPLE, fixedRawOffset, parseAttr, readSample, sampleIdOffset, trailerIdFromEnd, trailerSize } from './attrs.ts';

const T = { MMAP: 1, LOST: 2, COMM: 3, EXIT: 4, FORK: 7, SAMPLE: 9, LOST_SAMPLES: 13, HEADER_ATTR: 64, HEADER_TRACING_DATA: 66, FINISHED_ROUND: 68, AUXTRACE: 71, EVENT_UPDATE: 78, HEADER_FEATURE: 80, COMPRESSED: 81 };
const FEAT = { TRACING_DATA: 1, OSRELEASE: 4, NRCPUS: 7, EVENT_DESC: 12 };
const WINDOW = 4 << 20;

type Item =
  | { time: bigint; seq: number; k: 'comm'; tid: number; comm: string }
  | { time: bigint; seq: number; k: 'fork'; tid: number; ptid: number }
  | { time: bigint; seq: number; k: 'sample'; ev: (comm: string) => TraceEvent; tid: number }
  | { time: bigint; seq: number; k: 'loss'; loss: DataLoss };

class PerfReader {
  readonly attrs: Attr[] = [];
  /** Attr by sample id (ids are small: keyed as numbers, read as two u32s on the hot path). */
  readonly byId = new Map<number, Attr>();
  data: TracingData = emptyTracingData();
  events!: BinaryEvents;
  items: Item[] = [];
  /** Where ordered items go (set before the walk), and the consumer's pace (awaited every ~4 k items out). */
  sink!: ReaderSink;
  pace?: () => Promise<void> | undefined;
  paceDue = false;
  private sincePace = 0;
  /** Items up to this time go out at the next FINISHED_ROUND (the previous round's latest time); -1: none yet. */
  private nextFlush = -1n;
  private maxTime = 0n;
  private readonly comms = new Map<number, string>();
  private seq = 0;
  private record = 0;
  private idOffset = -1;
  /** One zstd stream for the whole session: a record may span two COMPRESSED payloads. */
  zstd?: ZstdStream;
  private dbuf: Uint8Array = new Uint8Array(0);
  private dOffset = 0;

  constructor(readonly src: ByteSource, readonly ctx: ParseContext, readonly meta: StreamMeta) {}

  get file(): string {
    return this.meta.file;
  }

  damage(offset: number, expected: string): void {
    this.ctx.diag.add('damaged_binary', { file: this.file, line: 0, offset }, `at offset ${offset} (0x${offset.toString(16)}): expected ${expected}`);
    const loss: DataLoss = { kind: 'events_dropped', cpu: -1, src: { file: this.file, line: 0, offset } };
    this.items.push({ time: BigInt(Number.MAX_SAFE_INTEGER) * 1000n, seq: this.seq++, k: 'loss', loss });
  }

  addAttr(a: Attr): void {
    a.rawOff = a.type === 2 ? fixedRawOffset(a.sampleType) : -1;
    this.attrs.push(a);
    for (const id of a.ids) this.byId.set(Number(id), a);
    const offs = new Set(this.attrs.map((x) => sampleIdOffset(x.sampleType)));
    this.idOffset = offs.size === 1 ? [...offs][0]! : -1;
  }

  startEvents(): void {
    this.events ??= new BinaryEvents(this.ctx, this.file, this.data);
  }

  async tracingData(at: number, size: number): Promise<void> {
    const c = new Cursor(this.src, at, true, Math.min(this.src.size, at + size));
    await c.expect('\x17\x08Dtracing', 'the tracing data magic');
    const version = await c.cstr('the tracing data version', 16);
    await c.u8('the endian byte');
    await c.u8('the long size');
    await c.u32('the page size');
    const d = emptyTracingData();
    await readHeaderInfo(c, d);
    await readFtraceFormats(c, d);
    await readEventFormats(c, d);
    await readKallsyms(c, d);
    await readPrintk(c, d);
    if (Number(version) >= 0.6) await readCmdlines(c, d);
    this.data = d;
  }

  attrOfSample(v: DataView, p: number, size: number): Attr | undefined {
    if (this.attrs.length === 1) return this.attrs[0];
    if (this.idOffset < 0 || this.idOffset + 16 > size) return undefined;
    const q = p + 8 + this.idOffset;
    return this.byId.get(v.getUint32(q, true) + v.getUint32(q + 4, true) * 4294967296);
  }

  attrOfOther(v: DataView, p: number, size: number): Attr | undefined {
    const a0 = this.attrs[0];
    if (!a0?.sampleIdAll) return undefined;
    if (this.attrs.length === 1) return a0;
    const back = trailerIdFromEnd(a0.sampleType);
    if (back < 0 || back > size - 8) return undefined;
    return this.byId.get(Number(v.getBigUint64(p + size - back, true)));
  }

  /** time and cpu from a non-sample record's trailer. */
  trailer(v: DataView, p: number, size: number): { time: bigint; cpu: number } {
    const a = this.attrOfOther(v, p, size);
    if (!a) return { time: 0n, cpu: -1 };
    const t = a.sampleType;
    let q = p + size - trailerSize(t);
    if (q < p + 8) return { time: 0n, cpu: -1 };
    if (t & SAMPLE.TID) q += 8;
    let time = 0n;
    if (t & SAMPLE.TIME) {
      time = v.getBigUint64(q, true);
      q += 8;
    }
    if (t & SAMPLE.ID) q += 8;
    if (t & SAMPLE.STREAM_ID) q += 8;
    const cpu = t & SAMPLE.CPU ? v.getUint32(q, true) : -1;
    return { time, cpu };
  }

  /** One record of the data stream (`b` holds it at `p`); `at` is its file offset for citations. */
  handle(b: Uint8Array, v: DataView, p: number, type: number, size: number, at: number): void {
    switch (type) {
      case T.SAMPLE: return this.sample(b, v, p, size, at);
      case T.COMM: {
        const tid = v.getUint32(p + 12, true);
        let e = p + 16;
        while (e < p + size && b[e] !== 0) e++;
        const comm = Buffer.from(b.subarray(p + 16, e)).toString('utf8');
        this.add({ time: this.trailer(v, p, size).time, seq: this.seq++, k: 'comm', tid, comm });
        return;
      }
      case T.FORK: {
        const tid = v.getUint32(p + 16, true);
        const ptid = v.getUint32(p + 20, true);
        this.add({ time: v.getBigUint64(p + 24, true), seq: this.seq++, k: 'fork', tid, ptid });
        return;
      }
      case T.LOST:
      case T.LOST_SAMPLES: {
        const count = Number(v.getBigUint64(p + (type === T.LOST ? 16 : 8), true));
        const { time, cpu } = this.trailer(v, p, size);
        const src: SourceRef = { file: this.file, line: 0, offset: at, cpu };
        const loss: DataLoss = { kind: 'lost_events', cpu, ...(time ? { ts: time } : {}), count, src };
        this.ctx.diag.add('lost_events', src, `CPU ${cpu}, ${count} events (${type === T.LOST ? 'PERF_RECORD_LOST' : 'PERF_RECORD_LOST_SAMPLES'})`);
        this.add({ time, seq: this.seq++, k: 'loss', loss });
        return;
      }
      case T.HEADER_ATTR: {
        const asize = v.getUint32(p + 12, true);
        const a = parseAttr(b.subarray(p + 8, p + 8 + asize));
        for (let q = p + 8 + asize; q + 8 <= p + size; q += 8) a.ids.push(v.getBigUint64(q, true));
        this.addAttr(a);
        return;
      }
      case T.EVENT_UPDATE: {
        if (v.getBigUint64(p + 8, true) !== 2n) return;
        const a = this.byId.get(Number(v.getBigUint64(p + 16, true)));
        let e = p + 24;
        while (e < p + size && b[e] !== 0) e++;
        if (a) a.name = Buffer.from(b.subarray(p + 24, e)).toString('utf8');
        return;
      }
      case T.HEADER_FEATURE: {
        const bit = Number(v.getBigUint64(p + 8, true));
        this.feature(bit, b.subarray(p + 16, p + size));
        return;
      }
      case T.COMPRESSED: return this.compressed(b.subarray(p + 8, p + size), at);
      case T.FINISHED_ROUND: {
        this.flush(this.nextFlush);
        this.nextFlush = this.maxTime;
        return;
      }
      default:
    }
  }

  private sample(b: Uint8Array, v: DataView, p: number, size: number, at: number): void {
    const idx = this.record++;
    const a = this.attrOfSample(v, p, size);
    if (!a) return this.damage(at, "a SAMPLE record whose id is one of the file's attrs");
    this.startEvents();
    // Hot path: a tracepoint whose RAW sits at a fixed place is skipped on its 2-byte type.
    if (a.rawOff >= 0 && a.rawOff + 14 <= size) {
      const t = v.getUint16(p + a.rawOff + 4, true);
      const s = this.events.state[t];
      if (s === 1) {
        this.events.counts[t]!++;
        return;
      }
    }
    const isTp = a.type === 2 && (a.sampleType & SAMPLE.RAW) !== 0n;
    let type = -1;
    if (isTp) {
      const s0 = readSample(v, p, size, a);
      if (!s0) return this.damage(at, laidOut(size));
      if (s0.rawLen < 8) return this.damage(at, `a tracepoint's RAW data of at least 8 bytes (found ${s0.rawLen})`);
      type = v.getUint16(s0.rawAt, true);
      if (!this.events.wanted(type, b, s0.rawAt, s0.rawLen)) return;
    } else {
      const entry = this.ctx.names.byFull(a.name ?? `${a.type}:${a.config}`);
      entry.count++;
      if (!entry.wanted) return;
    }
    const s = readSample(v, p, size, a);
    if (!s) return this.damage(at, laidOut(size));
    const src: SourceRef = { file: this.file, line: 0, offset: at, cpu: s.cpu, record: idx };
    const events = this.events;
    const raw = isTp ? b.slice(s.rawAt, s.rawAt + s.rawLen) : undefined;
    const name = a.name ?? `${a.type}:${a.config}`;
    const make = (comm: string): TraceEvent => {
      const ev = raw
        ? events.event(type, raw, 0, raw.length, s.time, s.cpu, s.tid, comm, src)
        : { ts: s.time, cpu: s.cpu, pid: s.tid, comm, name: this.ctx.names.byFull(name).full, text: '', src };
      ev.tgid = s.pid;
      return ev;
    };
    this.add({ time: s.time, seq: this.seq++, k: 'sample', ev: make, tid: s.tid });
  }

  private compressed(payload: Uint8Array, at: number): void {
    this.dOffset = at;
    if (!this.zstd) return this.damage(at, 'no COMPRESSED record (zstd is not available)');
    try {
      for (const o of this.zstd.push(payload.slice())) this.decompressed(o);
    } catch (e) {
      this.damage(at, `zstd data in a COMPRESSED record (${(e as Error).message})`);
      this.zstd = undefined;
    }
  }

  /** The decompressed stream's output so far: its whole records are handled, a partial one waits. */
  private decompressed(chunk: Uint8Array): void {
    const merged = new Uint8Array(this.dbuf.length + chunk.length);
    merged.set(this.dbuf);
    merged.set(chunk, this.dbuf.length);
    const b = merged;
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    let p = 0;
    while (p + 8 <= b.length) {
      const size = v.getUint16(p + 6, true);
      if (size < 8) {
        this.damage(this.dOffset, 'a record of at least 8 bytes in the decompressed stream');
        this.dbuf = new Uint8Array(0);
        return;
      }
      if (p + size > b.length) break;
      this.handle(b, v, p, v.getUint32(p, true), size, this.dOffset);
      p += size;
    }
    this.dbuf = b.slice(p);
  }

  /** The rest of the decompressed stream, once the data section is read. */
  endCompressed(): void {
    if (!this.zstd) return;
    try {
      for (const o of this.zstd.end()) this.decompressed(o);
    } catch (e) {
      // perf flushes its zstd stream after each write but never ends the frame: an open
      // frame is normal when no partial record is left (a cut file leaves one in dbuf).
      if (this.dbuf.length === 0 && /Incomplete stream/.test((e as Error).message)) return;
      this.damage(this.dOffset, `the end of the zstd stream of the COMPRESSED records (${(e as Error).message})`);
    }
  }

  feature(bit: number, b: Uint8Array): void {
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const str = (o: number): [string, number] => {
      const n = v.getUint32(o, true);
      const s = Buffer.from(b.subarray(o + 4, o + 4 + n)).toString('utf8');
      // The text ends at its first NUL (the padding after it needs no trimming).
      return [s.split('\0')[0]!, o + 4 + n];
    };
    if (b.length < 4) return;
    if (bit === FEAT.OSRELEASE) this.meta.kernelRelease ??= str(0)[0];
    else if (bit === FEAT.NRCPUS && b.length >= 8) this.meta.cpus = v.getUint32(4, true);
    else if (bit === FEAT.EVENT_DESC) {
      const n = v.getUint32(0, true);
      const asz = v.getUint32(4, true);
      let o = 8;
      for (let i = 0; i < n && o + asz + 4 <= b.length; i++) {
        const attr = parseAttr(b.subarray(o, o + asz));
        o += asz;
        const nr = v.getUint32(o, true);
        let name: string;
        [name, o] = str(o + 4);
        for (let k = 0; k < nr; k++, o += 8) {
          const a = this.byId.get(Number(v.getBigUint64(o, true)));
          if (a) a.name = name;
        }
        void attr;
      }
    }
  }

  /** Walks records in [start, end) through a read window; pipe mode may grow `end` to the file. */
  async walk(start: number, end: number): Promise<void> {
    let pos = start;
    // One window buffer for the whole walk: records keep nothing of it (samples are copied).
    const buf = this.src.readInto ? new Uint8Array(WINDOW) : undefined;
    while (pos + 8 <= end) {
      const want = Math.min(WINDOW, end - pos);
      const win = buf ? buf.subarray(0, await this.src.readInto!(buf.subarray(0, want), pos)) : await this.src.read(pos, want);
      const v = new DataView(win.buffer, win.byteOffset, win.byteLength);
      let p = 0;
      while (p + 8 <= win.length) {
        const type = v.getUint32(p, true);
        const size = v.getUint16(p + 6, true);
        if (size < 8) return this.damage(pos + p, `a record header with a size of at least 8 (found ${size})`);
        if (p + size > win.length) break;
        const at = pos + p;
        if (type === T.HEADER_TRACING_DATA) {
          const tsize = v.getUint32(p + 8, true);
          try {
            await this.tracingData(at + size, tsize);
          } catch (e) {
            if (!(e instanceof Damage)) throw e;
            return this.damage(e.offset, `tracing data: ${e.expected}`);
          }
          p += size + tsize;
          break;
        }
        if (type === T.AUXTRACE) {
          p += size + Number(v.getBigUint64(p + 8, true));
          break;
        }
        this.handle(win, v, p, type, size, at);
        p += size;
        if (this.paceDue) await this.paced();
      }
      if (p === 0) {
        // Not one whole record in what is left of the file.
        return this.damage(pos, `a whole record (${v.getUint16(6, true)} bytes) before the end of the data`);
      }
      pos += p;
    }
    if (pos < end) this.damage(pos, 'a record header (8 bytes)');
    this.endCompressed();
    if (this.dbuf.length > 0) this.damage(this.dOffset, `the rest of a record cut by the end of the compressed stream (${this.dbuf.length} bytes)`);
  }

  /** Whether any record was kept (some may have gone out already). */
  get anyItems(): boolean {
    return this.seq > 0;
  }

  private add(it: Item): void {
    if (it.time > this.maxTime) this.maxTime = it.time;
    this.items.push(it);
  }

  /** Sorted by time, stable (as perf script). */
  private sorted(): Item[] {
    return this.items.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.seq - b.seq));
  }

  /**
   * One item out, a sample named by the comm of its thread at that time. perf may write
   * hundreds of thousands of rounds: the consumer is asked every ~4 k items, not every round.
   */
  private out(it: Item): void {
    if (this.pace && ++this.sincePace === 4096) {
      this.paceDue = true;
      this.sincePace = 0;
    }
    const comms = this.comms;
    if (it.k === 'comm') comms.set(it.tid, it.comm);
    else if (it.k === 'fork') {
      const parent = comms.get(it.ptid);
      if (parent !== undefined) comms.set(it.tid, parent);
    } else if (it.k === 'sample') {
      this.sink.event(it.ev(it.tid === 0 ? 'swapper' : (comms.get(it.tid) ?? `:${it.tid}`)));
    } else {
      this.meta.losses.push(it.loss);
      this.sink.loss(it.loss);
    }
  }

  /** The items up to `limit` (-1: none) in order, the later ones waiting. */
  private flush(limit: bigint): void {
    if (this.items.length === 0 || limit < 0n) return;
    const items = this.sorted();
    let k = 0;
    for (; k < items.length && items[k]!.time <= limit; k++) this.out(items[k]!);
    if (k > 0) this.items = k === items.length ? [] : items.slice(k);
  }

  /** Awaits the consumer once ~4 k items went out since the last time (its writes must not pile up). */
  async paced(): Promise<void> {
    this.paceDue = false;
    const w = this.pace?.();
    if (w) await w;
  }

  /** What is left, once the data is read, in order, pacing the consumer. */
  async emit(): Promise<void> {
    const items = this.sorted();
    this.items = [];
    for (const it of items) {
      this.out(it);
      if (this.paceDue) await this.paced();
    }
    this.events?.finish();
  }
}

async function fileMode(r: PerfReader): Promise<void> {
  const c = new Cursor(r.src, 16);
  const attrSize = await c.u64('attr_size');
  const attrsAt = await c.u64('the attrs section offset');
  const attrsSize = await c.u64('the attrs section size');
  const dataAt = await c.u64('the data section offset');
  const dataSize = await c.u64('the data section size');
  c.pos = 72;
  const bitmap = await c.bytes(32, 'the feature bitmap');
  if (attrSize < 80) throw new Damage(16, `an attr_size of at least 80 (found ${attrSize})`, false);
  const ac = new Cursor(r.src, attrsAt);
  for (let i = 0; i < Math.floor(attrsSize / attrSize); i++) {
    const a = parseAttr(await ac.bytes(attrSize - 16, `attr ${i}`));
    const idsAt = await ac.u64(`attr ${i} ids offset`);
    const idsSize = await ac.u64(`attr ${i} ids size`);
    const ib = await new Cursor(r.src, idsAt).bytes(idsSize, `attr ${i} ids`);
    const iv = new DataView(ib.buffer, ib.byteOffset, ib.byteLength);
    for (let q = 0; q + 8 <= ib.length; q += 8) a.ids.push(iv.getBigUint64(q, true));
    r.addAttr(a);
  }
  // Features: one {offset, size} per set bit, after the data section.
  const fc = new Cursor(r.src, dataAt + dataSize);
  for (let bit = 0; bit < 256; bit++) {
    if (!(bitmap[bit >> 3]! & (1 << (bit & 7)))) continue;
    const at = await fc.u64(`feature ${bit} offset`);
    const size = await fc.u64(`feature ${bit} size`);
    if (bit === FEAT.TRACING_DATA) await r.tracingData(at, size);
    else if (bit === FEAT.OSRELEASE || bit === FEAT.NRCPUS || bit === FEAT.EVENT_DESC) r.feature(bit, await new Cursor(r.src, at).bytes(size, `feature ${bit}`));
  }
  if (dataAt + dataSize > r.src.size) r.damage(r.src.size, `${dataAt + dataSize - r.src.size} more bytes of the data section (the file is truncated)`);
  await r.walk(dataAt, Math.min(dataAt + dataSize, r.src.size));
}

export async function readPerfData(src: ByteSource, ctx: ParseContext, meta: StreamMeta, sink: ReaderSink, pace?: () => Promise<void> | undefined): Promise<void> {
  const r = new PerfReader(src, ctx, meta);
  r.sink = sink;
  r.pace = pace;
  r.zstd = await ZstdStream.create();
  meta.bytes = src.size;
  const head = await src.read(0, 16);
  if (head.length < 16) throw new InputError(meta.file, `perf.data header is truncated at offset ${head.length}: expected 16 bytes`, 'not_a_trace');
  const hsize = Number(new DataView(head.buffer, head.byteOffset, 16).getBigUint64(8, true));
  try {
    if (hsize === 16) await r.walk(16, src.size);
    else if (hsize === 104) await fileMode(r);
    else throw new InputError(meta.file, `perf.data header size ${hsize} is not supported (104 for file mode, 16 for pipe mode): run \`perf script\` and give its text`, 'not_a_trace');
  } catch (e) {
    if (!(e instanceof Damage)) throw e;
    if (r.attrs.length === 0 || !r.anyItems) throw new InputError(meta.file, `perf.data is ${e.message}; no events could be read (the attrs, formats and names perf writes around the data are needed)`, 'not_a_trace');
    r.damage(e.offset, e.expected);
  }
  r.startEvents();
  await r.emit();
}

const laidOut = (size: number): string => `a SAMPLE record laid out as its attr's sample_type says (${size} bytes)`;
