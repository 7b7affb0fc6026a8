// One CPU's ring-buffer pages (trace-cmd.dat.v7(5), "FLYRECORD"; the kernel's ring_buffer.c page layout): chunk by chunk (decompressed into
// one buffer at a time) or in windows of raw pages, walked record by record. Only the
// 2-byte type of a record is read unless the record is wanted. Memory: one chunk.
import type { ByteSource } from '../importer.ts';
import type { DataLoss, TraceEvent } from '../../src/types/event.ts';
import type { PageLayout } from '../common/tracing-data.ts';
import { type Compression, type CpuData, decompress } from './header.ts';
import { ZstdRegion } from '../common/zstd.ts';

const RAW_WINDOW_PAGES = 64;
/** Compressed chunks are read through a window of this size: few reads, bounded memory. */
let readWindow = 1 << 20;

/** Tests: the read window's size (a small one makes chunks straddle windows). */
export function setReadWindow(n: number): void {
  readWindow = n;
}
const MAX_CHUNK = 64 << 20;
/** The read window must be loaded before the next chunk can be read. */
const NEED_READ = Symbol('need read');
const TWO27 = 134217728;

export interface Item {
  ts: number;
  ev?: TraceEvent;
  loss?: DataLoss;
}

/** Where a stream's records go: built into events here, or packed for the main thread by a walker thread. */
export interface RecordTarget {
  /** Per type id, read inline: 0 not yet resolved, 1 skipped, 2 wanted, 3 selected but only counted. */
  readonly state: Uint8Array;
  /** Records seen per type id. */
  readonly counts: Uint32Array;
  /** Resolves a type at a record of it whose state is 0 (counting that record): whether it is wanted. */
  wanted(type: number, b: Uint8Array, base: number, len: number): boolean;
  /**
   * The item of a wanted record: `b[base, base + len)` is its payload, `view` a view of `b`.
   * `held`: `b` is never written again (a walker's batch), so the event may keep it; else it is reused afterwards.
   */
  item(type: number, b: Uint8Array, view: DataView, base: number, len: number, ts: number, cpu: number, offset: number, record: number, page: number, held: boolean): Item;
  /** The item of a page whose missed-events flag is set (`count` -1: the count was not stored). */
  lost(ts: number, cpu: number, offset: number, record: number, page: number, count: number): Item;
}

export interface StreamEnv {
  src: ByteSource;
  file: string;
  target: RecordTarget;
  page: PageLayout;
  pageSize: number;
  compression: Compression | undefined;
  /** Turns a raw ring-buffer time into the ns printed (OFFSET, TSC2NSEC). */
  time(ts: number): bigint;
  /** A damaged place, reported; `ends`: the stream ends there (else it goes on at the next page). */
  damage(cpu: number, offset: number, expected: string, ts: number | undefined, ends: boolean): DataLoss;
}

/** A compressed chunk read from the file (a view of the read window), or the damage met instead. */
type Chunk =
  | { at: number; usize: number; bytes: Uint8Array }
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

  /** The read window holds all that could be read from winPos (the file ends within it). */
  private winToEnd = false;

  /** `n` bytes at file offset `pos` from the read window (fewer where the file ends), or undefined when it must be loaded first. */
  private inWindow(pos: number, n: number): Uint8Array | undefined {
    const from = pos - this.winPos;
    if (from < 0 || from > this.win.length) return undefined;
    if (from + n <= this.win.length || this.winToEnd) return this.win.subarray(from, from + n);
    return undefined;
  }

  /** Loads the read window at `pos` with at least `n` bytes (fewer where the file ends). */
  private async loadWindow(pos: number, n: number): Promise<void> {
    const end = this.data.offset + this.data.size + 4;
    const want = Math.max(n, Math.min(readWindow, end - pos));
    this.win = await this.env.src.read(pos, want);
    this.winPos = pos;
    this.winToEnd = this.win.length < want;
  }

  constructor(private readonly env: StreamEnv, private readonly data: CpuData) {
    this.cpu = data.cpu;
    this.filePos = data.offset;
  }

  /**
   * The next item, at once while the loaded pages hold one (most do: an await per record
   * costs more than the walk to it), else a promise of it once more is loaded.
   */
  next(): Item | undefined | Promise<Item | undefined> {
    for (;;) {
      if (this.done) return undefined;
      // walk() ends the stream only with an item (its damage): undefined asks for more.
      const item = this.walk();
      if (item) return item;
      // The next chunk, when the read window already holds it: no await per chunk (6,434
      // on the haystack), only one per window read.
      const c = this.env.compression ? this.chunkInWindow() : NEED_READ;
      if (c === NEED_READ) return this.refill();
      this.fills++;
      if (!this.load(c)) {
        this.end();
        return undefined;
      }
    }
  }

  private async refill(): Promise<Item | undefined> {
    if (!(await this.fill())) {
      this.end();
      return undefined;
    }
    return this.next();
  }

  /** No more items: the end of the data, or damage that stops the reading. */
  private end(): void {
    this.done = true;
    this.region?.close();
    this.region = undefined;
  }

  /** Damage at `offset`; `stop`: the stream ends now, `ends`: it ends there (now, or after a pending item). */
  private fail(offset: number, expected: string, stop = true, ends = stop): Item {
    if (stop) this.end();
    const loss = this.env.damage(this.cpu, offset, expected, this.page >= 0 ? this.ts : undefined, ends);
    return { ts: this.ts, loss };
  }

  /** Chunks or windows loaded so far (a walker thread sends what it packed at each new one). */
  fills = 0;

  /** Loads the next chunk or window; false at the end of this CPU's data. */
  private async fill(): Promise<boolean> {
    this.fills++;
    const { src, pageSize } = this.env;
    if (this.env.compression) return this.load(await this.readChunk());
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

  /** Where this stream's zstd chunks are decoded: a chunk is read in place there. */
  private region: ZstdRegion | undefined;

  /** No chunk is left to read: the count was reached, or damage stopped the reading. */
  private chunksEnded = false;

  /** Decodes a chunk read (or notes the damage met instead); false when none was left. */
  private load(c: Chunk | undefined): boolean {
    if (!c) return false;
    if ('fail' in c) return this.short(c.at, c.fail);
    const compression = this.env.compression!;
    let out: Uint8Array;
    try {
      // zstd chunks decode in place, in this stream's region (see walk() for its views).
      if (compression === 'zstd') out = (this.region ??= new ZstdRegion()).decode(c.bytes, c.usize);
      else out = decompress(compression, c.bytes, c.usize);
    } catch (e) {
      return this.bad(c.at + 8, `a ${compression} chunk decoding to ${c.usize} bytes (${(e as Error).message})`);
    }
    this.set(out, c.at);
    return true;
  }

  /** Reads the next chunk's header and bytes, loading the read window as needed. */
  private async readChunk(): Promise<Chunk | undefined> {
    for (;;) {
      const c = this.chunkInWindow();
      if (c !== NEED_READ) return c;
      await this.loadWindow(this.need.pos, this.need.n);
    }
  }

  /** Where chunkInWindow needs the read window loaded. */
  private readonly need = { pos: 0, n: 0 };

  private needs(pos: number, n: number): typeof NEED_READ {
    this.need.pos = pos;
    this.need.n = n;
    return NEED_READ;
  }

  /**
   * The next chunk's header and bytes from the read window, or NEED_READ when a read must
   * come first (what was read before it is kept: the chunk count).
   */
  private chunkInWindow(): Chunk | undefined | typeof NEED_READ {
    if (this.chunksEnded) return undefined;
    const end = this.data.offset + this.data.size + 4;
    const fail = (at: number, what: string): Chunk => {
      this.chunksEnded = true;
      return { at, fail: what };
    };
    if (this.chunksLeft < 0) {
      const b = this.inWindow(this.filePos, 4);
      if (!b) return this.needs(this.filePos, 4);
      if (b.length < 4) return fail(this.filePos, 'the chunk count');
      this.chunksLeft = new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
      this.filePos += 4;
    }
    if (this.chunksLeft === 0) {
      this.chunksEnded = true;
      return undefined;
    }
    const at = this.filePos;
    const hb = this.inWindow(at, 8);
    if (!hb) return this.needs(at, 8);
    if (hb.length < 8) return fail(at, 'a chunk header (8 bytes)');
    const hv = new DataView(hb.buffer, hb.byteOffset, 8);
    const csize = hv.getUint32(0, true);
    const usize = hv.getUint32(4, true);
    if (at + 8 + csize > end || usize > MAX_CHUNK || usize % this.env.pageSize !== 0) {
      return fail(at, `a chunk header within the CPU's data (compressed ${csize}, uncompressed ${usize}, a whole number of pages)`);
    }
    const cb = this.inWindow(at + 8, csize);
    // The window is loaded at the header, so that both are in it.
    if (!cb) return this.needs(at, 8 + csize);
    if (cb.length < csize) return fail(at + 8, `${csize} bytes of compressed chunk`);
    this.filePos = at + 8 + csize;
    if (--this.chunksLeft === 0) this.chunksEnded = true;
    return { at, usize, bytes: cb };
  }

  /** Set when the raw data ended early: reported once the pages before it are walked. */
  private truncatedAfter = -1;

  /** Damage met while loading: reported after the pages before it, then the stream ends. */
  private short(at: number, what: string): boolean {
    this.pending = this.fail(at, what, false, true);
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
      this.end();
      return it;
    }
    // Another stream's chunk decoded since may have grown the decoder's memory, which
    // detaches this one's view of its own chunk: the same bytes, viewed again (the place
    // in the chunk is kept).
    if (this.region && this.buf.byteLength === 0) {
      this.buf = this.region.view();
      this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    }
    const { buf, view } = this;
    const env = this.env;
    const target = env.target;
    const state = target.state;
    const counts = target.counts;
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
          const count = stored ? Number(commitSize === 8 ? view.getBigUint64(this.pageEnd, true) : view.getUint32(this.pageEnd, true)) : -1;
          return target.lost(this.ts, this.cpu, this.srcOffset(ps), this.record, this.page, count);
        }
      }
      let p = this.p;
      const end = this.pageEnd;
      // The time and the record count live in locals while the page is walked, and are
      // stored back wherever the walk leaves the loop.
      let ts = this.ts;
      let record = this.record;
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
            if (len < 4) return this.corrupt(p, ts, record);
            base = p + 8;
            plen = len - 4;
          } else {
            base = p + 4;
            plen = typeLen << 2;
          }
          const next = base + plen;
          if (next > end) return this.corrupt(p, ts, record);
          ts += delta;
          const type = view.getUint16(base, true);
          counts[type]!++;
          const s = state[type]!;
          if (s === 2 || (s === 0 && this.resolve(type, base, plen))) {
            this.p = next;
            this.ts = ts;
            this.record = record;
            return this.item(type, base, plen, p);
          }
          if (state[type] === 3) this.counted(ts);
          record++;
          p = next;
        } else if (typeLen === 29) {
          if (delta === 0) break;
          const len = view.getUint32(p + 4, true);
          ts += delta;
          p += 4 + len;
        } else if (typeLen === 30) {
          ts += view.getUint32(p + 4, true) * TWO27 + delta;
          p += 8;
        } else {
          ts = view.getUint32(p + 4, true) * TWO27 + delta;
          p += 8;
        }
      }
      this.ts = ts;
      this.record = record;
      this.inPage = false;
      this.pageStart += pageSize;
    }
  }

  /** Raw times of the first and last selected records only counted (`parse --stats`): their span. */
  spanFirst = -1;
  spanLast = -1;

  private counted(ts: number): void {
    if (this.spanFirst < 0) this.spanFirst = ts;
    this.spanLast = ts;
  }

  private resolve(type: number, base: number, len: number): boolean {
    // counts[] was already bumped by the caller: undo the one wanted() adds.
    this.env.target.counts[type]!--;
    return this.env.target.wanted(type, this.buf, base, len);
  }

  /** A data record running past its page at `p` (the walk's time and record count stored back first). */
  private corrupt(p: number, ts: number, record: number): Item {
    this.ts = ts;
    this.record = record;
    this.inPage = false;
    this.pageStart += this.env.pageSize;
    // The rest of this page is unreadable; the next page starts clean.
    return this.fail(this.srcOffset(p), 'a data record within its page', false);
  }

  /** A file offset for a place in the buffer: exact for raw pages, the chunk's for compressed ones. */
  private srcOffset(p: number): number {
    return this.env.compression ? this.bufFileOffset : this.bufFileOffset + p;
  }

  private item(type: number, base: number, len: number, at: number): Item {
    const it = this.env.target.item(type, this.buf, this.view, base, len, this.ts, this.cpu, this.srcOffset(at), this.record, this.page, false);
    this.record++;
    return it;
  }
}
