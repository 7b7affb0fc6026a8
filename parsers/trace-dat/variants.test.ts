// trace.dat variants: zlib compression, written by trace-cmd itself (trace-cmd-zlib.dat,
// below), and the DATE, OFFSET and TSC2NSEC options (written by `trace-cmd record --date`,
// `--ts-offset`, `--tsc2nsec` on a live system), made here from the bundled v7 capture by
// src/testing/trace-dat-rewrite.ts, which rewrites it byte for byte when asked for no
// change, and where trace-cmd is installed compared with what `trace-cmd report` prints.
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

/** The body of the capture's BUFFER option (in its last OPTIONS section). */
function bufferOption(file: Buffer): Buffer {
  let found: Buffer | undefined;
  for (let p = 37; p + 16 <= file.length; ) {
    const size = Number(file.readBigUInt64LE(p + 8));
    if (file.readUInt16LE(p) === 0) {
      for (let q = p + 16; q + 6 <= p + 16 + size; ) {
        const id = file.readUInt16LE(q);
        const n = file.readUInt32LE(q + 2);
        if (id === 3) found = file.subarray(q + 6, q + 6 + n);
        q += 6 + n;
        if (id === 0) break;
      }
    }
    p += 16 + size;
  }
  return found!;
}

describe('trace.dat variants', () => {
  it('the rewriting helper gives back the capture byte for byte when asked for no change', async () => {
    expect(Buffer.compare(Buffer.from(await rewriteV7(V7, {})), V7)).toBe(0);
  });

  it('zlib, written by trace-cmd: the same events, at the same ns, as the zstd original, and those of its trace-cmd report', async () => {
    // `trace-cmd convert --compression none` of trace.dat (Debian's trace-cmd 3.1.6, zstd
    // only), then `trace-cmd convert --compression zlib` by trace-cmd 3.1.6 built from its
    // source with zlib. Its `trace-cmd report` (by that build) is byte for byte the
    // capture's trace-cmd-report.txt.gz.
    const zlib = join(BIN, 'trace-cmd-zlib.dat');
    expect(readFileSync(zlib).includes(Buffer.from('zlib\0'))).toBe(true);
    const a = await parseAll([zlib]);
    const b = await parseAll([join(BIN, 'trace.dat')]);
    expect(a.events.length).toBeGreaterThan(1000);
    expect(firstDifference(a.events, b.events, exact)).toBeUndefined();
    expect(a.diag).toEqual({});
    const fromReport = await parseAll([join(SAMPLES_DIR, '6.1/kvm_mn_eagain/trace-cmd-report.txt.gz'), KPROBES]);
    expect(firstDifference(a.events, fromReport.events, reportMicros)).toBeUndefined();
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

  it('two buffers (the top one and an instance over the same CPU data): merged by time as trace-cmd report prints them, the earlier buffer first on ties', async () => {
    // A second BUFFER option, named "inst", listing the top buffer's CPU data again.
    const top = bufferOption(V7);
    const named = Buffer.concat([top.subarray(0, 8), Buffer.from('inst\0'), top.subarray(9)]);
    const f = join(tmp, 'instance.dat');
    writeFileSync(f, await rewriteV7(V7, { addOptions: [{ id: 3, body: named }] }));
    const got = await parseAll([f]);
    const base = await parseAll([join(BIN, 'trace.dat')]);
    // Each event twice: by time, the top buffer's before the instance's, then by CPU (the original's order).
    const both = [...base.events.map((e, i) => ({ e, i, b: 0 })), ...base.events.map((e, i) => ({ e, i, b: 1 }))];
    both.sort((x, y) => (x.e.ts < y.e.ts ? -1 : x.e.ts > y.e.ts ? 1 : x.b - y.b || x.i - y.i));
    expect(got.events.map((e) => key(e, exact))).toEqual(both.map(({ e }) => key(e, exact)));
    if (HAVE_TRACE_CMD) {
      // The report prefixes an instance's lines with its name, which the text reader does
      // not take apart: blanked here, the lines are the top buffer's format.
      const report = spawnSync('trace-cmd', ['report', '-i', f], { encoding: 'utf8', maxBuffer: 64 << 20 });
      expect(report.stdout).toMatch(/^inst: /m);
      const txt = join(tmp, 'instance.report.txt');
      writeFileSync(txt, report.stdout.replace(/^inst: /gm, '      '));
      const fromReport = await parseAll([txt, KPROBES]);
      expect(firstDifference(got.events, fromReport.events, reportMicros)).toBeUndefined();
    }
  });

  it('option numbers are read as strtoll(s, NULL, 0) reads them', () => {
    expect([' 42', '-7', '0x1f', '010', '12abc', 'x', ''].map(strtoll)).toEqual([42n, -7n, 31n, 8n, 12n, 0n, 0n]);
  });
});
