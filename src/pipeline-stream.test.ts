// Stepping the events as they are read gives the analysis of the kept timeline, on every
// real capture, from every recorder's output, with the kernel log and the kprobe
// definitions given before or after the trace: the same JSON document, the same per-sample
// series, the same diagnostics in the same order, the same coverage.
import { describe, expect, test } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { analyze, type Analysis } from './pipeline.ts';
import { analysisJson, stringify } from './report/json.ts';
import { bundledCaptures, captureFile, sharedCaptures, type Capture } from './testing/captures.ts';

const TRACES = ['ftrace.txt', 'trace-cmd-report.txt', 'perf-script.txt', 'perf-script-fields.txt', 'trace.dat', 'perf.data'];

function whole(a: Analysis): string {
  return stringify({
    doc: analysisJson(a),
    series: a.facts.victims.map((v) => [v.anon, v.callbacks]),
    kept: a.capture.ctx.diag.kept,
    coverage: { ...a.coverage, firstTsByCpu: [...a.coverage.firstTsByCpu] },
    losses: a.capture.losses,
    untimed: a.capture.untimed.map((e) => e.src),
  });
}

function cases(c: Capture): { label: string; files: string[] }[] {
  const out: { label: string; files: string[] }[] = [];
  const log = captureFile(c, 'dmesg.txt');
  const defs = captureFile(c, 'kprobe_events.txt');
  for (const t of TRACES) {
    const trace = captureFile(c, t) ?? (existsSync(join(c.dir, t)) ? join(c.dir, t) : undefined);
    if (!trace) continue;
    const rest = [log, defs].filter((f): f is string => f !== undefined);
    out.push({ label: `${c.id} ${t} first`, files: [trace, ...rest] });
    if (t === 'ftrace.txt') out.push({ label: `${c.id} ${t} last`, files: [...rest, trace] });
  }
  return out;
}

const all = [...bundledCaptures(), ...sharedCaptures()].flatMap(cases);

describe('streamed replay equals the replay of the kept timeline', () => {
  test.each(all)('$label', async ({ files }) => {
    const streamed = await analyze(files);
    const kept = await analyze(files, { keepEvents: true });
    expect(streamed.capture.streamed, 'one trace with printk-stamped logs streams').toBe(true);
    expect(streamed.capture.events).toHaveLength(0);
    expect(kept.capture.events.length).toBeGreaterThan(0);
    expect(whole(streamed)).toBe(whole(kept));
  });

  test('an unreadable line is data loss at the time of the event after it, streamed or kept', async () => {
    const c = bundledCaptures().find((x) => x.id === '6.1/premature')!;
    const lines = gunzipSync(readFileSync(captureFile(c, 'ftrace.txt')!)).toString('utf8').split('\n');
    const n = lines.findIndex((l) => /mark_victim: pid=386 /.test(l));
    lines[n] = lines[n]!.replace('mark_victim:', 'mark_victim');
    const file = join(mkdtempSync(join(tmpdir(), 'reaplay-stream-')), 'damaged.txt');
    writeFileSync(file, lines.join('\n'));
    const files = [file, captureFile(c, 'dmesg.txt')!, captureFile(c, 'kprobe_events.txt')!];
    const streamed = await analyze(files);
    expect(streamed.capture.streamed).toBe(true);
    expect(streamed.capture.losses.map((l) => [l.kind, l.src.line])).toEqual([['unreadable_line', n + 1]]);
    expect(whole(streamed)).toBe(whole(await analyze(files, { keepEvents: true })));
  });

  test('two traces of one capture are merged whole, and agree too', async () => {
    const c = bundledCaptures().find((x) => x.id === '6.1/premature')!;
    const files = [captureFile(c, 'ftrace.txt')!, captureFile(c, 'trace-cmd-report.txt')!, captureFile(c, 'dmesg.txt')!];
    const streamed = await analyze(files);
    expect(streamed.capture.streamed).toBeUndefined();
    expect(whole(streamed)).toBe(whole(await analyze(files, { keepEvents: true })));
  });
});
