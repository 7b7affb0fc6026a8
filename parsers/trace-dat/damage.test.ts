// Cut and corrupted trace.dat files, at every structural boundary of a bundled one: a
// diagnostic with the offset, every event decoded before the damage kept, no crash, no hang.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { InputError } from '../common/input.ts';
import { type Parsed, key, parseAll, reportMicros } from '../../src/testing/binary-compare.ts';
import { SAMPLES_DIR } from '../../src/testing/captures.ts';
import type { TraceEvent } from '../../src/types/event.ts';

const BIN = join(SAMPLES_DIR, 'binary/6.1/kvm_mn_eagain');
const tmp = mkdtempSync(join(tmpdir(), 'reaplay-dat-damage-'));
const V7 = readFileSync(join(BIN, 'trace.dat'));
const V6 = gunzipSync(readFileSync(join(BIN, 'trace-v6.dat.gz')));

let n = 0;
async function read(bytes: Uint8Array): Promise<Parsed | InputError> {
  const f = join(tmp, `t${n++}.dat`);
  writeFileSync(f, bytes);
  try {
    return await parseAll([f]);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
}

const perCpu = (evs: TraceEvent[]): Map<number, string[]> => {
  const m = new Map<number, string[]>();
  for (const e of evs) {
    const l = m.get(e.cpu) ?? [];
    l.push(key(e, reportMicros));
    m.set(e.cpu, l);
  }
  return m;
};

/** Each CPU's events are a prefix of that CPU's events in the whole file. */
function expectPrefix(part: TraceEvent[], whole: TraceEvent[]): void {
  const w = perCpu(whole);
  for (const [cpu, evs] of perCpu(part)) expect(evs).toEqual(w.get(cpu)!.slice(0, evs.length));
}

/** Section starts of a v7 file: they tile it from byte 37 (zstd header). */
function v7Sections(b: Uint8Array): number[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: number[] = [];
  for (let p = 37; p + 16 <= b.length; p += 16 + Number(v.getBigUint64(p + 8, true))) out.push(p);
  return out;
}

async function cutEverywhere(whole: Uint8Array, cuts: number[]): Promise<void> {
  const full = await read(whole);
  if (full instanceof InputError) throw full;
  let kept = 0;
  for (const at of cuts) {
    const r = await read(whole.subarray(0, at));
    if (r instanceof InputError) {
      // Nothing could be read: the message names the offset and what was expected.
      // (Before the 10-byte magic is whole, the file is no longer recognisable at all.)
      expect(r.message, `cut at ${at}`).toMatch(at < 10 ? /not a trace/ : /offset \d+/);
      continue;
    }
    // Only a cut that loses nothing read (the trailing STRINGS section) may go unreported.
    if (r.events.length < full.events.length) expect(r.diag.damaged_binary ?? 0, `cut at ${at}`).toBeGreaterThan(0);
    expectPrefix(r.events, full.events);
    kept += r.events.length;
  }
  // Cuts inside the data keep what was before them.
  expect(kept).toBeGreaterThan(0);
}

describe('truncated trace.dat', () => {
  it('v7 (zstd): cut at and inside every section, chunk and page', async () => {
    const secs = v7Sections(V7);
    const cuts = new Set<number>([1, 12, 20, 36]);
    for (const s of secs) for (const d of [0, 1, 15, 16, 17, 40]) cuts.add(s + d);
    // Inside the per-CPU data: every 4 KiB.
    for (let p = 4096; p < V7.length; p += 4096) cuts.add(p).add(p + 9);
    await cutEverywhere(V7, [...cuts].filter((c) => c > 0 && c < V7.length).sort((a, b) => a - b));
  }, 120_000);

  it('v6: cut in the metadata, the CPU table and every page of data', async () => {
    const cuts = new Set<number>([1, 11, 17, 18, 40, 1000, 5000]);
    for (let p = 8192; p < V6.length; p += 4096) cuts.add(p).add(p + 100).add(p + 4000);
    await cutEverywhere(V6, [...cuts].filter((c) => c < V6.length).sort((a, b) => a - b));
  }, 120_000);
});

describe('corrupt trace.dat', () => {
  it('a flipped byte anywhere in the first sections, options and data never crashes or hangs', async () => {
    const full = await read(V7);
    if (full instanceof InputError) throw full;
    const places = new Set<number>();
    for (const s of v7Sections(V7)) for (const d of [0, 2, 8, 16, 20, 24, 30]) places.add(s + d);
    for (let p = 0; p < V7.length; p += 997) places.add(p);
    for (const at of [...places].filter((p) => p < V7.length)) {
      const b = Buffer.from(V7);
      b[at] ^= 0xa5;
      const r = await read(b);
      if (r instanceof InputError) expect(r.message).toMatch(at < 10 ? /not a trace/ : /offset|version|compression|not supported/);
    }
  }, 120_000);

  it('a corrupt zstd chunk: a diagnostic naming the offset; the other CPU is still read', async () => {
    const b = Buffer.from(V7);
    // CPU data chunks start page-aligned after the BUFFER section; corrupt the first chunk's frame.
    const secs = v7Sections(V7);
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const buffer = secs.find((s) => v.getUint16(s, true) === 3)!;
    const cpu0 = Math.ceil((buffer + 16) / 4096) * 4096;
    for (let i = 16; i < 40; i++) b[cpu0 + i] ^= 0xff;
    const r = await read(b);
    if (r instanceof InputError) throw r;
    expect(r.diag.damaged_binary).toBeGreaterThan(0);
    expect(r.events.length).toBeGreaterThan(0);
  });

  it('a corrupt KALLSYMS section: a diagnostic naming it, and every event still read (kprobe sites named by the definitions when given)', async () => {
    const b = Buffer.from(V7);
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const kallsyms = v7Sections(b).find((s) => v.getUint16(s, true) === 19)!;
    // Inside its zstd frame (after the 16-byte section header and the two size words).
    for (let i = 40; i < 72; i++) b[kallsyms + i] ^= 0xff;
    const full = await read(V7);
    const r = await read(b);
    if (r instanceof InputError || full instanceof InputError) throw r;
    expect(r.diag).toEqual({ damaged_binary: 1 });
    expect(r.events.length).toBe(full.events.length);
    const defs = join(SAMPLES_DIR, '6.1/kvm_mn_eagain/kprobe_events.txt');
    const f = join(tmp, 'kallsyms-corrupt.dat');
    writeFileSync(f, b);
    const named = await parseAll([f, defs]);
    const whole = await parseAll([join(BIN, 'trace.dat'), defs]);
    expect(named.events.map((e) => key(e, reportMicros))).toEqual(whole.events.map((e) => key(e, reportMicros)));
  });

  it('an unknown version and an unknown compression are named, with what to do', async () => {
    const b = Buffer.from(V7);
    b[10] = 0x39; // version "9"
    const r = await read(b);
    expect(r).toBeInstanceOf(InputError);
    expect((r as InputError).message).toMatch(/file version "9" is not supported.*trace-cmd convert/);
    const c = Buffer.from(V7);
    c.write('lz4\0', 18, 'latin1');
    const r2 = await read(c);
    expect(r2).toBeInstanceOf(InputError);
    expect((r2 as InputError).message).toMatch(/compression "lz4" is not supported/);
  });
});
