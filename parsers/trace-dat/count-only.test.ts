// `parse --stats` on a trace.dat counts the selected records without building events: the
// same counts per event and the same time span as when every event is built.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newContext, parseInputs } from '../../src/ingest/parse-inputs.ts';
import { SAMPLES_DIR } from '../../src/testing/captures.ts';
import { setWalkerMinBytes } from './walker-pool.ts';

const DAT = join(SAMPLES_DIR, 'binary/6.1/kvm_mn_eagain/trace.dat');

async function run(countOnly: boolean, events?: readonly string[]) {
  const ctx = newContext(events, countOnly);
  let built = 0;
  const r = await parseInputs([DAT], { context: ctx, onEvent: () => void built++ });
  const counts = Object.fromEntries(ctx.names.entries().map((e) => [e.full, e.count]));
  const m = r.inputs[0]!;
  return { built, counts, span: [m.firstTs, m.lastTs] };
}

afterEach(() => setWalkerMinBytes(4 << 20));

describe('trace.dat counted only', () => {
  for (const [events, threads] of [[undefined, false], [['sched:*', 'kmem:rss_stat'], false], [undefined, true]] as const) {
    it(`the counts and span of a full read, no event built but the console's (${events ?? 'all events'}${threads ? ', pages walked in walker threads' : ''})`, async () => {
      const full = await run(false, events);
      setWalkerMinBytes(threads ? 0 : Infinity);
      const counted = await run(true, events);
      expect(full.built).toBeGreaterThan(1000);
      expect(counted.built).toBe(counted.counts['printk:console'] && !events ? counted.counts['printk:console'] : 0);
      expect(counted.counts).toEqual(full.counts);
      expect(counted.span).toEqual(full.span);
    });
  }
});

describe('trace.dat metadata for a count', () => {
  it("a v7 file's kallsyms and printk formats are left unread when nothing will be rendered; its cmdlines are read", async () => {
    const { openTraceDat } = await import('./header.ts');
    const { FileSource } = await import('../common/byte-source.ts');
    const read = async (symbols: boolean) => {
      const src = await FileSource.open(DAT);
      try {
        const { header, rest } = await openTraceDat(src);
        await rest(symbols);
        return header.data;
      } finally {
        await src.close();
      }
    };
    const lean = await read(false);
    const all = await read(true);
    expect(lean.kallsyms.length).toBe(0);
    expect(lean.printk).toBe('');
    expect(all.kallsyms.length).toBeGreaterThan(0);
    expect(all.printk.length).toBeGreaterThan(0);
    expect(lean.cmdlines.size).toBeGreaterThan(10);
    expect([...lean.cmdlines]).toEqual([...all.cmdlines]);
  });
});
