// PVS-PREMATURE from the silence of a traced rss_stat: the bundled 6.1 capture cut
// right after the second selection, so no event after it shows the first victim's
// memory. Its last rss_stat sample before the selection still shows the memory, no
// sample or release follows, nothing was lost: proven, citing that sample. Without
// the exit events (a release would show there too) or without that sample's memory
// the proof is not made.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { analyze } from '../pipeline.ts';

const CAP = join(import.meta.dirname, '../../samples/6.1/premature');
const lines = gunzipSync(readFileSync(join(CAP, 'ftrace.txt.gz'))).toString('latin1').split('\n');
const second = lines.findIndex((l, i) => / mark_victim: /.test(l) && lines.slice(0, i).some((x) => / mark_victim: /.test(x)));
const dir = mkdtempSync(join(tmpdir(), 'reaplay-silence-'));

async function premature(keep: (l: string, i: number) => boolean) {
  const f = join(dir, `t${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(f, lines.filter((l, i) => i <= second && keep(l, i)).join('\n') + '\n');
  const a = await analyze([f, join(CAP, 'kprobe_events.txt')]);
  return a.findings.find((x) => x.rule === 'PVS-PREMATURE');
}

describe('PVS-PREMATURE from rss_stat silence', () => {
  it('the last sample before the selection still holds the memory: proven, citing it', async () => {
    const f = await premature(() => true);
    expect(f?.level).toBe('proven');
    expect(f?.evidence.at(-1)?.what).toMatch(/last rss_stat sample before the selection shows \d+ kB anon/);
  });

  it('without the exit events the silence proves nothing', async () => {
    const f = await premature((l) => !/ (sched_process_exit|exit_mmap): /.test(l));
    expect(f?.level).toBe('suggested');
  });

  it('a lost-events marker in the window makes it inconclusive', async () => {
    const at = lines.findIndex((l, i) => i > second - 50 && / rss_stat: /.test(l));
    const f = join(dir, 'lost.txt');
    writeFileSync(f, [...lines.slice(0, at), 'CPU:0 [LOST 12 EVENTS]', ...lines.slice(at, second + 1)].join('\n') + '\n');
    const a = await analyze([f, join(CAP, 'kprobe_events.txt')]);
    expect(a.findings.find((x) => x.rule === 'PVS-PREMATURE')?.level).toBe('inconclusive');
  });
});
