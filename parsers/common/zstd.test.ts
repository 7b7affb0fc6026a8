// zstd frames decoded in place (ZstdRegion) give the bytes zstddec gives, and stay
// readable after another region's decode grows the decoder's memory.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SAMPLES_DIR } from '../../src/testing/captures.ts';
import { FileSource } from './byte-source.ts';
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

/** Grows the decoder's memory by ~64 MB (the frame does not decode to that size: it throws). */
function growMemory(): void {
  const big = new ZstdRegion();
  expect(() => big.decode(chunks[0]!.frame, 64 << 20)).toThrow(/decoded to/);
  big.close();
}

describe('ZstdRegion', () => {
  it("decodes every chunk of a trace.dat to zstddec's bytes", () => {
    expect(h.compression).toBe('zstd');
    expect(chunks.length).toBeGreaterThan(5);
    const r = new ZstdRegion();
    for (const c of chunks) expect(Buffer.from(r.decode(c.frame, c.size)).equals(Buffer.from(zstdFrame(c.frame, c.size)))).toBe(true);
    r.close();
  });

  it("keeps a frame's bytes when another region grows the memory: the old view is detached, view() gives them again", () => {
    const r = new ZstdRegion();
    const c = chunks[1]!;
    const before = Buffer.from(r.decode(c.frame, c.size));
    const old = r.view();
    growMemory();
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
    expect(Buffer.from(r.decode(c.frame, c.size)).equals(Buffer.from(zstdFrame(c.frame, c.size)))).toBe(true);
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
    for (let open = streams.length, n = 0; open > 0; n++) {
      open = 0;
      for (const s of streams) if (await s.next()) open++;
      // Mid-chunk, now and then: the other stream's chunk is read from a grown memory.
      if (grow && n % 1000 === 500) growMemory();
    }
    await src.close();
    return out;
  }

  it('walks the same records when the memory grows while its chunk is being read', async () => {
    const plain = await records(false);
    expect(plain.length).toBeGreaterThan(5000);
    expect(await records(true)).toEqual(plain);
  });
});
