// Compressed chunks are read through a window (cpu-stream.ts): a chunk, its header or the
// chunk count may straddle the window's end, and a cut file ends inside one. With a window
// of a few dozen bytes (nearly every chunk straddling) the events, losses and diagnostics
// are those of the 1 MB window, intact, cut and corrupt.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Parsed, firstDifference, parseAll, reportMicros } from '../../src/testing/binary-compare.ts';
import { SAMPLES_DIR } from '../../src/testing/captures.ts';
import { setReadWindow } from './cpu-stream.ts';
import { setWalkerMinBytes } from './walker-pool.ts';

const V7 = readFileSync(join(SAMPLES_DIR, 'binary/6.1/kvm_mn_eagain/trace.dat'));
const tmp = mkdtempSync(join(tmpdir(), 'reaplay-dat-window-'));
let n = 0;

/** The file read with the usual window, then with a `small` one (pages walked in this thread, where the window is set). */
async function both(bytes: Uint8Array, small: number): Promise<[Parsed, Parsed]> {
  const f = join(tmp, `t${n++}.dat`);
  writeFileSync(f, bytes);
  setWalkerMinBytes(Infinity);
  const usual = await parseAll([f]);
  setReadWindow(small);
  const windowed = await parseAll([f]);
  setReadWindow(1 << 20);
  return [usual, windowed];
}

function expectSame(a: Parsed, b: Parsed): void {
  expect(b.diag).toEqual(a.diag);
  expect(b.losses).toEqual(a.losses);
  expect(firstDifference(b.events, a.events, reportMicros)).toBeUndefined();
  expect(b.events.map((e) => e.src)).toEqual(a.events.map((e) => e.src));
}

afterEach(() => {
  setReadWindow(1 << 20);
  setWalkerMinBytes(4 << 20);
});

describe('trace.dat chunks read through a small window', () => {
  it('the same events, to the record, with windows of 7, 64 and 4096 bytes', async () => {
    for (const small of [7, 64, 4096]) {
      const [usual, windowed] = await both(V7, small);
      expect(usual.events.length).toBeGreaterThan(1000);
      expectSame(usual, windowed);
    }
  });

  it('cut inside the data and corrupt: the same diagnostics, losses and events before them', async () => {
    const corrupt = Buffer.from(V7);
    for (let i = 0; i < 24; i++) corrupt[V7.length - 9000 + i] ^= 0xff;
    const cuts = [5000, 9001, 20000].map((k) => V7.subarray(0, V7.length - k));
    for (const bytes of [corrupt, ...cuts]) {
      const [usual, windowed] = await both(bytes, 64);
      expect(usual.diag.damaged_binary ?? 0).toBeGreaterThan(0);
      expectSame(usual, windowed);
    }
  });
});
