// Parsing a plain text trace by byte ranges (in worker threads or in this thread)
// gives exactly what one reader over the whole file gives: the same events in the
// same order with the same lines and offsets, the same losses, counts, metadata and
// diagnostics. Run on the real captures (bundled, and ../shared when present), the
// haystack excerpt, and hand-made edge cases at range starts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DataLoss, TraceEvent } from '../../src/types/event.ts';
import { newContext, parseInputs } from '../../src/ingest/parse-inputs.ts';
import { MODEL_EVENTS } from '../../src/replay/needs.ts';
import { bundledCaptures, captureFile, sharedCaptures, SAMPLES_DIR } from '../../src/testing/captures.ts';
import { openInput } from './input.ts';
import { planRanges, type SplitOptions } from './parallel-text.ts';

const tmp = mkdtempSync(join(tmpdir(), 'reaplay-ranges-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function plain(src: string, name: string): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of openInput(src)) parts.push(c);
  const dst = join(tmp, name);
  writeFileSync(dst, Buffer.concat(parts));
  return dst;
}

/** Bigints as text; object keys sorted (the order metadata was filled in is not part of the result). */
const big = (_k: string, v: unknown): unknown => {
  if (typeof v === 'bigint') return `${v}n`;
  if (v && typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)));
  return v;
};

/** Everything a parse tells, as one comparable JSON text. */
async function run(files: string[], split: SplitOptions, events?: readonly string[], countOnly = false): Promise<string> {
  const ctx = newContext(events, countOnly);
  const evs: TraceEvent[] = [];
  const losses: DataLoss[] = [];
  const r = await parseInputs(files, { context: ctx, split, onEvent: (e) => evs.push(e), onLoss: (l) => losses.push(l) });
  return JSON.stringify(
    {
      evs, losses, inputs: r.inputs,
      names: ctx.names.entries().map((e) => [e.full, e.count, e.wanted]),
      counts: [...ctx.diag.counts], kept: ctx.diag.kept,
    },
    big,
  );
}

/** Where two results part (empty when equal): short enough to read in a failure. */
function diff(got: string, want: string): string {
  if (got === want) return '';
  let i = 0;
  while (i < got.length && got[i] === want[i]) i++;
  return `at ${i}: got …${got.slice(Math.max(0, i - 150), i + 150)}… want …${want.slice(Math.max(0, i - 150), i + 150)}…`;
}

const ONE: SplitOptions = { jobs: 1 };
const tiny = (rangeBytes: number, inThread: boolean): SplitOptions => ({ jobs: 2, minBytes: 0, rangeBytes, inThread });

describe('byte ranges give the single-thread result', () => {
  const caps = [...bundledCaptures(), ...sharedCaptures()];
  for (const c of caps) {
    const modes = c.bundled ? ([[MODEL_EVENTS, false], [undefined, false], [undefined, true]] as const) : ([[MODEL_EVENTS, false]] as const);
    const sizes = c.bundled ? [7_000, 333_333] : [100_000];
    // The bundled captures in both text formats; the others in tracefs text (the same reader).
    for (const name of c.bundled ? ['ftrace.txt', 'trace-cmd-report.txt'] : ['ftrace.txt']) {
      it(`${c.id} ${name}: every range size, in this thread`, async () => {
        const src = captureFile(c, name);
        if (!src) return;
        const file = await plain(src, `${c.id.replace('/', '_')}-${name}`);
        const defs = captureFile(c, 'kprobe_events.txt')!;
        const fmt = name.startsWith('ftrace') ? 'ftrace' : 'trace-cmd-report';
        expect(planRanges(file, fmt, 1 << 20, tiny(50_000, true))!.length).toBeGreaterThan(3);
        for (const [events, countOnly] of modes) {
          const want = await run([defs, file], ONE, events, countOnly);
          for (const size of sizes) expect(diff(await run([defs, file], tiny(size, true), events, countOnly), want)).toBe('');
        }
      }, 120_000);
    }
  }

  // Lines that name their buffer or file (`oomlab: `, ` trace.dat: `) before the comm, cut
  // anywhere: in this thread and in a worker (their events travel whole, with the name).
  for (const [label, rel, defs] of [
    ['6.12 report of two buffers', 'binary/6.12/premature_instance/trace-cmd-report.txt.gz', 'binary/6.12/premature_instance/kprobe_events.txt'],
    ['6.1 report of two files', 'binary/6.1/kvm_mn_eagain/report-two-files.txt.gz', '6.1/kvm_mn_eagain/kprobe_events.txt'],
  ] as const) {
    it(`${label}: every range size, in this thread and in a worker`, async () => {
      const file = await plain(join(SAMPLES_DIR, rel), `${label.replace(/ /g, '_')}.txt`);
      const k = join(SAMPLES_DIR, defs);
      expect(planRanges(file, 'trace-cmd-report', 1 << 20, tiny(50_000, true))!.length).toBeGreaterThan(3);
      const want = await run([k, file], ONE, MODEL_EVENTS);
      expect(want).toMatch(/"instance":"(oomlab|kvm-v6\.dat)"/);
      for (const size of [7_000, 333_333]) expect(diff(await run([k, file], tiny(size, true), MODEL_EVENTS), want)).toBe('');
      expect(diff(await run([k, file], tiny(100_000, false), MODEL_EVENTS), want)).toBe('');
    }, 120_000);
  }

  it('the haystack excerpt, in worker threads', async () => {
    const file = await plain(join(SAMPLES_DIR, 'excerpts/haystack-6.1-oom.txt.zst'), 'haystack.txt');
    const want = await run([file], ONE, MODEL_EVENTS);
    expect(diff(await run([file], tiny(100_000, false), MODEL_EVENTS), want)).toBe('');
    const all = await run([file], ONE);
    expect(diff(await run([file], tiny(64_000, false)), all)).toBe('');
  }, 60_000);
});

describe('state that crosses a range start', () => {
  const head = (cpu: number, ts: string, name: string, text: string): string =>
    `            task-100     [00${cpu}] .....    ${ts}: ${name}: ${text}\n`;
  const lines = [
    '# tracer: nop\n',
    head(0, '10.000000', 'mark_victim', 'pid=1'),
    'CPU:1 [LOST 5 EVENTS]\n',
    head(0, '10.000100', 'sched_process_exit', 'comm=a pid=1 prio=120'),
    head(1, '10.000200', 'wake_reaper', 'pid=1'),
    head(0, '9.000000', 'mark_victim', 'pid=2'),
    'garbage line\n',
    head(1, '10.000300', 'console', 'Memory cgroup out of memory'),
    'a continuation of the console text\n',
    head(0, '11.000000', 'mark\u0000victim', 'pid=3'),
    '# tracer: nop\n',
    head(1, '1.000000', 'mark_victim', 'pid=4'),
    'CPU:0 [LOST EVENTS]\n',
    head(0, '0.500000', 'wake_reaper', 'pid=4'),
  ];
  it('time order, open losses, continuations, second headers, bad names: cut at every line', async () => {
    const file = join(tmp, 'edges.txt');
    writeFileSync(file, lines.join(''));
    const want = await run([file], ONE);
    expect(want).toContain('time_backwards');
    expect(want).toContain('bad_event_name');
    for (let size = 1; size < 1200; size += 29) expect(diff(await run([file], tiny(size, true)), want)).toBe('');
    expect(diff(await run([file], tiny(40, false)), want)).toBe('');
  }, 60_000);

  it('stdin, compressed and small files stay on one thread', async () => {
    const gz = join(SAMPLES_DIR, '6.1/premature/ftrace.txt.gz');
    expect(planRanges(gz, 'ftrace', 1 << 20, { jobs: 2, minBytes: 0 })).toBeUndefined();
    expect(planRanges('-', 'ftrace', 1 << 20, { jobs: 2, minBytes: 0 })).toBeUndefined();
    const file = join(tmp, 'edges.txt');
    expect(planRanges(file, 'ftrace', 1 << 20, { jobs: 2 })).toBeUndefined();
    expect(planRanges(file, 'ftrace', 1 << 20, { jobs: 1, minBytes: 0, rangeBytes: 10 })).toBeUndefined();
    expect(planRanges(file, 'perf-script', 1 << 20, { jobs: 2, minBytes: 0, rangeBytes: 10 })).toBeUndefined();
  });
});
