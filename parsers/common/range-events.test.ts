// Events read back from columns are the events put in: same keys in the same order,
// same values, in the same order among the range's other records; events the columns
// cannot hold exactly (a stack, fields, text with a lone surrogate, a time past 64
// bits, another file) come back as they were.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/types/event.ts';
import { MODEL_EVENTS } from '../../src/replay/needs.ts';
import { bundledCaptures, captureFile } from '../../src/testing/captures.ts';
import { openInput } from './input.ts';
import { EventColumnReader, EventColumnWriter } from './range-events.ts';
import { parseRange, Rec, type RangeRecord, type RangeResult } from './range-parse.ts';
import { parseInputs, newContext } from '../../src/ingest/parse-inputs.ts';

const tmp = mkdtempSync(join(tmpdir(), 'reaplay-cols-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const big = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? `${v}n` : v);
/** Key order included: events read back must have the reader's shape. */
const text = (x: unknown): string => JSON.stringify(x, big);

function expand(r: RangeResult): RangeRecord[] {
  const cols = r.events && new EventColumnReader(r.events);
  return r.records.flatMap((rec) => (rec.t === Rec.Events ? Array.from({ length: rec.n }, () => ({ t: Rec.Event as const, ev: cols!.next() })) : [rec]));
}

describe('range events as columns', () => {
  const caps = bundledCaptures();
  it('the bundled captures: the same records either way, every event of one range', async () => {
    expect(caps.length).toBeGreaterThan(0);
    let events = 0;
    for (const c of caps) {
      const parts: Buffer[] = [];
      for await (const b of openInput(captureFile(c, 'ftrace.txt')!)) parts.push(b);
      const file = join(tmp, `${c.id.replace('/', '_')}.txt`);
      const data = Buffer.concat(parts);
      writeFileSync(file, data);
      const ctx = newContext(MODEL_EVENTS);
      await parseInputs([captureFile(c, 'kprobe_events.txt')!], { context: ctx, format: 'kprobe-events', onEvent: () => undefined });
      for (const filter of [undefined, ctx.names.filter]) {
        const task = { id: 0, file, format: 'ftrace', start: 0, end: data.length, filter, countOnly: false, kprobes: ctx.names.kprobeDefs(), maxLine: 1 << 20 };
        const objects = await parseRange(task);
        const cols = await parseRange(task, true);
        expect(cols.events!.whole).toEqual([]);
        expect(cols.records.some((r) => r.t === Rec.Event)).toBe(false);
        const got = expand(cols);
        events += got.filter((r) => r.t === Rec.Event).length;
        expect(text(got)).toBe(text(objects.records));
      }
    }
    expect(events).toBeGreaterThan(1000);
  }, 60_000);

  it('odd events come back whole, in their place', () => {
    const src = (line: number) => ({ file: 'f', line, offset: line * 100 });
    const base = { ts: 5n, cpu: 1, pid: 7, comm: 'a', name: 'x:y', text: 't', src: src(1) };
    const evs: TraceEvent[] = [
      { ...base, src: src(1) },
      { ...base, src: src(2), stack: ['f1', 'f2'] },
      { ...base, src: src(3), text: 'bad \ud800 half', tgid: 3 },
      { ...base, src: src(4), ts: 1n << 70n },
      { ...base, src: { file: 'other', line: 5, offset: 0 } },
      { ...base, src: src(6), text: 'é ✓ \ufffd', comm: 'ü', tgid: 0, flags: 'd..1.' },
      { ...base, src: src(7), fields: { a: 1 } },
      { ...base, src: src(8), ts: -1n, cpu: -1, pid: -1 },
    ];
    const w = new EventColumnWriter('f');
    for (const e of evs) w.add(e);
    const c = w.finish();
    expect(c.whole.map(([i]) => i)).toEqual([1, 2, 3, 4, 6]);
    const r = new EventColumnReader(c);
    expect(text(evs.map(() => r.next()))).toBe(text(evs));
  });
});
