// trace.dat with an instance (`trace-cmd record ... -B oomlab ...`): the top buffer and the
// instance's, each with its own per-CPU data, read against `trace-cmd report` of the same
// file. v7 holds each buffer as a BUFFER option and section; v6 names each instance in a
// BUFFER option (name and the offset of its own "flyrecord" CPU table), and its events were
// once dropped without a word. Both lab captures (premature, kallsyms cut to the probed
// functions) are bundled; the report prefixes an instance's lines with `oomlab: `.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/types/event.ts';
import { firstDifference, parseAll, reportMicros } from '../../src/testing/binary-compare.ts';
import { SAMPLES_DIR } from '../../src/testing/captures.ts';
import { rewriteV7 } from '../../src/testing/trace-dat-rewrite.ts';
import { analyze } from '../../src/pipeline.ts';
import { setWalkerMinBytes } from './walker-pool.ts';

const tmp = mkdtempSync(join(tmpdir(), 'reaplay-dat-instance-'));
const HAVE_TRACE_CMD = spawnSync('trace-cmd', ['version']).status !== null;
const PREFIX = /^([^\s:]+): /;

const samples: [string, string, () => string][] = [
  ['v7 zstd (6.12)', 'binary/6.12/premature_instance', () => join(SAMPLES_DIR, 'binary/6.12/premature_instance/trace.dat')],
  ['v6 (5.10)', 'binary/5.10/premature_instance_v6', () => gunzipTo(join(SAMPLES_DIR, 'binary/5.10/premature_instance_v6/trace-v6.dat.gz'), 'v6.dat')],
];

function gunzipTo(file: string, name: string): string {
  const out = join(tmp, name);
  writeFileSync(out, gunzipSync(readFileSync(file)));
  return out;
}

/**
 * The report's events as the reader reads them, with the buffer each one's `NAME: ` prefix
 * names (`src.instance`), and that name as the line shows it (a regex on the raw line).
 */
async function reportEvents(report: string, kprobes: string): Promise<{ events: TraceEvent[]; instance: string[]; printed: string[] }> {
  const lines = gunzipSync(readFileSync(report)).toString('latin1').split('\n');
  const { events } = await parseAll([report, kprobes]);
  return { events, instance: events.map((e) => e.src.instance ?? ''), printed: events.map((e) => PREFIX.exec(lines[e.src.line - 1]!)?.[1] ?? '') };
}

/**
 * On 6.12 (x86 with IBT) a kprobe on `func` sits after the function's 4-byte endbr64: the
 * record's address is func+4 by the file's kallsyms, while the text names the probe by its
 * definition (`func`, offset 0). The same probe either way (the verdicts agree): such an
 * entry probe's offset is asserted to be 4 on the record's side, then compared as 0.
 * Returns how many were.
 */
function ibtShift(bin: TraceEvent[], txt: TraceEvent[]): number {
  let n = 0;
  for (let i = 0; i < Math.min(bin.length, txt.length); i++) {
    const a = bin[i]!.fields;
    const b = txt[i]!.fields;
    if (!a || !b || a.probe_offset === b.probe_offset || a.is_return) continue;
    expect([a.probe_func, a.probe_offset, b.probe_offset]).toEqual([b.probe_func, 4, 0]);
    a.probe_offset = 0;
    n++;
  }
  return n;
}

afterEach(() => setWalkerMinBytes(4 << 20));

describe('trace.dat instances, bundled captures', () => {
  for (const [label, dir, file] of samples) {
    it(`${label}: every buffer's events as trace-cmd report prints them (name, CPU, pid, comm, time, fields, text, instance)`, async () => {
      const d = join(SAMPLES_DIR, dir);
      const bin = await parseAll([file()]);
      const txt = await reportEvents(join(d, 'trace-cmd-report.txt.gz'), join(d, 'kprobe_events.txt'));
      expect(bin.diag).toEqual({});
      expect(bin.events.length).toBe(txt.events.length);
      const shifted = ibtShift(bin.events, txt.events);
      if (dir.includes('6.12')) expect(shifted).toBeGreaterThan(100);
      expect(firstDifference(bin.events, txt.events, reportMicros)).toBeUndefined();
      const fromDat = bin.events.map((e) => e.src.instance ?? '');
      expect(fromDat).toEqual(txt.instance);
      expect(txt.printed).toEqual(txt.instance);
      // The instance's events are there (an old reader of v6 dropped them all) and also in the top buffer.
      const inst = bin.events.filter((e) => e.src.instance === 'oomlab');
      expect(inst.length).toBeGreaterThan(100);
      expect(new Set(inst.map((e) => e.name))).toContain('mn:mn_inv_start');
      expect(bin.events.filter((e) => e.src.instance === undefined && e.name === 'mn:mn_inv_start').length).toBe(inst.filter((e) => e.name === 'mn:mn_inv_start').length);
      // An instance's CPU is its own buffer: times never go back within one (buffer, CPU).
      const last = new Map<string, bigint>();
      for (const e of bin.events) {
        const k = `${e.src.instance ?? ''}/${e.cpu}`;
        expect(e.ts >= (last.get(k) ?? 0n)).toBe(true);
        last.set(k, e.ts);
      }
    });

    it(`${label}: walked in walker threads (a large file), the same events and sources, the instance named`, async () => {
      setWalkerMinBytes(Infinity);
      const inline = await parseAll([file()]);
      setWalkerMinBytes(0);
      const worker = await parseAll([file()]);
      expect(worker.events.map((e) => e.src)).toEqual(inline.events.map((e) => e.src));
      expect(firstDifference(worker.events, inline.events, reportMicros)).toBeUndefined();
      expect(worker.events.some((e) => e.src.instance === 'oomlab')).toBe(true);
    });

    it.runIf(HAVE_TRACE_CMD)(`${label}: trace-cmd report here prints the bundled report`, () => {
      const d = join(SAMPLES_DIR, dir);
      const r = spawnSync('trace-cmd', ['report', '-i', file()], { encoding: 'latin1', maxBuffer: 256 << 20 });
      expect(r.stdout).toBe(gunzipSync(readFileSync(join(d, 'trace-cmd-report.txt.gz'))).toString('latin1'));
    });
  }
});

describe('trace.dat whose only buffer with data is an instance', () => {
  it('its events are replayed and cited with its name; the verdicts are truth.json\'s', async () => {
    // `trace-cmd record -B oomlab -e ...` alone: made from the 6.12 capture by leaving out the top buffer's BUFFER option.
    const d = join(SAMPLES_DIR, 'binary/6.12/premature_instance');
    const f = join(tmp, 'instance-only.dat');
    writeFileSync(f, await rewriteV7(readFileSync(join(d, 'trace.dat')), { dropBuffers: [''] }));
    const parsed = await parseAll([f]);
    expect(parsed.events.length).toBeGreaterThan(1000);
    expect(parsed.events.every((e) => e.src.instance === 'oomlab')).toBe(true);
    const a = await analyze([f, join(d, 'dmesg.txt.gz')]);
    const truth = JSON.parse(readFileSync(join(d, 'truth.json'), 'utf8')) as { victims: { pid: number; t_selected: number; reaper: { outcome: string } }[]; premature: { cases: { selected_pid: number }[] } };
    const victims = [...truth.victims].sort((x, y) => x.t_selected - y.t_selected);
    expect(a.victims.map((v) => [v.pid, v.reap])).toEqual(victims.map((v) => [v.pid, v.reaper.outcome]));
    expect(a.findings.filter((f) => f.kind === 'premature_victim').map((f) => [f.victim?.pid, f.level])).toEqual(truth.premature.cases.map((c) => [c.selected_pid, 'proven']));
    const evidence = a.findings.flatMap((x) => x.evidence);
    expect(evidence.length).toBeGreaterThan(0);
    expect(evidence.every((e) => e.src.instance === 'oomlab' || e.src.file !== f)).toBe(true);
    expect(a.capture.ctx.diag.count('other_buffer')).toBe(0);
    if (HAVE_TRACE_CMD) {
      const r = spawnSync('trace-cmd', ['report', '-i', f], { encoding: 'latin1', maxBuffer: 64 << 20 });
      const txt = join(tmp, 'instance-only.report.txt.gz');
      writeFileSync(txt, gzipSync(Buffer.from(r.stdout, 'latin1')));
      const fromReport = await reportEvents(txt, join(d, 'kprobe_events.txt'));
      expect(fromReport.instance.every((n) => n === 'oomlab')).toBe(true);
      ibtShift(parsed.events, fromReport.events);
      expect(firstDifference(parsed.events, fromReport.events, reportMicros)).toBeUndefined();
    }
  });
});

describe('v6 instance whose offset is damaged', () => {
  it('a damaged_binary diagnostic naming it, and the top buffer still read', async () => {
    const v6 = gunzipSync(readFileSync(join(SAMPLES_DIR, 'binary/5.10/premature_instance_v6/trace-v6.dat.gz')));
    const whole = await parseAll([gunzipTo(join(SAMPLES_DIR, 'binary/5.10/premature_instance_v6/trace-v6.dat.gz'), 'v6-whole.dat')]);
    // The BUFFER option: u64 offset, then "oomlab\0"; pointed past the end of the file.
    const at = v6.indexOf(Buffer.from('oomlab\0')) - 8;
    v6.writeBigUInt64LE(BigInt(v6.length + 4096), at);
    const f = join(tmp, 'v6-bad-instance.dat');
    writeFileSync(f, v6);
    const got = await parseAll([f]);
    expect(got.diag).toEqual({ damaged_binary: 1 });
    const top = whole.events.filter((e) => e.src.instance === undefined);
    expect(top.length).toBeGreaterThan(1000);
    expect(firstDifference(got.events, top, reportMicros)).toBeUndefined();
  });
});
