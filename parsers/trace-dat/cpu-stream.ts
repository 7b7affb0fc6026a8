// One CPU's ring-buffer pages (trace-cmd.dat.v7(5), "FLYRECORD"; the kernel's ring_buffer.c page layout): chunk by chunk (decompressed into
// one buffer at a time) or in windows of raw pages, walked record by record. Only the
// 2-byte type of a record is read unless the record is wanted. Memory: one chunk.
import type { ByteSource } from '../importer.ts';
import type { DataLoss, TraceEvent } from '../../src/types/event.ts';
import type { BinaryEvents } from '../common/binary-events.ts';
import type { PageLayout } from '../common/tracing-data.ts';
import type { ChunkDecoder } from './chunk-decoder.ts';
import type { Compression, CpuData } from './header.ts';

const RAW_WINDOW_PAGES = 64;
/** Compressed chunks are read through a window of this size: few reads, bounded memory. */
const READ_WINDOW = 1 << 20;
const MAX_CHUNK = 64 << 20;
const TWO27 = 134217728;

export interface Item {
  ts: number;
  ev?: TraceEvent;
  loss?: DataLoss;
}

export interface StreamEnv {
  src: ByteSource;
  file: string;
  events: BinaryEvents;
  page: PageLayout;
  pageSize: number;
  compression: Compression | undefined;
  /** Decodes compressed chunks (in this thread or a worker). */
  decoder: ChunkDecoder;
  /** Chunks read and handed to the decoder ahead of the one being walked. */
  ahead: number;
  /** Turns a raw ring-buffer time into the ns printed (OFFSET, TSC2NSEC). */
  time(ts: number): bigint;
  /** A damaged place: reported, and the stream ends there. */
  damage(cpu: number, offset: number, expected: string, ts: number | undefined): DataLoss;
}

/** A compressed chunk read from the file (its decoding under way), or the damage met instead. */
type Pending =
  | { at: number; usize: number; decoded: Promise<Uint8Array> }
  | { at: number; fail: string };

export class CpuStream {
  private buf: Uint8Array = new Uint8Array(0);
  private view = new DataView(this.buf.buffer);
  /** File offset of the current buffer (compressed: the chunk's header). */
  private bufFileOffset = 0;
  private pageStart = 0;
  private p = 0;
  private pageEnd = 0;
  private ts = 0;
  private page = -1;
  private record = 0;
  private filePos: number;
  private chunksLeft = -1;
  private done = false;
  private inPage = false;
  readonly cpu: number;

  private win: Uint8Array = new Uint8Array(0);
  private winPos = 0;

  /** `n` bytes at file offset `pos` (fewer at the end of the file), through the read window. */
  private async readAt(pos: number, n: number): Promise<Uint8Array> {
    if (pos >= this.winPos && pos + n <= this.winPos + this.win.length) return this.win.subarray(pos - this.winPos, pos - this.winPos + n);
    const end = this.data.offset + this.data.size + 4;
    this.win = await this.env.src.read(pos, Math.max(n, Math.min(READ_WINDOW, end - pos)));
    this.winPos = pos;
    return this.win.subarray(0, n);
  }

  constructor(private readonly env: StreamEnv, private readonly data: CpuData) {
    this.cpu = data.cpu;
    this.filePos = data.offset;
  }

  async next(): Promise<Item | undefined> {
    for (;;) {
      if (this.done) return undefined;
      const item = this.walk();
      if (item) return item;
      if (!(await this.fill())) {
        this.done = true;
        return undefined;
      }
    }
  }

  private fail(offset: number, expected: string, stop = true): Item {
    if (stop) this.done = true;
    const loss = this.env.damage(this.cpu, offset, expected, this.page >= 0 ? this.ts : undefined);
    return { ts: this.ts, loss };
  }

  /** Loads the next chunk or window; false at the end of this CPU's data. */
  private async fill(): Promise<boolean> {
    const { src, pageSize } = this.env;
    if (this.env.compression) {
      // Keep up to `ahead` chunks decoding while the current one is walked, topped up in
      // bursts (half of it at a time) so that a worker gets them in few messages.
      const refill = this.pipeline.length <= this.env.ahead >> 1;
      while (refill && !this.chunksEnded && this.pipeline.length < this.env.ahead) {
        const p = await this.readChunk();
        if (p) this.pipeline.push(p);
      }
      const p = this.pipeline.shift();
      if (!p) return false;
      if ('fail' in p) return this.short(p.at, p.fail);
      try {
        this.set(await p.decoded, p.at);
      } catch (e) {
        return this.bad(p.at + 8, `a ${this.env.compression} chunk decoding to ${p.usize} bytes (${(e as Error).message})`);
      }
      return true;
    }
    const endRaw = this.data.offset + this.data.size;
    if (this.filePos >= endRaw) return false;
    const want = Math.min(RAW_WINDOW_PAGES * pageSize, endRaw - this.filePos);
    const b = await src.read(this.filePos, want);
    const whole = b.length - (b.length % pageSize);
    if (whole === 0) return this.short(this.filePos, `a ${pageSize}-byte page`);
    this.set(b.subarray(0, whole), this.filePos);
    this.filePos += whole;
    if (whole < want) this.truncatedAfter = this.filePos;
    return true;
  }

  private pipeline: Pending[] = [];
  /** No chunk is left to read: the count was reached, or damage stopped the reading. */
  private chunksEnded = false;

  /** Reads the next chunk's header and bytes and starts its decoding. */
  private async readChunk(): Promise<Pending | undefined> {
    const end = this.data.offset + this.data.size + 4;
    const fail = (at: number, what: string): Pending => {
      this.chunksEnded = true;
      return { at, fail: what };
    };
    if (this.chunksLeft < 0) {
      const b = await this.readAt(this.filePos, 4);
      if (b.length < 4) return fail(this.filePos, 'the chunk count');
      this.chunksLeft = new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
      this.filePos += 4;
    }
    if (this.chunksLeft === 0) {
      this.chunksEnded = true;
      return undefined;
    }
    const at = this.filePos;
    const hb = await this.readAt(at, 8);
    if (hb.length < 8) return fail(at, 'a chunk header (8 bytes)');
    const hv = new DataView(hb.buffer, hb.byteOffset, 8);
    const csize = hv.getUint32(0, true);
    const usize = hv.getUint32(4, true);
    if (at + 8 + csize > end || usize > MAX_CHUNK || usize % this.env.pageSize !== 0) {
      return fail(at, `a chunk header within the CPU's data (compressed ${csize}, uncompressed ${usize}, a whole number of pages)`);
    }
    const cb = await this.readAt(at + 8, csize);
    if (cb.length < csize) return fail(at + 8, `${csize} bytes of compressed chunk`);
    const decoded = this.env.decoder.decode(this.env.compression!, cb, usize);
    // Awaited in turn by fill(); until then a rejection is not unhandled.
    decoded.catch(() => undefined);
    this.filePos = at + 8 + csize;
    if (--this.chunksLeft === 0) this.chunksEnded = true;
    return { at, usize, decoded };
  }

  /** Set when the raw data ended early: reported once the pages before it are walked. */
  private truncatedAfter = -1;

  private short(at: number, what: string): boolean {
    this.pending = this.fail(at, what);
    this.done = false;
    return true;
  }

  private bad(at: number, what: string): boolean {
    return this.short(at, what);
  }

  private pending: Item | undefined;

  private set(b: Uint8Array, fileOffset: number): void {
    this.buf = b;
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    this.bufFileOffset = fileOffset;
    this.pageStart = 0;
    this.inPage = false;
  }

  /** Walks the current buffer up to the next wanted record or loss; undefined when it needs more. */
  private walk(): Item | undefined {
    if (this.pending) {
      const it = this.pending;
      this.pending = undefined;
      this.done = true;
      return it;
    }
    const { buf, view } = this;
    const env = this.env;
    const events = env.events;
    const state = events.state;
    const counts = events.counts;
    const { commitOffset, commitSize, dataOffset } = env.page;
    const pageSize = env.pageSize;
    for (;;) {
      if (!this.inPage) {
        if (this.pageStart + pageSize > buf.length) {
          if (this.truncatedAfter >= 0 && this.bufFileOffset + buf.length >= this.truncatedAfter) {
            const at = this.truncatedAfter;
            this.truncatedAfter = -1;
            return this.fail(at, `the rest of CPU ${this.cpu}'s pages`);
          }
          return undefined;
        }
        const ps = this.pageStart;
        this.page++;
        this.ts = Number(view.getBigUint64(ps, true));
        const commit = commitSize === 8 ? Number(view.getBigUint64(ps + commitOffset, true) & 0xffffffffn) : view.getUint32(ps + commitOffset, true);
        const len = commit & 0x7ffffff;
        this.p = ps + dataOffset;
        this.pageEnd = this.p + len;
        this.inPage = true;
        if (len > pageSize - dataOffset) {
          this.pageEnd = this.p;
          return this.fail(this.srcOffset(ps), `a page commit length ≤ ${pageSize - dataOffset}, found ${len}`, false);
        }
        if (commit & 0x80000000) {
          const stored = (commit & 0x40000000) !== 0;
          const count = stored ? Number(commitSize === 8 ? view.getBigUint64(this.pageEnd, true) : view.getUint32(this.pageEnd, true)) : undefined;
          const loss: DataLoss = {
            kind: 'lost_events', cpu: this.cpu, ts: env.time(this.ts),
            src: { file: env.file, line: 0, offset: this.srcOffset(ps), cpu: this.cpu, record: this.record, page: this.page },
            ...(count !== undefined ? { count } : {}),
          };
          return { ts: this.ts, loss };
        }
      }
      let p = this.p;
      const end = this.pageEnd;
      while (p < end) {
        const h = view.getUint32(p, true);
        const typeLen = h & 31;
        const delta = h >>> 5;
        if (typeLen <= 28) {
          // A data record: its length in the type field (1-28 words) or, for 0, in the next word.
          let base: number;
          let plen: number;
          if (typeLen === 0) {
            const len = view.getUint32(p + 4, true);
            if (len < 4) return this.corrupt(p, 'a data record within its page');
            base = p + 8;
            plen = len - 4;
          } else {
            base = p + 4;
            plen = typeLen << 2;
          }
          const next = base + plen;
          if (next > end) return this.corrupt(p, 'a data record within its page');
          this.ts += delta;
          const type = view.getUint16(base, true);
          counts[type]!++;
          const s = state[type]!;
          if (s === 2 || (s === 0 && this.resolve(type, base, plen))) {
            this.p = next;
            return this.item(type, base, plen, p);
          }
          if (state[type] === 3) this.counted();
          this.record++;
          p = next;
        } else if (typeLen === 29) {
          if (delta === 0) break;
          const len = view.getUint32(p + 4, true);
          this.ts += delta;
          p += 4 + len;
        } else if (typeLen === 30) {
          this.ts += view.getUint32(p + 4, true) * TWO27 + delta;
          p += 8;
        } else {
          this.ts = view.getUint32(p + 4, true) * TWO27 + delta;
          p += 8;
        }
      }
      this.inPage = false;
      this.pageStart += pageSize;
    }
  }

  /** Raw times of the first and last selected records only counted (`parse --stats`): their span. */
  spanFirst = -1;
  spanLast = -1;

  private counted(): void {
    if (this.spanFirst < 0) this.spanFirst = this.ts;
    this.spanLast = this.ts;
  }

  private resolve(type: number, base: number, len: number): boolean {
    // counts[] was already bumped by the caller: undo the one wanted() adds.
    this.env.events.counts[type]!--;
    return this.env.events.wanted(type, this.buf, base, len);
  }

  private corrupt(p: number, expected: string): Item {
    this.inPage = false;
    this.pageStart += this.env.pageSize;
    // The rest of this page is unreadable; the next page starts clean.
    return this.fail(this.srcOffset(p), expected, false);
  }

  /** A file offset for a place in the buffer: exact for raw pages, the chunk's for compressed ones. */
  private srcOffset(p: number): number {
    return this.env.compression ? this.bufFileOffset : this.bufFileOffset + p;
  }

  private item(type: number, base: number, len: number, at: number): Item {
    const env = this.env;
    const pid = this.view.getInt32(base + 4, true);
    const ev = env.events.event(type, this.buf, base, len, env.time(this.ts), this.cpu, pid, env.events.commOf(pid), {
      file: env.file, line: 0, offset: this.srcOffset(at), cpu: this.cpu, record: this.record, page: this.page,
    });
    this.record++;
    return { ts: this.ts, ev };
  }
}
