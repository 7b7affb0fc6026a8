// Declared needs against delivered events: an event the model needs that is undecodable
// or absent gives an inconclusive finding naming the event and the diagnostic, and
// `check` exits 1 — never "no victim" and exit 0.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { bundledCaptures, captureFile } from '../testing/captures.ts';
import { cli } from '../testing/cli.ts';
import { registerDetector, unregisterDetector } from '../replay/detectors/index.ts';
import { analyze } from '../pipeline.ts';

const c = bundledCaptures().find((x) => x.id === '6.1/premature')!;
const dmesg = captureFile(c, 'dmesg.txt')!;
const defs = captureFile(c, 'kprobe_events.txt')!;

/** The capture's tracefs text with every mark_victim line's text made unreadable (its layout kept). */
function brokenMarkVictim(dropConsole = false): { file: string; firstLine: number } {
  const lines = gunzipSync(readFileSync(captureFile(c, 'ftrace.txt')!)).toString('utf8').split('\n');
  let firstLine = 0;
  const out = lines.map((l, i) => {
    // Console lines carry the kernel log's kill lines, which would stand in for mark_victim.
    if (dropConsole && / console: /.test(l)) return '';
    if (!/ mark_victim: pid=/.test(l)) return l;
    firstLine ||= i + 1;
    return l.replace(/mark_victim: pid=\S+.*$/, 'mark_victim: garbled record');
  });
  const file = join(mkdtempSync(join(tmpdir(), 'reaplay-needs-')), 'ftrace.txt');
  writeFileSync(file, out.join('\n'));
  return { file, firstLine };
}

describe('declared needs = delivered events', () => {
  afterEach(() => void unregisterDetector('needs-sched-switch'));

  it('undecodable mark_victim lines and no kernel log: inconclusive finding naming the event and the diagnostic, exit 1, not "no victim" and 0', async () => {
    const { file, firstLine } = brokenMarkVictim(true);
    const a = await analyze([file, defs]);
    expect(a.facts.events['oom:mark_victim']).toMatchObject({ delivered: 2, undecodable: 2, firstUndecodable: { line: firstLine } });
    const f = a.findings.find((x) => x.rule === 'MODEL:requires')!;
    expect(f).toMatchObject({ kind: 'missing_events', level: 'inconclusive' });
    expect(f.why).toContain('oom:mark_victim');
    expect(f.why).toContain(`field_decode_failed, first at ${file}:${firstLine}`);
    expect(a.facts.diagnostics.byCode.field_decode_failed).toBe(2);
    const r = await cli('check', file, defs);
    expect(r.code).toBe(1);
    expect(r.out).toContain('MODEL:requires');
    expect(r.out).toContain('unmet need(s) of events: inconclusive');
    expect(r.out).toMatch(/^diagnostics: .*2 warning.*field_decode_failed 2/m);
    const j = await cli('check', '--json', file, defs);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.out).diagnostics.bySeverity.warning).toBe(2);
  });

  it('undecodable mark_victim lines with the kernel log: the victims come from the log, and the lost lines are still named, exit 1', async () => {
    const { file, firstLine } = brokenMarkVictim();
    const r = await cli('check', '--json', file, dmesg, defs);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out);
    expect(doc.victims.length).toBeGreaterThan(0);
    const f = doc.findings.find((x: { rule: string }) => x.rule === 'COV-UNDECODABLE');
    expect(f).toMatchObject({ level: 'inconclusive', count: 2 });
    expect(f.message).toContain('oom:mark_victim');
    expect(f.evidence[0].src).toMatchObject({ file, line: firstLine });
  });

  it('a detector requiring an event the inputs lack: inconclusive finding naming it, exit 1', async () => {
    registerDetector({ id: 'needs-sched-switch', requires: [['sched:sched_switch']], detect: () => { throw new Error('must not run'); } });
    const r = await cli('check', '--json', captureFile(c, 'ftrace.txt')!, dmesg, defs);
    expect(r.code).toBe(1);
    const f = JSON.parse(r.out).findings.find((x: { rule: string }) => x.rule === 'needs-sched-switch:requires');
    expect(f).toMatchObject({ kind: 'missing_events', level: 'inconclusive' });
    expect(f.why).toContain('sched:sched_switch');
  });

  it('the intact capture meets every need: no missing_events finding, no diagnostics', async () => {
    const a = await analyze([captureFile(c, 'ftrace.txt')!, dmesg, defs]);
    expect(a.findings.filter((f) => f.kind === 'missing_events')).toEqual([]);
    expect(a.facts.events['oom:mark_victim']).toMatchObject({ delivered: 2, undecodable: 0 });
  });
});
