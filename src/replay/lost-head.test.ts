// A ring-buffer overrun before a verdict's window: tracefs prints "##### CPU n buffer
// started ####" where CPU n's surviving events begin, after its earlier events were
// overwritten. Reproduced on the real 6.1/premature capture (truth: 386 is a premature
// selection) by cutting one CPU's head and inserting the marker line as tracefs prints it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bundledCaptures, captureFile } from '../testing/captures.ts';
import { cli } from '../testing/cli.ts';

const cap = bundledCaptures().find((c) => c.id === '6.1/premature')!;
const lines = gunzipSync(readFileSync(captureFile(cap, 'ftrace.txt')!)).toString('utf8').split('\n');
const defs = captureFile(cap, 'kprobe_events.txt')!;
const tmp = mkdtempSync(join(tmpdir(), 'reaplay-lost-head-'));

/** The capture with CPU `cpu`'s events before `until` seconds gone and the marker where the rest begin. */
function overrun(cpu: number, until: number): string {
  const tag = `[${String(cpu).padStart(3, '0')}]`;
  const out: string[] = [];
  let marked = false;
  let dropping = false;
  for (const l of lines) {
    // An overwritten event goes whole: the continuation lines of its console message with it.
    const head = /^\s*\S.*-\d+\s+(?:\(\s*[\d-]+\)\s+)?\[\d{3}\]/.test(l) || l.startsWith('#');
    if (!head && dropping) continue;
    dropping = false;
    const m = !l.startsWith('#') && l.includes(tag) ? /\]\s+\S+\s+(\d+\.\d+):/.exec(l) : null;
    if (m) {
      if (Number(m[1]) < until) {
        dropping = true;
        continue;
      }
      if (!marked) out.push(`##### CPU ${cpu} buffer started ####`);
      marked = true;
    }
    out.push(l);
  }
  const file = join(tmp, `cpu${cpu}-${until}.txt`);
  writeFileSync(file, out.join('\n'));
  return file;
}

interface Doc { findings: { rule: string; level: string; why?: string; victim?: { pid: number } }[] }

describe('a CPU whose earlier events were overwritten ("buffer started")', () => {
  it('the whole capture proves 386 premature (the reference)', async () => {
    const r = await cli('check', '--json', captureFile(cap, 'ftrace.txt')!, defs);
    const doc = JSON.parse(r.out) as Doc;
    expect(doc.findings.filter((f) => f.rule === 'PVS-PREMATURE').map((f) => [f.level, f.victim?.pid])).toEqual([['proven', 386]]);
    expect(doc.findings.some((f) => f.rule === 'COV-LOST-HEAD')).toBe(false);
  }, 60_000);

  it('the reaper CPU cut up to 17.7 s: the gate verdict drops to inconclusive naming the marker, and check exits 1', async () => {
    const file = overrun(0, 17.7);
    const r = await cli('check', '--json', file, defs);
    const doc = JSON.parse(r.out) as Doc;
    // The cut is faithful: no line of it is left unreadable.
    expect(doc.findings.some((f) => f.rule === 'COV-UNREADABLE')).toBe(false);
    const gate = doc.findings.find((f) => f.rule === 'PVS-GATE')!;
    expect(gate.level).toBe('inconclusive');
    expect(gate.why).toMatch(/buffer_started on CPU 0/);
    expect(doc.findings.some((f) => f.level !== 'inconclusive' && f.rule.startsWith('PVS-'))).toBe(false);
    expect(doc.findings.find((f) => f.rule === 'COV-LOST-HEAD')?.why).toMatch(/buffer_started on CPU 0/);
    expect(r.code).toBe(1);
  }, 60_000);

  it("the selecting CPU cut past 386's selection: says its victims may be incomplete (exit 1), not a silent exit 0", async () => {
    const file = overrun(1, 17.7);
    const r = await cli('check', file, defs);
    expect(r.out).not.toMatch(/COV-UNREADABLE/);
    expect(r.out).toMatch(/\[inconclusive\] missing_events COV-LOST-HEAD/);
    expect(r.out).toMatch(/CPU 1's events before 17\.\d+ were overwritten/);
    expect(r.code).toBe(1);
  }, 60_000);
});
