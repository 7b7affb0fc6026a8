// Hand-made traces of kernel families the lab cannot capture (samples/synthetic/,
// see its README): each folder's expected.json says what the reference model must
// conclude on that family — the victims with their reap outcome and the findings —
// and every input must read in its own format with no error diagnostic.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, type Analysis } from '../pipeline.ts';
import type { Finding } from '../findings/finding.ts';
import { SAMPLES_DIR } from '../testing/captures.ts';

interface ExpectedFinding {
  kind: string;
  rule: string;
  level: string;
  expected: boolean;
  victim?: number;
  notifier?: string;
  count?: number;
  /** Text the finding's `why` must contain. */
  why?: string;
}

interface Expected {
  /** `--kernel` for the replay. */
  kernel: string;
  /** Other versions the same behaviour (and so the same verdicts) holds for. */
  alsoKernels?: string[];
  shows?: string;
  victims: { pid: number; reap: string }[];
  findings: ExpectedFinding[];
}

const DIR = join(SAMPLES_DIR, 'synthetic');
/** Input files a case may have, and the format each must be read as. */
const INPUTS: Record<string, string> = { 'kprobe_events.txt': 'kprobe-events', 'trace.txt': 'ftrace', 'dmesg.txt': 'kernel-log' };

function cases(): string[] {
  if (!existsSync(DIR)) return [];
  return readdirSync(DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(DIR, d.name, 'expected.json')))
    .map((d) => d.name)
    .sort();
}

/** The compared identity of a finding: everything but its message, why and evidence. */
function key(f: { kind: string; rule: string; level: string; expected: boolean; victim?: number; notifier?: string; count?: number }): string {
  return JSON.stringify([f.kind, f.rule, f.level, f.expected, f.victim ?? null, f.notifier ?? null, f.count ?? null]);
}

const actualKey = (f: Finding): string => key({ ...f, victim: f.victim?.pid });

function expectAgrees(a: Analysis, want: Expected, label: string): void {
  const victims = a.victims.map((v) => [v.pid, v.reap]).sort((x, y) => Number(x[0]) - Number(y[0]));
  expect(victims, `${label}: victims (pid, reap)`).toEqual(want.victims.map((v) => [v.pid, v.reap]).sort((x, y) => Number(x[0]) - Number(y[0])));
  const got = a.findings.map(actualKey).sort();
  const explain = a.findings.map((f) => `${f.rule} ${f.level} victim ${f.victim?.pid}: ${f.message}${f.why ? ` (why: ${f.why})` : ''}`);
  expect(got, `${label}: findings\n  ${explain.join('\n  ')}`).toEqual(want.findings.map(key).sort());
  for (const w of want.findings) {
    if (!w.why) continue;
    const f = a.findings.find((x) => actualKey(x) === key(w))!;
    expect(f.why ?? '', `${label}: why of ${w.rule}`).toContain(w.why);
  }
}

describe('synthetic traces of uncapturable kernel families', () => {
  const all = cases();
  it('are there', () => {
    expect(all.length).toBeGreaterThan(0);
  });
  for (const name of all) {
    const dir = join(DIR, name);
    const want: Expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
    const files = Object.keys(INPUTS).map((f) => join(dir, f)).filter(existsSync);
    for (const kernel of [want.kernel, ...(want.alsoKernels ?? [])]) {
      it(`${name} as ${kernel}`, async () => {
        const a = await analyze(files, { kernel });
        const diag = a.capture.ctx.diag;
        const bad = diag.kept.filter((d) => d.severity === 'error' || d.severity === 'warning').map((d) => `${d.src?.file}:${d.src?.line}: ${d.code}: ${d.message}`);
        expect(diag.bySeverity('error'), `${name}: error diagnostics\n  ${bad.join('\n  ')}`).toBe(0);
        // Exact formats: nothing read as malformed, undecodable or out of order either.
        expect(diag.bySeverity('warning'), `${name}: warning diagnostics\n  ${bad.join('\n  ')}`).toBe(0);
        expect(a.inputs.map((m) => [basename(m.file), m.format]).sort()).toEqual(files.map((f) => [basename(f), INPUTS[basename(f)]]).sort());
        expectAgrees(a, want, `${name} as ${kernel}`);
      });
    }
  }
});
