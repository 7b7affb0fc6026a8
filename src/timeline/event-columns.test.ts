// Packed events on the real captures in each format (rss_stat by type and by member, from
// text, trace-cmd report, trace.dat and perf.data): every sample packs, is built again
// field for field, and costs at most 64 bytes; what cannot be rebuilt exactly is kept whole.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseAll } from '../testing/binary-compare.ts';
import { SAMPLES_DIR } from '../testing/captures.ts';
import type { TraceEvent } from '../types/event.ts';
import { EventColumns } from './event-columns.ts';
import { Samples } from './samples.ts';

const tmp = mkdtempSync(join(tmpdir(), 'reaplay-columns-'));
const gunzipTo = (from: string, name: string): string => {
  const out = join(tmp, name);
  writeFileSync(out, gunzipSync(readFileSync(join(SAMPLES_DIR, from))));
  return out;
};

const INPUTS: [string, () => string, string][] = [
  ['5.10 tracefs text (member=)', () => gunzipTo('5.10/kvm_mn_eagain/ftrace.txt.gz', 'ftrace-5.10.txt'), 'member'],
  ['6.1 tracefs text (type=)', () => gunzipTo('6.1/kvm_mn_eagain/ftrace.txt.gz', 'ftrace-6.1.txt'), 'type'],
  ['6.1 trace-cmd report', () => gunzipTo('binary/6.1/kvm_mn_eagain/report-two-files.txt.gz', 'report.txt'), 'type'],
  ['6.1 trace.dat', () => join(SAMPLES_DIR, 'binary/6.1/kvm_mn_eagain/trace.dat'), 'type'],
  ['5.10 trace.dat v6 with an instance (member=)', () => gunzipTo('binary/5.10/premature_instance_v6/trace-v6.dat.gz', 'v6.dat'), 'member'],
  ['6.1 perf.data', () => gunzipTo('binary/6.1/kvm_mn_eagain/perf.data.gz', 'perf.data'), 'type'],
];

/** What a reader of an event sees (a binary event's text is a getter). */
const seen = (e: TraceEvent) => ({ ts: e.ts, cpu: e.cpu, pid: e.pid, tgid: e.tgid, comm: e.comm, name: e.name, text: e.text, flags: e.flags, fields: e.fields, src: { ...e.src } });

const rssOf = async (file: string): Promise<TraceEvent[]> => (await parseAll([file])).events.filter((e) => e.name === 'kmem:rss_stat');

describe('EventColumns on real captures', () => {
  for (const [what, file, form] of INPUTS) {
    it(`${what}: every rss_stat sample packs and is built again field for field`, async () => {
      const all = (await parseAll([file()])).events;
      const rss = all.filter((e) => e.name === 'kmem:rss_stat');
      expect(rss.length).toBeGreaterThan(100);
      expect(rss.some((e) => (form === 'member' ? e.fields?.member !== undefined : e.fields?.member === undefined))).toBe(true);
      const l = EventColumns.of(rss);
      expect(l.packedCount()).toBe(rss.length);
      expect([...l].map(seen)).toEqual(rss.map(seen));
      // Other events, kept whole in the same order, are the very objects given.
      const mixed = all.slice(0, 3000);
      const m = EventColumns.of(mixed);
      expect([...m].map(seen)).toEqual(mixed.map(seen));
      [...m].forEach((e, i) => {
        if (e.name !== 'kmem:rss_stat') expect(e).toBe(mixed[i]);
      });
      for (const r of m.scan()) {
        const e = mixed[r.i]!;
        expect([r.ts, r.name, r.type]).toEqual([e.ts, e.name, typeof e.fields?.type === 'string' ? e.fields.type : undefined]);
        expect(r.size).toBe(typeof e.fields?.size === 'number' ? e.fields.size : NaN);
      }
    });
  }

  it('a sample costs at most 64 bytes packed', async () => {
    const rss = await rssOf(INPUTS[1]![1]());
    const l = new EventColumns();
    while (l.length < 20_000) for (const e of rss) l.push(e);
    expect(l.packedBytes() / l.length).toBeLessThanOrEqual(64);
  });
});

describe('EventColumns keeps whole what it cannot rebuild exactly', () => {
  const base = (over: Partial<TraceEvent> = {}, fields: Record<string, unknown> = {}): TraceEvent => ({
    ts: 5n, cpu: 1, pid: 10, comm: 'a', name: 'kmem:rss_stat', text: 'mm_id=7 curr=1 type=MM_ANONPAGES size=4096B',
    src: { file: 'f', line: 3, offset: 100 }, fields: { mm_id: 7, curr: true, type: 'MM_ANONPAGES', size: 4096, ...fields }, ...over,
  });
  const cases: [string, TraceEvent][] = [
    ['leading zeros', base({ text: 'mm_id=007 curr=1 type=MM_ANONPAGES size=4096B' })],
    ['curr neither 0 nor 1', base({ text: 'mm_id=7 curr=2 type=MM_ANONPAGES size=4096B' })],
    ['a size past 2^53 (a bigint)', base({ text: 'mm_id=7 curr=1 type=MM_ANONPAGES size=18014398509481985B' }, { size: 18014398509481985n })],
    ['an mm_id past 32 bits', base({ text: 'mm_id=4294967296 curr=1 type=MM_ANONPAGES size=4096B' }, { mm_id: 4294967296 })],
    ['a stack printed with it', base({ stack: ['f+0x1'] })],
    ['anything after the size', base({ text: 'mm_id=7 curr=1 type=MM_ANONPAGES size=4096B ' })],
    ['member=-0', base({ text: 'mm_id=7 curr=1 member=-0 size=4096B' }, { member: -0, type: 'MM_FILEPAGES' })],
    ['a counter named otherwise than its field', base({ text: 'mm_id=7 curr=1 type=MM_FILEPAGES size=4096B' })],
    ['a line number past 32 bits', base({ src: { file: 'f', line: 2 ** 32, offset: 1 } })],
    ['a time past 64 bits (a raw counter)', base({ ts: 2n ** 64n + 5n })],
  ];
  for (const [what, e] of cases) {
    it(what, () => {
      const l = EventColumns.of([base(), e]);
      expect(l.packedCount()).toBe(1);
      expect(l.at(1)).toBe(e);
      expect(Array.from(l.scan(), (r) => r.ts)).toEqual([5n, e.ts]);
      expect(seen(l.at(0))).toEqual(seen(base()));
    });
  }

  it('past 255 strings in a chunk (comms are attacker-controlled), rows are kept whole', () => {
    const evs = Array.from({ length: 400 }, (_, i) => base({ comm: `c${i}`, ts: BigInt(i) }));
    const l = EventColumns.of(evs);
    expect(l.packedCount()).toBeLessThan(400);
    expect(l.packedCount()).toBeGreaterThan(200);
    expect([...l].map(seen)).toEqual(evs.map(seen));
  });
});

describe('EventColumns as a time-ordered list', () => {
  const at = (ts: number, name = 'kmem:rss_stat'): TraceEvent => ({
    ts: BigInt(ts), cpu: 0, pid: 1, comm: 'a', name, text: `mm_id=1 curr=1 type=MM_ANONPAGES size=${ts}B`,
    src: { file: 'f', line: ts + 1, offset: ts * 10 }, fields: { mm_id: 1, curr: true, type: 'MM_ANONPAGES', size: ts },
  });
  const times = (l: EventColumns) => [...l].map((e) => Number(e.ts));

  it('truncates from the back across chunks, and takes rows again after', () => {
    const l = EventColumns.of(Array.from({ length: 2000 }, (_, i) => at(i)));
    l.truncate(1300);
    expect(times(l)).toEqual(Array.from({ length: 1300 }, (_, i) => i));
    l.truncate(5);
    expect(times(l)).toEqual([0, 1, 2, 3, 4]);
    l.push(at(9000));
    expect(times(l)).toEqual([0, 1, 2, 3, 4, 9000]);
    l.trim();
    expect(l.packedBytes()).toBe(6 * 60);
    l.truncate(0);
    expect(l.length).toBe(0);
    l.push(at(10_001));
    expect(times(l)).toEqual([10_001]);
  });

  it('truncating keeps the whole events of the rows kept, in order', () => {
    const evs = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? at(i, 'oom:mark_victim') : at(i)));
    const l = EventColumns.of(evs);
    l.truncate(20);
    l.push(evs[39]!);
    expect([...l].map((e) => [Number(e.ts), e.name])).toEqual([...evs.slice(0, 20), evs[39]!].map((e) => [Number(e.ts), e.name]));
    expect(l.at(18)).toBe(evs[18]);
    expect(l.at(20)).toBe(evs[39]);
  });

  it('Samples read like the array of samples they replace', () => {
    const s = new Samples();
    for (const e of [at(1), at(5), at(9)]) s.push(e);
    expect(s.find((x) => x.ts > 4n)?.bytes).toBe(5);
    expect(s.filter((x) => x.ts <= 5n).at(-1)?.ev.src.line).toBe(6);
    expect([s.length, s.at(-1)?.bytes, s.at(3)]).toEqual([3, 9, undefined]);
    expect(() => s.push({ ...at(2), fields: {} })).toThrow(/not a memory sample/);
  });
});

describe('Samples selected from another list', () => {
  const at = (ts: number, size: number): TraceEvent => ({
    ts: BigInt(ts), cpu: 0, pid: 1, comm: 'a', name: 'kmem:rss_stat', text: `mm_id=1 curr=1 type=MM_ANONPAGES size=${size}B`,
    src: { file: 'f', line: ts + 1, offset: ts * 10 }, fields: { mm_id: 1, curr: true, type: 'MM_ANONPAGES', size },
  });

  it('refer to the samples they select until that list goes, then keep their own', () => {
    const anon = new Samples();
    const held = new Samples();
    const evs = Array.from({ length: 1500 }, (_, i) => at(i, i % 3 === 0 ? 100 : 10));
    for (const e of evs) {
      anon.push(e);
      if (e.fields!.size === 100) held.pushLastOf(anon);
    }
    const expected = evs.filter((e) => e.fields!.size === 100);
    const seen = (s: Samples) => [...s].map((x) => [Number(x.ts), x.bytes, x.ev.src.line]);
    expect(seen(held)).toEqual(expected.map((e) => [Number(e.ts), 100, e.src.line]));
    expect(held.at(-1)?.ev.src.line).toBe(expected.at(-1)!.src.line);
    held.detach();
    held.trim();
    expect(seen(held)).toEqual(expected.map((e) => [Number(e.ts), 100, e.src.line]));
    expect(held.length).toBe(500);
    // Its own list now: a later selection is copied.
    anon.push(at(2000, 100));
    held.pushLastOf(anon);
    expect([held.length, held.at(-1)?.ev.src.line]).toEqual([501, 2001]);
    const other = new Samples();
    other.pushLastOf(held);
    expect(other.at(0)?.ev.src.line).toBe(2001);
  });
});

describe('EventColumns against an array (property)', () => {
  // Steps on a list and on a plain array side by side: pushes of packable samples and of
  // events kept whole (in runs long enough to open several chunks), truncations, trims.
  // The list must read as the array after every step.
  type Op = { op: 'push'; n: number; whole: boolean } | { op: 'truncate'; keep: number } | { op: 'trim' };
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ op: fc.constant('push' as const), n: fc.integer({ min: 1, max: 700 }), whole: fc.boolean() }),
    fc.record({ op: fc.constant('truncate' as const), keep: fc.integer({ min: 0, max: 1500 }) }),
    fc.record({ op: fc.constant('trim' as const) }),
  );
  const sample = (t: number, whole: boolean): TraceEvent => ({
    ts: BigInt(t), cpu: t % 4, pid: 100 + (t % 7), comm: `c${t % 3}`, name: whole ? 'oom:mark_victim' : 'kmem:rss_stat',
    text: `mm_id=${t % 5} curr=${t % 2} type=MM_ANONPAGES size=${t * 4096}B`, flags: t % 2 ? 'd..1.' : undefined,
    src: { file: 'f', line: t + 1, offset: t * 90 }, fields: { mm_id: t % 5, curr: t % 2 === 1, type: 'MM_ANONPAGES', size: t * 4096 },
  });
  const view = (e: TraceEvent) => [e.ts, e.cpu, e.pid, e.comm, e.name, e.text, e.flags, e.src.line, e.src.offset, e.fields?.size];

  it('reads as the array it stands for after every step', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 12 }), (ops) => {
        const l = new EventColumns();
        let model: TraceEvent[] = [];
        let t = 0;
        for (const o of ops) {
          if (o.op === 'push') {
            for (let k = 0; k < o.n; k++) {
              const e = sample(t++, o.whole && k % 3 === 0);
              l.push(e);
              model.push(e);
            }
          } else if (o.op === 'truncate') {
            l.truncate(o.keep);
            model = model.slice(0, o.keep);
          } else l.trim();
          expect(l.length).toBe(model.length);
          expect([...l].map(view)).toEqual(model.map(view));
          expect(Array.from(l.scan(), (r) => r.ts)).toEqual(model.map((e) => e.ts));
          if (model.length) expect(l.at(model.length - 1).src.line).toBe(model.at(-1)!.src.line);
          expect(l.packedCount()).toBe(model.filter((e) => e.name === 'kmem:rss_stat').length);
        }
      }),
      { numRuns: Number(process.env.FC_RUNS) || 150 },
    );
  });
});
