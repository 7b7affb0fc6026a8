// A kernel log on the wall clock beside a trace: aligned on a line both carry, else
// kept apart. Built from the bundled 6.1 capture: its dmesg rewritten as journalctl
// short-precise lines (wall time = an arbitrary boot time + the printk stamp).
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { analyze } from '../pipeline.ts';

const CAP = join(import.meta.dirname, '../../samples/6.1/premature');
const dmesg = gunzipSync(readFileSync(join(CAP, 'dmesg.txt.gz'))).toString('utf8');

/** `[   14.551699] msg` → `Nov 22 08:56:23.551699 vm kernel: msg`, the boot at 08:56:09 (year-less syslog). */
function asJournal(text: string, keep: (msg: string) => boolean = () => true): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\[\s*(\d+)\.(\d{6})\] (.*)$/.exec(line);
    if (!m || !keep(m[3]!)) continue;
    const secs = 8 * 3600 + 56 * 60 + 9 + Number(m[1]);
    const hh = String(Math.floor(secs / 3600)).padStart(2, '0');
    const mm = String(Math.floor(secs / 60) % 60).padStart(2, '0');
    const ss = String(secs % 60).padStart(2, '0');
    out.push(`Nov 22 ${hh}:${mm}:${ss}.${m[2]} vm kernel: ${m[3]}`);
  }
  return out.join('\n') + '\n';
}

describe('a wall-clock kernel log with a trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reaplay-wall-'));
  const trace = join(CAP, 'ftrace.txt.gz');

  it('alone, keeps its own clock: durations are right', async () => {
    const f = join(dir, 'alone.txt');
    writeFileSync(f, asJournal(dmesg));
    const a = await analyze([f]);
    const [v1, v2] = a.victims;
    expect(v2!.selectedAt - v1!.selectedAt).toBe(17_643_185_000n - 14_551_699_000n);
  });

  it('is aligned on the kill line the trace also carries: same victims and times as with the dmesg', async () => {
    const f = join(dir, 'journal.txt');
    writeFileSync(f, asJournal(dmesg));
    const mono = await analyze([trace, join(CAP, 'dmesg.txt.gz')]);
    const wall = await analyze([trace, f]);
    expect(wall.victims.map((v) => [v.pid, v.selectedAt, v.reap])).toEqual(mono.victims.map((v) => [v.pid, v.selectedAt, v.reap]));
  });

  it('without a shared line it is kept apart, and says so', async () => {
    const f = join(dir, 'other.txt');
    writeFileSync(f, 'Nov 22 08:56:09.000001 vm kernel: Out of memory: Killed process 9999 (x) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB\n');
    const { loadCapture } = await import('./load.ts');
    const c = await loadCapture([trace, f]);
    expect(c.ctx.diag.count('clock_apart')).toBe(1);
    expect(c.untimed.map((e) => e.fields?.pid)).toEqual([9999]);
  });
});
