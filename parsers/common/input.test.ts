import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { InputError, compressionOf, openInput, type Compression } from './input.ts';
import { SAMPLES_DIR } from '../../src/testing/captures.ts';

const ZST = join(SAMPLES_DIR, 'excerpts/haystack-6.1-oom.txt.zst');
const tmp = mkdtempSync(join(tmpdir(), 'reaplay-input-'));

async function readAll(file: string): Promise<{ text: Buffer; compression?: Compression }> {
  let compression: Compression | undefined;
  const parts: Buffer[] = [];
  for await (const c of openInput(file, { onCompression: (c) => (compression = c) })) parts.push(c);
  return { text: Buffer.concat(parts), compression };
}

describe('openInput', () => {
  it('reuseBuffers: a plain file of several megabytes reads whole, in buffers reused in turn', async () => {
    const file = join(tmp, 'big.txt');
    const text = Buffer.from(Array.from({ length: 120_000 }, (_, i) => `line ${i} ${'x'.repeat(i % 61)}`).join('\n'), 'latin1');
    writeFileSync(file, text);
    expect(text.length).toBeGreaterThan(4 << 20);
    const parts: Buffer[] = [];
    const memory = new Set<ArrayBufferLike>();
    let raw = 0;
    for await (const c of openInput(file, { reuseBuffers: true, onRaw: (n) => (raw += n) })) {
      parts.push(Buffer.from(c));
      memory.add(c.buffer);
    }
    expect(Buffer.concat(parts).equals(text)).toBe(true);
    expect(raw).toBe(text.length);
    // The first chunk, then three buffers in turn, however many chunks.
    expect(parts.length).toBeGreaterThan(4);
    expect(memory.size).toBeLessThanOrEqual(4);
  });

  it('reuseBuffers: the chunk held stays intact while the next is read ahead, and an early stop ends cleanly', async () => {
    const file = join(tmp, 'ahead.txt');
    const text = Buffer.alloc(5 << 20);
    for (let i = 0; i < text.length; i++) text[i] = 97 + ((i >> 20) % 26);
    writeFileSync(file, text);
    const parts: Buffer[] = [];
    for await (const c of openInput(file, { reuseBuffers: true })) {
      // Time for the read under way to land: it must not land here.
      await new Promise((r) => setTimeout(r, 20));
      parts.push(Buffer.from(c));
    }
    expect(Buffer.concat(parts).equals(text)).toBe(true);
    let seen = 0;
    for await (const c of openInput(file, { reuseBuffers: true })) {
      seen += c.length;
      if (seen > 1 << 20) break;
    }
    expect(seen).toBeGreaterThan(1 << 20);
  });

  it('decompresses zstd (a real excerpt) and gzip to the same text, and passes plain text through', async () => {
    const z = await readAll(ZST);
    expect(z.compression).toBe('zstd');
    expect(z.text.toString('latin1').split('\n')).toHaveLength(5002);
    expect(z.text.toString('latin1')).toMatch(/mark_victim: pid=2754 comm=victim/);
    const gz = join(tmp, 'x.txt.gz');
    writeFileSync(gz, gzipSync(z.text));
    const plain = join(tmp, 'x.txt');
    writeFileSync(plain, z.text);
    expect(await readAll(gz)).toEqual({ text: z.text, compression: 'gzip' });
    expect(await readAll(plain)).toEqual({ text: z.text, compression: 'none' });
  });

  it('a truncated zstd stream is an error naming the file, after the text before the cut', async () => {
    const cut = join(tmp, 'cut.txt.zst');
    const whole = readFileSync(ZST);
    writeFileSync(cut, whole.subarray(0, whole.length - 100));
    const parts: Buffer[] = [];
    const err = await (async () => {
      try {
        for await (const c of openInput(cut)) parts.push(c);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(/cut\.txt\.zst: zstd data is (corrupt|truncated)/);
    expect((err as InputError).code).toBe('bad_compression');
  });

  it('tells compression by magic bytes, not by name', () => {
    expect(compressionOf(Buffer.from([0x1f, 0x8b, 8]))).toBe('gzip');
    expect(compressionOf(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))).toBe('zstd');
    expect(compressionOf(Buffer.from('# tracer: nop'))).toBe('none');
  });

  it('a cut gzip or zstd stream keeps what was decoded before the break and names its byte offset', async () => {
    const whole = readFileSync(ZST);
    const text = (await readAll(ZST)).text;
    const gz = gzipSync(text);
    for (const [name, bytes] of [['cut2.txt.zst', whole.subarray(0, whole.length >> 1)], ['cut2.txt.gz', gz.subarray(0, gz.length >> 1)]] as const) {
      const f = join(tmp, name);
      writeFileSync(f, bytes);
      const parts: Buffer[] = [];
      let err: unknown;
      try {
        for await (const c of openInput(f)) parts.push(c);
      } catch (e) {
        err = e;
      }
      expect(err, name).toBeInstanceOf(InputError);
      expect((err as InputError).offset, name).toBe(bytes.length);
      expect((err as InputError).message).toMatch(/(zstd|gzip) data is .*byte \d+/);
      const got = Buffer.concat(parts);
      expect(got.length, name).toBeGreaterThan(0);
      expect(text.subarray(0, got.length).equals(got), name).toBe(true);
    }
  });
});
