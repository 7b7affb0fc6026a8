// Compressed input decoded on a worker thread gives the same bytes, the same progress
// and the same errors as decoding on the main thread (small files are decoded on the
// main thread: `threadFrom: 0` makes the tests use the worker for them too).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SAMPLES_DIR } from '../../src/testing/captures.ts';
import { openInput } from './input.ts';
import { openInputThreaded } from './input-thread.ts';

const tmp = mkdtempSync(join(tmpdir(), 'reaplay-input-thread-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function read(gen: AsyncGenerator<Buffer>): Promise<{ bytes: Buffer; error?: string }> {
  const parts: Buffer[] = [];
  try {
    for await (const c of gen) parts.push(Buffer.from(c));
  } catch (e) {
    return { bytes: Buffer.concat(parts), error: (e as Error).message };
  }
  return { bytes: Buffer.concat(parts) };
}

describe('openInputThreaded', () => {
  for (const f of ['excerpts/haystack-6.1-oom.txt.zst', '6.1/premature/ftrace.txt.gz', '6.1/premature/kprobe_events.txt']) {
    it(`${f}: the same bytes and raw progress as openInput`, async () => {
      const file = join(SAMPLES_DIR, f);
      let raw1 = 0;
      let raw2 = 0;
      const a = await read(openInput(file, { onRaw: (n) => (raw1 += n) }));
      const b = await read(openInputThreaded(file, { onRaw: (n) => (raw2 += n), threadFrom: 0 }));
      expect(b.error).toBeUndefined();
      expect(b.bytes.equals(a.bytes)).toBe(true);
      expect(raw2).toBe(raw1);
    }, 60_000);
  }

  it('reused buffers: the first chunk and the last three stay intact, the bytes are the same', async () => {
    // The gzip capture 80 times as base64 text (~14 MB): chunks go back to the worker and come again.
    const text = Buffer.concat(Array.from({ length: 80 }, () => readFileSync(join(SAMPLES_DIR, '6.1/premature/ftrace.txt.gz')))).toString('base64');
    const gz = join(tmp, 'big.txt.gz');
    writeFileSync(gz, gzipSync(text));
    const seen: { view: Buffer; copy: Buffer }[] = [];
    for await (const c of openInputThreaded(gz, { reuseBuffers: true, threadFrom: 0 })) {
      seen.push({ view: c, copy: Buffer.from(c) });
      for (const k of [0, seen.length - 3, seen.length - 2]) if (k >= 0) expect(seen[k]!.view.equals(seen[k]!.copy)).toBe(true);
    }
    expect(seen.length).toBeGreaterThan(8);
    expect(Buffer.concat(seen.map((s) => s.copy)).toString()).toBe(text);
    // Reused indeed: an early chunk's memory holds later text.
    expect(seen[1]!.view.equals(seen[1]!.copy)).toBe(false);
  }, 60_000);

  it('a truncated .zst: what was decoded is kept, the error is the same', async () => {
    const whole = readFileSync(join(SAMPLES_DIR, 'excerpts/haystack-6.1-oom.txt.zst'));
    const cut = join(tmp, 'cut.zst');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    const a = await read(openInput(cut));
    const b = await read(openInputThreaded(cut, { threadFrom: 0 }));
    expect(a.error).toBeDefined();
    expect(b.error).toBe(a.error);
    expect(b.bytes.equals(a.bytes)).toBe(true);
  }, 60_000);
});
