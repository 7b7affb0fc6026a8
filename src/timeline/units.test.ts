// Captures are units: every pair of bundled captures, concatenated into one file or
// passed together, is replayed as two captures whose victims and findings are those
// of each capture alone (no victim proven premature because of the other capture, no
// finding lost to a pid collision). Inputs that claim one capture but name different
// kernels are refused (exit 2).
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCaptures, type Analysis } from '../pipeline.ts';
import { bundledCaptures, captureFile, type Capture } from '../testing/captures.ts';
import { cli } from '../testing/cli.ts';

const caps = bundledCaptures();
const tmp = mkdtempSync(join(tmpdir(), 'reaplay-units-'));
const file = (c: Capture, n: string): string => captureFile(c, n)!;

/** What a capture's verdicts are: victims and findings by rule, level and victim. */
const verdicts = (a: Analysis): { victims: number[]; findings: string[] } => ({
  victims: a.victims.map((v) => v.pid).sort((x, y) => x - y),
  findings: a.findings.map((f) => `${f.rule} ${f.level}${f.expected ? ' expected' : ''} victim ${f.victim?.pid ?? '-'} ${f.notifier ?? ''}`).sort(),
});

const alone = new Map<string, { victims: number[]; findings: string[] }>();
async function aloneOf(c: Capture, withLog = false): Promise<{ victims: number[]; findings: string[] }> {
  const key = `${c.id}${withLog}`;
  if (!alone.has(key)) {
    const all = await analyzeCaptures([file(c, 'ftrace.txt'), ...(withLog ? [file(c, 'dmesg.txt')] : []), file(c, 'kprobe_events.txt')]);
    expect(all).toHaveLength(1);
    alone.set(key, verdicts(all[0]!));
  }
  return alone.get(key)!;
}

const pairs: [Capture, Capture][] = caps.flatMap((a, i) => caps.slice(i + 1).map((b): [Capture, Capture] => [a, b]));

describe('captures are units', () => {
  it('bundles at least two captures with a premature victim among them', () => {
    expect(caps.length).toBeGreaterThanOrEqual(4);
    expect(caps.map((c) => c.id)).toContain('6.1/premature');
  });

  it.each(pairs.map(([a, b]) => [`${a.id} + ${b.id}`, a, b] as const))('%s concatenated into one file: two captures, each as alone', async (_n, a, b) => {
    const cat = join(tmp, `${a.id.replace('/', '_')}+${b.id.replace('/', '_')}.txt`);
    writeFileSync(cat, Buffer.concat([gunzipSync(readFileSync(file(a, 'ftrace.txt'))), gunzipSync(readFileSync(file(b, 'ftrace.txt')))]));
    const all = await analyzeCaptures([cat, file(a, 'kprobe_events.txt')]);
    expect(all.map((x) => x.unit?.parts.find((p) => p.file === cat)?.segment?.index)).toEqual([1, 2]);
    expect(all.map(verdicts)).toEqual([await aloneOf(a), await aloneOf(b)]);
  }, 60_000);

  it.each(pairs.map(([a, b]) => [`${a.id} + ${b.id}`, a, b] as const))('%s passed together with their kernel logs: two captures, each as alone', async (_n, a, b) => {
    const all = await analyzeCaptures([a, b].flatMap((c) => [file(c, 'ftrace.txt'), file(c, 'dmesg.txt'), file(c, 'kprobe_events.txt')]));
    expect(all).toHaveLength(2);
    // Each capture holds its own trace and its own log, never the other's.
    for (const [x, c] of [[all[0]!, a], [all[1]!, b]] as const) {
      expect(x.unit!.parts.filter((p) => p.format !== 'kprobe-events').map((p) => p.file).sort()).toEqual([file(c, 'ftrace.txt'), file(c, 'dmesg.txt')].sort());
    }
    expect(all.map(verdicts)).toEqual([await aloneOf(a, true), await aloneOf(b, true)]);
  }, 60_000);

  it('check says how many captures and exits on the worst of them', async () => {
    const [a, b] = [caps.find((c) => c.id === '6.1/premature')!, caps.find((c) => c.id === '6.1/kvm_mn_eagain')!];
    const cat = join(tmp, 'premature-then-kvm.txt');
    writeFileSync(cat, Buffer.concat([gunzipSync(readFileSync(file(b, 'ftrace.txt'))), gunzipSync(readFileSync(file(a, 'ftrace.txt')))]));
    const r = await cli('check', cat, file(a, 'kprobe_events.txt'));
    expect(r.out).toMatch(/^2 captures: /);
    expect(r.out).toContain('== capture 2 of 2: ');
    expect(r.out.match(/PVS-PREMATURE/g)).toHaveLength(1);
    const j = await cli('check', '--json', cat, file(a, 'kprobe_events.txt'));
    const doc = JSON.parse(j.out) as { captures: { capture: { index: number }; findings: { rule: string }[] }[] };
    expect(doc.captures.map((c) => c.capture.index)).toEqual([1, 2]);
    expect(doc.captures.map((c) => c.findings.filter((f) => f.rule === 'PVS-PREMATURE').length)).toEqual([0, 1]);
    expect([r.code, j.code]).toEqual([1, 1]);
  }, 60_000);

  it('report writes one page per capture, each with its own victims', async () => {
    const [a, b] = [caps.find((c) => c.id === '6.1/premature')!, caps.find((c) => c.id === '5.10/kvm_mn_eagain')!];
    const out = join(tmp, 'report-two');
    const r = await cli('report', file(a, 'ftrace.txt'), file(a, 'kprobe_events.txt'), file(b, 'ftrace.txt'), file(b, 'kprobe_events.txt'), '--out', out);
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n')).toHaveLength(2);
    const docs = [1, 2].map((i) => JSON.parse(readFileSync(join(out, `capture-${i}`, 'report.json'), 'utf8')) as { capture: { index: number }; victims: { pid: number }[] });
    expect(docs.map((d) => d.capture.index)).toEqual([1, 2]);
    expect(docs.map((d) => d.victims.map((v) => v.pid).sort())).toEqual([[386, 440], [358]]);
  }, 60_000);

  it('a trace and a kernel log of different kernels in one folder are refused, not merged (exit 2)', async () => {
    const dir = mkdtempSync(join(tmp, 'mixed-'));
    const [k510, k61] = [caps.find((c) => c.id === '5.10/kvm_mn_eagain')!, caps.find((c) => c.id === '6.1/kvm_mn_eagain')!];
    copyFileSync(file(k510, 'ftrace.txt'), join(dir, 'ftrace.txt.gz'));
    copyFileSync(file(k61, 'dmesg.txt'), join(dir, 'dmesg.txt.gz'));
    const r = await cli('check', join(dir, 'ftrace.txt.gz'), join(dir, 'dmesg.txt.gz'), file(k510, 'kprobe_events.txt'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/name different kernels/);
    expect(r.out).toBe('');
  }, 60_000);

  it('a command that takes one capture refuses several rather than merging them (exit 2)', async () => {
    const [a, b] = [caps.find((c) => c.id === '6.1/premature')!, caps.find((c) => c.id === '5.10/mn_eagain_end')!];
    const r = await cli('timeline', file(a, 'ftrace.txt'), file(b, 'ftrace.txt'), file(a, 'kprobe_events.txt'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/hold 2 captures/);
    // compare takes one capture per side: a side that holds two is refused, not merged.
    const cat = join(tmp, 'side.txt');
    writeFileSync(cat, Buffer.concat([gunzipSync(readFileSync(file(a, 'ftrace.txt'))), gunzipSync(readFileSync(file(b, 'ftrace.txt')))]));
    const rp = await cli('replay', cat, file(a, 'kprobe_events.txt'), '--as-kernel', '5.4');
    expect([rp.code, rp.err]).toEqual([2, expect.stringMatching(/hold 2 captures/)]);
    const c = await cli('compare', cat, a.dir);
    expect(c.code).toBe(2);
    expect(c.err).toMatch(/hold 2 captures/);
  }, 60_000);
});
