// Cut and corrupted perf.data files at every record boundary: a diagnostic with the
// offset, the samples before the damage kept, no crash, no hang.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { InputError } from '../common/input.ts';
import { fixedRawOffset, parseAttr, sampleIdOffset } from './attrs.ts';
import { type Parsed, key, parseAll } from '../../src/testing/binary-compare.ts';
import { SAMPLES_DIR } from '../../src/testing/captures.ts';

const BIN = join(SAMPLES_DIR, 'binary');
const tmp = mkdtempSync(join(tmpdir(), 'reaplay-perf-damage-'));
const exact = (ns: bigint): bigint => ns;

let n = 0;
async function read(bytes: Uint8Array): Promise<Parsed | InputError> {
  const f = join(tmp, `p${n++}.data`);
  writeFileSync(f, bytes);
  try {
    return await parseAll([f]);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
}

/** Record starts of the records from `from` to `to` (the 8-byte headers' sizes). */
function records(b: Uint8Array, from: number, to: number): number[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: number[] = [];
  for (let p = from; p + 8 <= to; ) {
    out.push(p);
    const type = v.getUint32(p, true);
    const size = v.getUint16(p + 6, true);
    p += size + (type === 66 ? v.getUint32(p + 8, true) : 0);
  }
  return out;
}

/** `clean`: cut points a stream cannot tell from its end (a pipe cut between two records). */
async function cuts(whole: Uint8Array, at: number[], clean = new Set<number>()): Promise<number> {
  const full = await read(whole);
  if (full instanceof InputError) throw full;
  const all = new Set(full.events.map((e) => key(e, exact)));
  let kept = 0;
  for (const c of at) {
    const r = await read(whole.subarray(0, c));
    if (r instanceof InputError) {
      expect(r.message, `cut at ${c}`).toMatch(c < 8 ? /not a trace/ : /offset \d+|header/);
      continue;
    }
    // A sample kept from a cut file is one of the whole file's samples.
    for (const e of r.events) expect(all.has(key(e, exact)), `cut at ${c}`).toBe(true);
    if (r.events.length < full.events.length && !clean.has(c)) expect(r.diag.damaged_binary ?? 0, `cut at ${c}`).toBeGreaterThan(0);
    kept += r.events.length;
  }
  return kept;
}

describe('truncated perf.data', () => {
  it('pipe mode: cut at and inside every record', async () => {
    const b = readFileSync(join(BIN, 'local/sched-pipe.perf.data'));
    const starts = records(b, 16, b.length);
    const at = starts.flatMap((p) => [p, p + 3, p + 9]).filter((p) => p < b.length);
    expect(await cuts(b, [1, 8, 12, ...at], new Set(starts))).toBeGreaterThan(0);
  }, 120_000);

  it('-z: cut at and inside every COMPRESSED record', async () => {
    const b = readFileSync(join(BIN, 'local/sched-z.perf.data'));
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const data = Number(v.getBigUint64(40, true));
    const end = data + Number(v.getBigUint64(48, true));
    const at = records(b, data, end).flatMap((p) => [p, p + 5, p + 40]).filter((p) => p < b.length);
    await cuts(b, [50, 104, 200, ...at, end, end + 10]);
  }, 120_000);

  it('file mode (a lab capture): cut in the header, the attrs, the data and the features', async () => {
    const b = gunzipSync(readFileSync(join(BIN, '6.1/kvm_mn_eagain/perf.data.gz')));
    const step = Math.floor(b.length / 40);
    const at = [3, 50, 103, 104, 300, 600];
    for (let p = 1000; p < b.length; p += step) at.push(p);
    await cuts(b, at);
  }, 120_000);
});

describe('corrupt perf.data', () => {
  it('flipped bytes in record headers and payloads: no crash, no hang, nothing before the flip lost', async () => {
    const b = readFileSync(join(BIN, 'local/sched-pipe.perf.data'));
    const full = await read(b);
    if (full instanceof InputError) throw full;
    let checked = 0;
    for (const p of records(b, 16, b.length)) {
      // The samples wholly before the flipped record, as the intact file gives them.
      const before = full.events.filter((e) => e.src.offset! < p).map((e) => key(e, exact));
      for (const d of [0, 4, 6, 7, 12]) {
        const c = Buffer.from(b);
        c[p + d] ^= 0xff;
        const r = await read(c);
        if (r instanceof InputError) continue;
        const got = new Set(r.events.map((e) => key(e, exact)));
        for (const k of before) expect(got.has(k), `flip at ${p}+${d}`).toBe(true);
        checked += before.length;
      }
    }
    expect(checked).toBeGreaterThan(0);
  }, 120_000);

  it('a corrupt zstd stream is a diagnostic naming the offset', async () => {
    const b = Buffer.from(readFileSync(join(BIN, 'local/sched-z.perf.data')));
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const data = Number(v.getBigUint64(40, true));
    const end = data + Number(v.getBigUint64(48, true));
    const comp = records(b, data, end).find((p) => v.getUint32(p, true) === 81)!;
    for (let i = 12; i < 60; i++) b[comp + i] ^= 0x5a;
    const r = await read(b);
    if (r instanceof InputError) throw r;
    expect(r.diag.damaged_binary).toBeGreaterThan(0);
  });

  it("a sample whose RAW size or id is corrupt: dropped with a diagnostic and a loss, the others kept", async () => {
    const b = gunzipSync(readFileSync(join(BIN, 'local/cpu-clock-sched.perf.data.gz')));
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    // The tracepoints' sample_type, from the attrs section (perf.data-file-format.txt).
    const attrSize = Number(v.getBigUint64(16, true));
    const attrsAt = Number(v.getBigUint64(24, true));
    const attrsEnd = attrsAt + Number(v.getBigUint64(32, true));
    let t = 0n;
    for (let p = attrsAt; p < attrsEnd; p += attrSize) {
      const a = parseAttr(b.subarray(p, p + attrSize - 16));
      if (a.type === 2) t = a.sampleType;
    }
    const full = await read(b);
    if (full instanceof InputError) throw full;
    const at = full.events.find((e) => e.name.startsWith('sched:'))!.src.offset!;
    for (const [place, value] of [[fixedRawOffset(t), 0xfffffff0], [8 + sampleIdOffset(t), 0xdeadbeef]] as const) {
      const c = Buffer.from(b);
      c.writeUInt32LE(value, at + place);
      const r = await read(c);
      if (r instanceof InputError) throw r;
      expect(r.diag.damaged_binary, `at +${place}`).toBe(1);
      expect(r.losses.some((l) => l.kind === 'events_dropped' && l.src.offset === at)).toBe(true);
      expect(r.events.length).toBe(full.events.length - 1);
    }
  });

  it('an old or byte-swapped perf.data is named, with what to do', async () => {
    const b = Buffer.from(readFileSync(join(BIN, 'local/sched-z.perf.data')));
    b.write('PERFFILE', 0, 'latin1');
    const r = await read(b);
    expect(r).toBeInstanceOf(InputError);
    expect((r as InputError).message).toMatch(/version 1.*perf script/);
  });
});
