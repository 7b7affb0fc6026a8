// trace.dat variants trace-cmd here cannot record: zlib compression (its trace-cmd is built
// with zstd only) and the DATE, OFFSET and TSC2NSEC options (written by `trace-cmd record
// --date`, `--ts-offset`, `--tsc2nsec` on a live system). They are made from the bundled v7
// capture by src/testing/trace-dat-rewrite.ts, which rewrites it byte for byte when asked
// for no change. trace-zlib.dat was made by it (every block re-encoded with zlib, in the
// zlib format trace-cmd's zlib algorithm writes); the option variants are made here, and
// where trace-cmd is installed, compared with what `trace-cmd report` prints for them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstDifference, key, parseAll, reportMicros } from '../../src/testing/binary-compare.ts';
import { SAMPLES_DIR } from '../../src/testing/captures.ts';
import { rewriteV7 } from '../../src/testing/trace-dat-rewrite.ts';
import { strtoll } from './header.ts';

const BIN = join(SAMPLES_DIR, 'binary/6.1/kvm_mn_eagain');
const KPROBES = join(SAMPLES_DIR, '6.1/kvm_mn_eagain/kprobe_events.txt');
const V7 = readFileSync(join(BIN, 'trace.dat'));
const tmp = mkdtempSync(join(tmpdir(), 'reaplay-dat-variants-'));
const HAVE_TRACE_CMD = spawnSync('trace-cmd', ['version']).status !== null;
const exact = (ns: bigint): bigint => ns;

const cstr = (s: string): Uint8Array => Buffer.from(`${s}\0`, 'latin1');
function tsc2nsec(mult: number, shift: number, offset: bigint): Uint8Array {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(mult, 0);
  b.writeUInt32LE(shift, 4);
  b.writeBigUInt64LE(offset, 8);
  return b;
}

describe('trace.dat variants', () => {
  it('the rewriting helper gives back the capture byte for byte when asked for no change', async () => {
    expect(Buffer.compare(Buffer.from(await rewriteV7(V7, {})), V7)).toBe(0);
  });

  it('zlib (bundled): the same events, at the same ns, as the zstd original', async () => {
    const zlib = join(BIN, 'trace-zlib.dat');
    expect(readFileSync(zlib).includes(Buffer.from('zlib\0'))).toBe(true);
    const a = await parseAll([zlib]);
    const b = await parseAll([join(BIN, 'trace.dat')]);
    expect(a.events.length).toBeGreaterThan(1000);
    expect(firstDifference(a.events, b.events, exact)).toBeUndefined();
    expect(a.diag).toEqual({});
  });

  const shifted: [string, { id: number; body: Uint8Array }[], (ns: bigint) => bigint][] = [
    ['OFFSET (ns, decimal)', [{ id: 7, body: cstr('1234567890') }], (ns) => ns + 1234567890n],
    ['DATE (µs, hex) and OFFSET add up', [{ id: 1, body: cstr('0x10') }, { id: 7, body: cstr('-5000') }], (ns) => ns + 16_000n - 5000n],
    // trace-cmd 3.1 multiplies and shifts; the option's offset is not applied.
    ['TSC2NSEC (mult 3, shift 1)', [{ id: 14, body: tsc2nsec(3, 1, 5_000_000n) }], (ns) => (ns * 3n) >> 1n],
  ];
  for (const [label, addOptions, expected] of shifted) {
    it(`${label}: every time corrected, nothing else changed`, async () => {
      const f = join(tmp, `${label.split(' ')[0]}.dat`);
      writeFileSync(f, await rewriteV7(V7, { addOptions }));
      const got = await parseAll([f]);
      const base = await parseAll([join(BIN, 'trace.dat')]);
      expect(got.events.length).toBe(base.events.length);
      // Each event as the original's, its time corrected.
      expect(got.events.map((e) => key(e, exact))).toEqual(base.events.map((e) => key(e, expected)));
      if (HAVE_TRACE_CMD) {
        const report = spawnSync('trace-cmd', ['report', '-i', f], { encoding: 'utf8', maxBuffer: 64 << 20 });
        const txt = join(tmp, `${label.split(' ')[0]}.report.txt`);
        writeFileSync(txt, report.stdout);
        const fromReport = await parseAll([txt, KPROBES]);
        expect(firstDifference(got.events, fromReport.events, reportMicros)).toBeUndefined();
      }
    });
  }

  it('option numbers are read as strtoll(s, NULL, 0) reads them', () => {
    expect([' 42', '-7', '0x1f', '010', '12abc', 'x', ''].map(strtoll)).toEqual([42n, -7n, 31n, 8n, 12n, 0n, 0n]);
  });
});
