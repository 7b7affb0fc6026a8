// The public corpus (samples/public): kernel logs as people published them. Every
// item must be read (never refused, never silently empty) and give the facts read off
// its lines by hand: victims with their domain and reaper outcome, the release when a
// line prints it, else the family its line formats imply.
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../src/pipeline.ts';
import { decodePrintk } from '../common/printk-line.ts';
import { feed, diagCounts } from '../../src/testing/feed.ts';
import { kernelLogImporter } from './index.ts';
import { sniffKernelLog } from './sniff.ts';

const DIR = join(import.meta.dirname, '../../samples/public');

interface ExpectedVictim {
  pid: number;
  comm: string;
  domain: string;
  reaper: 'reaped' | 'reaped_anon_left' | 'unable' | 'none';
  evidence?: 'selection' | 'summary' | 'reaper';
  chosen?: { pid: number; comm: string };
  killedInstead?: number;
  cut?: boolean;
}
interface Expected {
  style: string;
  release: string | null;
  family: string | null;
  oomInvocations: number;
  victims: ExpectedVictim[];
  gaps?: number;
  noVictim?: number;
}

const items = readdirSync(DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

/** The reaper outcome as the lines show it, from the model's victim summary. */
function reaperOf(reap: string, anonLeftKb: number | undefined): ExpectedVictim['reaper'] {
  if (reap === 'reaped') return anonLeftKb ? 'reaped_anon_left' : 'reaped';
  if (reap === 'gave_up') return 'unable';
  return 'none';
}

describe('public corpus', () => {
  it('holds at least 40 published logs', () => {
    expect(items.length).toBeGreaterThanOrEqual(40);
  });

  for (const id of items) {
    describe(id, () => {
      const dir = join(DIR, id);
      const file = join(dir, 'log.txt');
      const text = readFileSync(file, 'utf8');
      const exp = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;

      it('is read as a kernel log, every kernel line kept', () => {
        expect(sniffKernelLog(text)).toBeGreaterThanOrEqual(0.5);
        const fed = feed(kernelLogImporter, text, { file });
        expect(fed.events.length).toBeGreaterThan(0);
        const diags = diagCounts(fed.ctx);
        expect(diags.binary_data).toBeUndefined();
        const kinds = fed.events.map((e) => decodePrintk(e.text)?.kind);
        expect(kinds.filter((k) => k === 'oom_invoked').length).toBe(exp.oomInvocations);
        if (exp.noVictim) expect(kinds.filter((k) => k === 'oom_no_victim').length).toBe(exp.noVictim);
        if (exp.gaps) expect(fed.losses.length).toBe(exp.gaps);
        if (exp.release) expect(fed.meta.kernelRelease).toBe(exp.release);
        else expect(fed.meta.kernelRelease).toBeUndefined();
      });

      it('gives the expected victims, domains, outcomes and kernel', async () => {
        const a = await analyze([file]);
        expect(a.kernel.release ?? null).toBe(exp.release);
        if (exp.release === null) {
          const why = a.profile.reasons.join('\n');
          if (exp.family) expect(why).toContain(`formats imply ${exp.family}`);
          else expect(why).toMatch(/no kernel release|formats imply nothing/);
        }
        const got = a.victims.map((v) => ({
          pid: v.pid,
          comm: v.comm,
          domain: v.domain,
          reaper: reaperOf(v.reap, v.anonLeftKb),
        }));
        const want = exp.victims.map((v) => ({ pid: v.pid, comm: v.comm, domain: v.domain, reaper: v.reaper }));
        expect(got.sort((x, y) => x.pid - y.pid)).toEqual(want.sort((x, y) => x.pid - y.pid));
        for (const v of exp.victims) {
          const s = a.victims.find((x) => x.pid === v.pid)!;
          if (v.chosen) expect(s.chosen).toEqual(v.chosen);
          if (v.killedInstead !== undefined) expect(s.killedInstead).toBe(v.killedInstead);
          if (v.evidence) expect(s.evidence).toBe(v.evidence);
        }
      });
    });
  }
});
