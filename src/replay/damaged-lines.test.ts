// One damaged line of a real capture never removes or keeps a verdict silently: a line
// that does not parse is data loss where it stands (src/timeline/unreadable.ts), so the
// verdicts whose window holds it drop to inconclusive naming it, and check exits 1.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bundledCaptures, captureFile, type Capture } from '../testing/captures.ts';
import { cli } from '../testing/cli.ts';

const tmp = mkdtempSync(join(tmpdir(), 'reaplay-damaged-'));
const cap = (id: string): Capture => bundledCaptures().find((c) => c.id === id)!;
const text = (c: Capture): string[] => gunzipSync(readFileSync(captureFile(c, 'ftrace.txt')!)).toString('utf8').split('\n');

/** The capture's trace with its line `n` (1-based) replaced by `damage(line)`. */
function damaged(c: Capture, n: number, damage: (l: string) => string): string {
  const lines = text(c);
  lines[n - 1] = damage(lines[n - 1]!);
  const file = join(tmp, `${c.id.replace('/', '_')}-${n}-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(file, lines.join('\n'));
  return file;
}

interface Doc { findings: { rule: string; level: string; why?: string; message: string; victim?: { pid: number }; evidence: { src: { line: number } }[] }[] }
async function check(file: string, c: Capture): Promise<{ code: number; doc: Doc }> {
  const r = await cli('check', '--json', file, captureFile(c, 'kprobe_events.txt')!);
  return { code: r.code, doc: JSON.parse(r.out) as Doc };
}
const lineOf = (c: Capture, re: RegExp): number => text(c).findIndex((l) => re.test(l)) + 1;

describe('a damaged mark_victim line reaches the verdict', () => {
  const premature = cap('6.1/premature');
  const mark386 = lineOf(premature, /mark_victim: pid=386 /);

  it.each([
    ['cut in the event name', (l: string) => l.slice(0, l.indexOf('mark_victim') + 8)],
    ['cut before the event name', (l: string) => l.slice(0, l.indexOf(':') - 3)],
    ['its timestamp garbled', (l: string) => l.replace('17.643167', '17.64x167')],
    ['the colon after its name gone', (l: string) => l.replace('mark_victim:', 'mark_victim')],
  ])("6.1/premature, 386's selection %s: the premature verdict is inconclusive naming the line, exit 1", async (_n, damage) => {
    const { code, doc } = await check(damaged(premature, mark386, damage), premature);
    const pvs = doc.findings.find((f) => f.rule === 'PVS-PREMATURE')!;
    expect(pvs.level).toBe('inconclusive');
    expect(pvs.why).toContain(`unreadable_line on CPU 1 at`);
    expect(pvs.why).toContain(`:${mark386}`);
    const cov = doc.findings.find((f) => f.rule === 'COV-UNREADABLE')!;
    expect(cov.evidence.map((e) => e.src.line)).toEqual([mark386]);
    expect(code).toBe(1);
  }, 60_000);

  it("6.1/premature, 386's selection cut inside its fields: undecodable, named, exit 1", async () => {
    const { code, doc } = await check(damaged(premature, mark386, (l) => l.slice(0, l.indexOf('comm=') + 7)), premature);
    expect(doc.findings.find((f) => f.rule === 'COV-UNDECODABLE')?.message).toMatch(/oom:mark_victim/);
    expect(code).toBe(1);
  }, 60_000);

  it('5.10/kvm_mn_eagain (exit 0 whole): its only mark_victim line cut no longer passes with exit 0', async () => {
    const kvm = cap('5.10/kvm_mn_eagain');
    const whole = await check(captureFile(kvm, 'ftrace.txt')!, kvm);
    expect(whole.code).toBe(0);
    const n = lineOf(kvm, /mark_victim: pid=358/);
    const { code, doc } = await check(damaged(kvm, n, (l) => l.slice(0, l.indexOf('mark_victim') + 5)), kvm);
    expect(doc.findings.find((f) => f.rule === 'COV-UNREADABLE')?.message).toContain(`:${n}`);
    expect(code).toBe(1);
  }, 60_000);

  it('a damaged event line right after a console message is a malformed line, not a continuation of the message', async () => {
    const n = text(premature).findIndex((l, i, all) => i > 0 && / console: /.test(all[i - 1]!) && / signal_generate: /.test(l)) + 1;
    expect(n).toBeGreaterThan(0);
    const { code, doc } = await check(damaged(premature, n, (l) => l.replace('signal_generate:', 'signal_generate')), premature);
    expect(doc.findings.find((f) => f.rule === 'COV-UNREADABLE')?.evidence.map((e) => e.src.line)).toEqual([n]);
    expect(code).toBe(1);
  }, 60_000);
});
