// zstd frames decoded in place (ZstdRegion) give the bytes another decoder (fzstd) gives,
// and stay readable after another region's decode grows the decoder's memory.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLES_DIR } from '../../src/testing/captures.ts';
import { FileSource } from './byte-source.ts';
import { decompress as fzstd } from 'fzstd';
import { ZstdRegion, zstdFrame, zstdReady } from './zstd.ts';
import { readTraceDatHeader, type TraceDatHeader } from '../trace-dat/header.ts';
import { CpuStream, type RecordTarget } from '../trace-dat/cpu-stream.ts';

const FILE = join(SAMPLES_DIR, 'binary/6.1/kvm_mn_eagain/trace.dat');
const bytes = readFileSync(FILE);
let h: TraceDatHeader;
/** The sample's zstd chunks: frame and decoded size. */
const chunks: { frame: Uint8Array; size: number }[] = [];

beforeAll(async () => {
  const src = await FileSource.open(FILE);
  h = await readTraceDatHeader(src);
  await src.close();
  await zstdReady();
  for (const d of h.buffers[0]!.cpus) {
    let p = d.offset + 4;
    for (let i = bytes.readUInt32LE(d.offset); i > 0; i--) {
      const csize = bytes.readUInt32LE(p);
      chunks.push({ frame: bytes.subarray(p + 8, p + 8 + csize), size: bytes.readUInt32LE(p + 4) });
      p += 8 + csize;
    }
  }
});

/** The decoder's memory as it is now (`probe` holds a decoded frame). */
const memoryBytes = (probe: ZstdRegion): number => probe.view().buffer.byteLength;

/** Regions kept open so that each growth below is a real one (closed after each test). */
const hogs: ZstdRegion[] = [];
afterEach(() => hogs.splice(0).forEach((r) => r.close()));

/** Grows the decoder's memory: a region asks for more than it holds (the frame does not decode to that size: it throws). */
function growMemory(probe: ZstdRegion): void {
  const before = memoryBytes(probe);
  const hog = new ZstdRegion();
  hogs.push(hog);
  expect(() => hog.decode(chunks[0]!.frame, before + (1 << 20))).toThrow(/decoded to/);
  expect(memoryBytes(probe)).toBeGreaterThan(before);
}

describe('ZstdRegion', () => {
  it("decodes every chunk of a trace.dat to fzstd's bytes, in place and as a copy", () => {
    expect(h.compression).toBe('zstd');
    expect(chunks.length).toBeGreaterThan(5);
    const r = new ZstdRegion();
    for (const c of chunks) {
      const want = Buffer.from(fzstd(c.frame));
      expect(want.length).toBe(c.size);
      expect(Buffer.from(r.decode(c.frame, c.size)).equals(want)).toBe(true);
      expect(Buffer.from(zstdFrame(c.frame, c.size)).equals(want)).toBe(true);
    }
    r.close();
  });

  it("keeps a frame's bytes when another region grows the memory: the old view is detached, view() gives them again", () => {
    const r = new ZstdRegion();
    const c = chunks[1]!;
    const before = Buffer.from(r.decode(c.frame, c.size));
    const old = r.view();
    growMemory(r);
    expect(old.byteLength).toBe(0);
    expect(Buffer.from(r.view()).equals(before)).toBe(true);
    r.close();
  });

  it('throws on a corrupt frame and decodes the next one', () => {
    const r = new ZstdRegion();
    const bad = Buffer.from(chunks[2]!.frame);
    bad.fill(0xa5, 4, 40);
    expect(() => r.decode(bad, chunks[2]!.size)).toThrow(/zstd frame/);
    expect(r.view().byteLength).toBe(0);
    const c = chunks[3]!;
    expect(Buffer.from(r.decode(c.frame, c.size)).equals(Buffer.from(fzstd(c.frame)))).toBe(true);
    r.close();
  });
});

describe('CpuStream over regions', () => {
  /** Every record of every CPU as (cpu, type, raw time, record), the CPUs walked in turn, record by record. */
  async function records(grow: boolean): Promise<string[]> {
    const src = await FileSource.open(FILE);
    const out: string[] = [];
    const target: RecordTarget = {
      state: new Uint8Array(65536).fill(2),
      counts: new Uint32Array(65536),
      wanted: () => true,
      item: (type, _b, view, base, _len, ts, cpu, _o, record) => {
        out.push(`${cpu} ${type} ${ts} ${record} ${view.getUint16(base, true)}`);
        return { ts };
      },
      lost: (ts) => ({ ts }),
    };
    const b = h.buffers[0]!;
    const streams = b.cpus.map((d) => new CpuStream({ src, file: FILE, target, page: h.data.page, pageSize: b.pageSize || h.pageSize, compression: 'zstd', time: () => 0n, damage: (cpu) => ({ kind: 'events_dropped', cpu, src: { file: FILE, line: 0, offset: 0 } }) }, d));
    const probe = new ZstdRegion();
    probe.decode(chunks[0]!.frame, chunks[0]!.size);
    for (let open = streams.length, n = 0; open > 0; n++) {
      open = 0;
      for (const s of streams) if (await s.next()) open++;
      // Each stream stopped on a record (at first, on its chunk's first page): the memory
      // grows under it, and it goes on from there.
      if (grow && n % 1000 === 0) growMemory(probe);
    }
    probe.close();
    await src.close();
    return out;
  }

  it('walks the same records when the memory grows while its chunk is being read', async () => {
    const plain = await records(false);
    expect(plain.length).toBeGreaterThan(5000);
    expect(await records(true)).toEqual(plain);
  });
});

describe('zstdReady', () => {
  it('fails, rather than every chunk later, when another ZSTDDecoder started the WebAssembly first', async () => {
    const { execFileSync } = await import('node:child_process');
    const zstd = join(import.meta.dirname, 'zstd.ts');
    const script = `import { ZSTDDecoder } from 'zstddec'; globalThis.fetch = undefined; await new ZSTDDecoder().init();
      const { zstdReady } = await import(${JSON.stringify(zstd)});
      try { await zstdReady(); console.log('ready'); } catch (e) { console.log(e.message); }`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: join(import.meta.dirname, '../..'), encoding: 'utf8' });
    expect(out).toMatch(/another ZSTDDecoder was first/);
  });
});
