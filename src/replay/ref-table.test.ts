// The references the model keeps to call lines, packed (ref-table.ts), on the real captures
// in each format (text, trace-cmd report, trace.dat v7 and v6 with an instance, perf.data):
// every event's reference is built again equal, key for key and in the same key order (the
// evidence of --json prints its source); what does not fit a row is kept as it is.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseAll } from '../testing/binary-compare.ts';
import { SAMPLES_DIR } from '../testing/captures.ts';
import { refOf, type TraceEvent } from '../types/event.ts';
import { RefTable } from './ref-table.ts';

const tmp = mkdtempSync(join(tmpdir(), 'reaplay-refs-'));
const gunzipTo = (from: string, name: string): string => {
  const out = join(tmp, name);
  writeFileSync(out, gunzipSync(readFileSync(join(SAMPLES_DIR, from))));
  return out;
};

const INPUTS: [string, () => string][] = [
  ['6.1 tracefs text', () => gunzipTo('6.1/premature/ftrace.txt.gz', 'ftrace.txt')],
  ['6.1 trace-cmd report of two files', () => gunzipTo('binary/6.1/kvm_mn_eagain/report-two-files.txt.gz', 'report.txt')],
  ['6.1 trace.dat', () => join(SAMPLES_DIR, 'binary/6.1/kvm_mn_eagain/trace.dat')],
  ['5.10 trace.dat v6 with an instance', () => gunzipTo('binary/5.10/premature_instance_v6/trace-v6.dat.gz', 'v6.dat')],
  ['6.1 perf.data', () => gunzipTo('binary/6.1/kvm_mn_eagain/perf.data.gz', 'perf.data')],
];

/** A reference as --json would print it: keys in order. */
const printed = (r: unknown): string => JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? `${v}n` : v === undefined ? '(absent)' : v));

describe('RefTable', () => {
  for (const [what, file] of INPUTS) {
    it(`${what}: every event's reference is built again equal`, async () => {
      const events = (await parseAll([file()])).events;
      expect(events.length).toBeGreaterThan(1000);
      const t = new RefTable();
      const rows = events.map((e) => t.add(e));
      expect(t.length).toBe(events.length);
      rows.forEach((row, i) => {
        const want = refOf(events[i]!);
        expect(printed(t.ref(row))).toBe(printed(want));
      });
    });
  }

  it('keeps whole what does not fit a row, and reads both back', () => {
    const base: TraceEvent = { ts: 5n, cpu: 0, pid: 7, comm: 'c', name: 'mn:x', text: '', src: { file: 'f', line: 3, offset: 10 } };
    const odd: TraceEvent[] = [
      { ...base, ts: 2n ** 70n },
      { ...base, ts: -(2n ** 63n) - 1n },
      { ...base, pid: 2 ** 40 },
      { ...base, tgid: -2 },
      { ...base, tgid: 2.5 },
      { ...base, src: { ...base.src, cpu: -2 } },
      { ...base, src: { ...base.src, record: 2 ** 32 } },
      { ...base, src: { ...base.src, line: -1 } },
    ];
    const fits: TraceEvent[] = [
      base,
      { ...base, ts: -(2n ** 63n), tgid: 9, src: { file: 'g', line: 0, offset: 2 ** 40 + 0.5, cpu: -1, record: 0, page: 3, instance: 'inst' } },
      { ...base, ts: 2n ** 63n - 1n, pid: -1, tgid: -1, src: { file: 'f', line: 2 ** 32 - 2, offset: 0, cpu: 0x7fff } },
    ];
    const t = new RefTable();
    const rows = [...odd, ...fits].map((e) => t.add(e));
    [...odd, ...fits].forEach((e, i) => {
      expect(printed(t.ref(rows[i]!))).toBe(printed(refOf(e)));
    });
  });

  it('spans several pages', () => {
    const t = new RefTable();
    const n = 3 * 4096 + 17;
    for (let i = 0; i < n; i++) t.add({ ts: BigInt(i) * 1000n, cpu: 0, pid: i, comm: '', name: `e${i % 3}`, text: '', src: { file: 'f', line: i + 1, offset: i * 80 } });
    for (const i of [0, 4095, 4096, 8191, 8192, n - 1]) expect(t.ref(i)).toEqual({ ts: BigInt(i) * 1000n, pid: i, tgid: undefined, name: `e${i % 3}`, src: { file: 'f', line: i + 1, offset: i * 80 } });
  });
});
