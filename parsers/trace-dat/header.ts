// trace.dat metadata: the initial header, then v6's sequential items or v7's sections
// and OPTIONS chain (trace-cmd.dat.v6(5) and trace-cmd.dat.v7(5)). Only metadata is read here; the per-CPU
// data is walked by cpu-stream.ts.
import { inflateSync } from 'node:zlib';
import type { ByteSource } from '../importer.ts';
import { Cursor, Damage } from '../common/cursor.ts';
import { MemorySource } from '../common/byte-source.ts';
import {
  type TracingData, emptyTracingData, readCmdlines, readEventFormats, readFtraceFormats, readHeaderInfo, readKallsyms, readPrintk,
} from '../common/tracing-data.ts';
import { zstdFrame, zstdReady } from '../common/zstd.ts';

export type Compression = 'none' | 'zstd' | 'zlib';

export interface CpuData {
  cpu: number;
  offset: number;
  size: number;
}

export interface Buffer_ {
  /** Instance name, '' for the top instance. */
  name: string;
  clock?: string;
  pageSize: number;
  cpus: CpuData[];
  /** Per-CPU data is chunked and compressed (v7 BUFFER section flag 1). */
  compressed: boolean;
}

export interface TraceDatHeader {
  version: number;
  littleEndian: boolean;
  pageSize: number;
  compression: Compression;
  data: TracingData;
  buffers: Buffer_[];
  cpuCount?: number;
  traceClock?: string;
  uname?: string;
  /** ns added to every timestamp (OFFSET option, and DATE's µs × 1000). */
  offsetNs: bigint;
  /** TSC2NSEC option: ns = (ts × mult) >> shift (its offset is stored but not applied, as trace-cmd prints). */
  tsc2nsec?: { mult: bigint; shift: bigint; offset: bigint };
  /** Latency-format trace.dat (text data): not read. */
  latency: boolean;
  /** Damage met in the metadata that did not stop the read (the data was found another way). */
  damages: Damage[];
}

export class UnsupportedTraceDat extends Error {}

const SECTION = { OPTIONS: 0, BUFFER: 3, STRINGS: 15, HEADER_INFO: 16, FTRACE_EVENTS: 17, EVENT_FORMATS: 18, KALLSYMS: 19, PRINTK: 20, CMDLINES: 21, BUFFER_TEXT: 22 };

export function decompress(kind: Compression, src: Uint8Array, size: number): Uint8Array {
  if (kind === 'zstd') return zstdFrame(src, size);
  if (kind === 'zlib') {
    const out = inflateSync(src);
    if (out.length !== size) throw new Error(`zlib block decoded to ${out.length} bytes, expected ${size}`);
    return out;
  }
  return src;
}

/** C's strtoll(s, NULL, 0): blanks, a sign, then 0x hex, 0 octal or decimal digits up to the first other character; 0 without any. */
export function strtoll(s: string): bigint {
  let i = 0;
  while (i < s.length && ' \t\n\v\f\r'.includes(s[i]!)) i++;
  const neg = s[i] === '-';
  if (s[i] === '-' || s[i] === '+') i++;
  let base = 10;
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && /[0-9a-f]/i.test(s[i + 2] ?? '')) {
    base = 16;
    i += 2;
  } else if (s[i] === '0') base = 8;
  const digits = base === 16 ? /[0-9a-f]/i : base === 8 ? /[0-7]/ : /[0-9]/;
  let v = 0n;
  for (; i < s.length && digits.test(s[i]!); i++) v = v * BigInt(base) + BigInt(parseInt(s[i]!, 16));
  return BigInt.asIntN(64, neg ? -v : v);
}

export function selectedClock(traceClock: string): string | undefined {
  // The first `[name]` with a non-empty name, by indexOf (a regex retries from every `[`).
  for (let i = traceClock.indexOf('['); i >= 0; i = traceClock.indexOf('[', i + 1)) {
    const j = traceClock.indexOf(']', i + 1);
    if (j < 0) return undefined;
    if (j > i + 1) return traceClock.slice(i + 1, j);
  }
  return undefined;
}

/** Every piece of metadata. */
export async function readTraceDatHeader(src: ByteSource): Promise<TraceDatHeader> {
  const { header, rest } = await openTraceDat(src);
  await rest();
  return header;
}

/**
 * The metadata a walk of the pages needs (the file's layout, page header, event formats),
 * and `rest` to read what only building events needs: a v7 file's kallsyms, printk formats
 * and cmdlines (a v6 file's come first in the file and are read at once). The pages can
 * be walked in other threads while `rest` reads them (~45 ms on the haystack's 4 MB kallsyms).
 * `rest(false)` leaves out the kallsyms and printk formats (no event's text or kprobe site
 * will be asked for).
 */
export async function openTraceDat(src: ByteSource): Promise<{ header: TraceDatHeader; rest(symbols?: boolean): Promise<void> }> {
  const c = new Cursor(src, 10);
  const versionText = await c.cstr('the file version', 16);
  const version = Number(versionText);
  if (version !== 6 && version !== 7) {
    throw new UnsupportedTraceDat(`trace.dat file version ${JSON.stringify(versionText)} is not supported (versions 6 and 7 are): convert it with \`trace-cmd convert --file-version 7\` or give the text of \`trace-cmd report\``);
  }
  const endian = await c.u8('the endian byte');
  if (endian !== 0) throw new UnsupportedTraceDat('big-endian trace.dat files are not supported: give the text of `trace-cmd report` instead');
  await c.u8('the long size');
  const pageSize = await c.u32('the page size');
  const h: TraceDatHeader = {
    version, littleEndian: true, pageSize, compression: 'none', data: emptyTracingData(), buffers: [], offsetNs: 0n, latency: false, damages: [],
  };
  if (version === 6) {
    await readV6(src, c, h);
    return { header: h, rest: async () => undefined };
  }
  return { header: h, rest: await readV7(src, c, h) };
}

async function readV6(src: ByteSource, c: Cursor, h: TraceDatHeader): Promise<void> {
  await readHeaderInfo(c, h.data);
  await readFtraceFormats(c, h.data);
  await readEventFormats(c, h.data);
  await readKallsyms(c, h.data);
  await readPrintk(c, h.data);
  await readCmdlines(c, h.data);
  const ncpu = await c.u32('the CPU count');
  h.cpuCount = ncpu;
  const instances: { name: string; offset: number }[] = [];
  const kind = await readV6Options(c, h, instances);
  if (kind === 'latency  \0') {
    h.latency = true;
    return;
  }
  if (kind !== 'flyrecord\0') throw new Damage(c.pos - 10, '"flyrecord" or "latency"', false);
  h.buffers.push({ name: '', pageSize: h.pageSize, cpus: await readV6CpuTable(c, ncpu), compressed: false });
  // Each instance (`trace-cmd record -B NAME`): at the BUFFER option's offset, its own
  // optional options, "flyrecord", CPU table and clock text, as for the top buffer
  // (libtracecmd: tracecmd_buffer_instance_handle). A damaged one costs only its own events.
  for (const inst of instances) {
    const ic = new Cursor(src, inst.offset);
    try {
      const at = inst.offset;
      const k = await readV6Options(ic, undefined, undefined);
      if (k !== 'flyrecord\0') throw new Damage(at, `"flyrecord" for instance ${JSON.stringify(inst.name)}`, false);
      const cpus = await readV6CpuTable(ic, ncpu);
      const clockSize = await ic.u64('the instance clock size');
      if (clockSize > 4096) throw new Damage(ic.pos - 8, 'a clock text size of at most 4096 bytes', false);
      const clockText = Buffer.from(await ic.bytes(clockSize, 'the instance clock')).toString('latin1');
      h.buffers.push({ name: inst.name, clock: selectedClock(clockText), pageSize: h.pageSize, cpus, compressed: false });
    } catch (e) {
      if (!(e instanceof Damage)) throw e;
      h.damages.push(new Damage(e.offset, `${e.expected}, in instance ${JSON.stringify(inst.name)} (its events are not read)`, e.truncated));
    }
  }
}

/**
 * v6 options (when the "options  " tag is there) up to the data kind, which is returned.
 * BUFFER options (u64 offset of the instance's data, cstr name) go to `instances`.
 */
async function readV6Options(c: Cursor, h: TraceDatHeader | undefined, instances: { name: string; offset: number }[] | undefined): Promise<string> {
  let kind = await c.bytes(10, 'the data kind or options tag');
  if (Buffer.from(kind).toString('latin1') === 'options  \0') {
    for (;;) {
      const id = await c.u16('an option id');
      if (id === 0) break;
      const size = await c.u32('an option size');
      const body = await c.bytes(size, `option ${id}`);
      if (id === 3) {
        if (instances && body.length > 8) {
          const end = body.indexOf(0, 8);
          const name = Buffer.from(body.subarray(8, end < 0 ? body.length : end)).toString('latin1');
          instances.push({ name, offset: Number(new DataView(body.buffer, body.byteOffset, 8).getBigUint64(0, true)) });
        }
      } else if (h) applyOption(h, id, body, undefined);
    }
    kind = await c.bytes(10, 'the data kind');
  }
  return Buffer.from(kind).toString('latin1');
}

async function readV6CpuTable(c: Cursor, ncpu: number): Promise<CpuData[]> {
  const cpus: CpuData[] = [];
  for (let i = 0; i < ncpu; i++) {
    const offset = await c.u64(`CPU ${i} data offset`);
    const size = await c.u64(`CPU ${i} data size`);
    if (size > 0) cpus.push({ cpu: i, offset, size });
  }
  return cpus;
}

/** Reads the layout, page header and formats; returns the reading of the rest. */
async function readV7(src: ByteSource, c: Cursor, h: TraceDatHeader): Promise<(symbols?: boolean) => Promise<void>> {
  const comp = await c.cstr('the compression name', 64);
  await c.cstr('the compression version', 64);
  if (comp !== 'none' && comp !== 'zstd' && comp !== 'zlib') {
    throw new UnsupportedTraceDat(`trace.dat compression ${JSON.stringify(comp)} is not supported (zstd, zlib and none are): convert it with \`trace-cmd convert --compression zstd\``);
  }
  h.compression = comp;
  if (comp === 'zstd') await zstdReady();
  let next = await c.u64('the offset of the first OPTIONS section');
  const seen = new Set<number>();
  const sections = new Map<number, number>();
  /** End of the last OPTIONS section read: the BUFFER section follows it. */
  let afterOptions = -1;
  while (next !== 0) {
    if (seen.has(next)) throw new Damage(next, 'an OPTIONS section not already visited (the chain loops)', false);
    seen.add(next);
    const sc = new Cursor(src, next);
    let sec: { id: number; payload: Uint8Array };
    try {
      sec = await readSection(sc, h);
    } catch (e) {
      // The last OPTIONS section (with the BUFFER option) is written after the data: a cut
      // file loses it. The data can still be found by walking the BUFFER section.
      if (!(e instanceof Damage) || afterOptions < 0) throw e;
      h.damages.push(new Damage(e.offset, `${e.expected}, in the OPTIONS section at offset ${next} (CPU data located by walking the BUFFER section)`, e.truncated));
      break;
    }
    const { id, payload } = sec;
    afterOptions = sc.pos;
    if (id !== SECTION.OPTIONS) throw new Damage(next, `an OPTIONS section (id 0), found id ${id}`, false);
    next = 0;
    const oc = new Cursor(new MemorySource(payload), 0);
    while (oc.pos < payload.length) {
      const oid = await oc.u16('an option id');
      const size = await oc.u32('an option size');
      const body = await oc.bytes(size, `option ${oid}`);
      if (oid === 0) {
        next = size >= 8 ? Number(new DataView(body.buffer, body.byteOffset, 8).getBigUint64(0, true)) : 0;
        break;
      }
      applyOption(h, oid, body, sections);
    }
  }
  const run = async (id: number, read: (c: Cursor) => Promise<void>, what: string): Promise<void> => {
    const at = sections.get(id);
    if (at === undefined) return;
    const sc = new Cursor(src, at);
    const sec = await readSection(sc, h);
    if (sec.id !== id) throw new Damage(at, `the ${what} section (id ${id}), found id ${sec.id}`, false);
    await read(new Cursor(new MemorySource(sec.payload), 0));
  };
  await run(SECTION.HEADER_INFO, (x) => readHeaderInfo(x, h.data), 'HEADER_INFO');
  await run(SECTION.FTRACE_EVENTS, (x) => readFtraceFormats(x, h.data), 'FTRACE_EVENTS');
  await run(SECTION.EVENT_FORMATS, (x) => readEventFormats(x, h.data), 'EVENT_FORMATS');
  if (h.buffers.length === 0 && afterOptions >= 0) await recoverBuffer(src, afterOptions, h);
  if (h.damages.length === 0) await checkTiling(src, c.pos, h);
  // A BUFFER section's flag says whether its per-CPU data is chunked.
  for (const b of h.buffers) {
    const at = (b as Buffer_ & { section?: number }).section;
    if (at === undefined) continue;
    const sc = new Cursor(src, at);
    await sc.u16('the BUFFER section id');
    b.compressed = ((await sc.u16('the BUFFER section flags')) & 1) === 1;
  }
  /** A section only the events' text, kprobe sites and comms need: when damaged, noted, and the events are read without it. */
  const optional = async (id: number, read: (c: Cursor) => Promise<void>, what: string, without: string): Promise<void> => {
    try {
      await run(id, read, what);
    } catch (e) {
      if (!(e instanceof Damage)) throw e;
      h.damages.push(new Damage(e.offset, `${e.expected}, in the ${what} section (the events are read without it: ${without})`, e.truncated));
    }
  };
  return async (symbols = true) => {
    if (symbols) {
      await optional(SECTION.KALLSYMS, (x) => readKallsyms(x, h.data), 'KALLSYMS', 'kprobe sites and %pS are not named from the file; give the kprobe definitions');
      await optional(SECTION.PRINTK, (x) => readPrintk(x, h.data), 'PRINTK', 'strings printed through the printk formats show as addresses');
    }
    await optional(SECTION.CMDLINES, (x) => readCmdlines(x, h.data), 'CMDLINES', 'tasks without a comm of their own are named "<...>"');
  };
}

/** One section: its id and payload (decompressed when flagged; BUFFER sections are not read). */
async function readSection(c: Cursor, h: TraceDatHeader): Promise<{ id: number; payload: Uint8Array }> {
  const start = c.pos;
  const id = await c.u16('a section id');
  const flags = await c.u16('section flags');
  await c.u32('a section description id');
  const size = await c.u64('a section size');
  if (!(flags & 1)) return { id, payload: await c.bytes(size, `section ${id} payload`) };
  if (h.compression === 'none') throw new Damage(start, `an uncompressed section (the file says compression "none")`, false);
  const csize = await c.u32('the compressed size');
  const usize = await c.u32('the uncompressed size');
  const at = c.pos;
  const block = await c.bytes(csize, `section ${id} compressed data`);
  try {
    return { id, payload: decompress(h.compression, block, usize) };
  } catch (e) {
    throw new Damage(at, `a ${h.compression} block of ${csize} bytes decoding to ${usize} (${(e as Error).message})`, false);
  }
}

function cstrs(b: Uint8Array): string[] {
  return Buffer.from(b).toString('latin1').split('\0');
}

function applyOption(h: TraceDatHeader, id: number, body: Uint8Array, sections: Map<number, number> | undefined): void {
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const u64 = (o: number): number => Number(v.getBigUint64(o, true));
  switch (id) {
    case 3: {
      // BUFFER: u64 section offset, cstr name, cstr clock, u32 page size, u32 n, n × {u32 cpu, u64 offset, u64 size}
      if (body.length < 8) return;
      const section = u64(0);
      let p = 8;
      const str = (): string => {
        const e = body.indexOf(0, p);
        const s = Buffer.from(body.subarray(p, e < 0 ? body.length : e)).toString('latin1');
        p = e < 0 ? body.length : e + 1;
        return s;
      };
      const name = str();
      const clock = str();
      if (p + 8 > body.length) return;
      const pageSize = v.getUint32(p, true);
      const n = v.getUint32(p + 4, true);
      p += 8;
      const cpus: CpuData[] = [];
      for (let i = 0; i < n && p + 20 <= body.length; i++, p += 20) {
        cpus.push({ cpu: v.getUint32(p, true), offset: u64(p + 4), size: u64(p + 12) });
      }
      h.buffers.push(Object.assign({ name, clock, pageSize, cpus, compressed: false }, { section }));
      return;
    }
    case 4: h.traceClock = selectedClock(cstrs(body)[0]!); return;
    case 5: h.uname = cstrs(body)[0]; return;
    // DATE (µs) and OFFSET (ns) add up, read the way libtracecmd reads them (strtoll, base 0).
    case 1: h.offsetNs += strtoll(cstrs(body)[0]!) * 1000n; return;
    case 7: h.offsetNs += strtoll(cstrs(body)[0]!); return;
    case 8: if (body.length >= 4) h.cpuCount = v.getUint32(0, true); return;
    case 14: if (body.length >= 16) h.tsc2nsec = { mult: BigInt(v.getUint32(0, true)), shift: BigInt(v.getUint32(4, true)), offset: v.getBigUint64(8, true) }; return;
    default:
      if (sections && id >= 16 && id <= 21 && body.length >= 8) sections.set(id, u64(0));
  }
}

/**
 * Without the BUFFER option (cut off the end of the file), the CPU blocks of a compressed
 * BUFFER section are found in order: page-aligned, each a chunk count then its chunks.
 */
async function recoverBuffer(src: ByteSource, at: number, h: TraceDatHeader): Promise<void> {
  const c = new Cursor(src, at);
  if (at + 16 > src.size) return;
  const id = await c.u16('the BUFFER section id');
  const flags = await c.u16('the BUFFER section flags');
  if (id !== SECTION.BUFFER || !(flags & 1)) return;
  const page = h.pageSize;
  const align = (n: number): number => Math.ceil(n / page) * page;
  let pos = align(at + 16);
  const cpus: CpuData[] = [];
  const ncpu = h.cpuCount ?? 0;
  for (let cpu = 0; cpu < ncpu && pos + 4 <= src.size; cpu++) {
    const b = await src.read(pos, 4);
    const n = new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
    let q = pos + 4;
    for (let i = 0; i < n && q + 8 <= src.size; i++) {
      const hb = await src.read(q, 8);
      q += 8 + new DataView(hb.buffer, hb.byteOffset, 8).getUint32(0, true);
    }
    cpus.push({ cpu, offset: pos, size: q - pos - 4 });
    pos = align(q);
  }
  h.buffers.push(Object.assign({ name: '', pageSize: page, cpus, compressed: true }, { section: at }));
}

/** Sections tile a whole file: one running past the end means the file was cut. */
async function checkTiling(src: ByteSource, first: number, h: TraceDatHeader): Promise<void> {
  let p = first;
  while (p + 16 <= src.size) {
    const b = await src.read(p, 16);
    const size = Number(new DataView(b.buffer, b.byteOffset, 16).getBigUint64(8, true));
    if (p + 16 + size > src.size) {
      h.damages.push(new Damage(src.size, `the rest of the section at offset ${p} (${p + 16 + size - src.size} more bytes)`));
      return;
    }
    p += 16 + size;
  }
  if (p !== src.size) h.damages.push(new Damage(p, 'a 16-byte section header'));
}
