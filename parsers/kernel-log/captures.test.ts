// The real captures (the bundled samples, and ../shared/traces beside this repository
// when it is there): each dmesg.txt must parse cleanly and its OOM lines must agree with
// the capture's truth.json, which the lab derived from its own records, never from a
// log or trace.
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Fields } from '../../src/types/event.ts';
import { decodePrintk } from '../common/printk-line.ts';
import { bundledCaptures, captureFile, HAVE_SHARED, SHARED_TRACES, sharedCaptures, type Capture } from '../../src/testing/captures.ts';
import { diagCounts, feed } from '../../src/testing/feed.ts';
import { kernelLogImporter } from './index.ts';

interface Victim {
  pid: number;
  oom_killed: boolean;
  t_selected: number;
  notifiers: { mntest: { has_end_op: boolean; start_failed: number } | null } | null;
  reaper: { outcome: string; attempts: number };
}
interface Truth {
  kernel: { release: string };
  victims: Victim[];
  totals: { mntest_start_failed?: number };
}

// sharedCaptures() leaves out the haystack (no text trace formats), but its dmesg.txt
// is a kernel log like the others.
const haystack: Capture = { id: '6.1/haystack', dir: join(SHARED_TRACES, '6.1/haystack'), bundled: false };
const all: Capture[] = [
  ...bundledCaptures(),
  ...(HAVE_SHARED ? sharedCaptures() : []),
  ...(HAVE_SHARED && existsSync(join(haystack.dir, 'truth.json')) ? [haystack] : []),
];
const label = (c: Capture): string => `${c.bundled ? 'samples' : 'shared'} ${c.id}`;

/** A capture's file (plain or gzipped), decompressed; undefined when it has none. */
function read(c: Capture, name: string): Buffer | undefined {
  const path = captureFile(c, name);
  if (!path) return undefined;
  const raw = readFileSync(path);
  return path.endsWith('.gz') ? gunzipSync(raw) : raw;
}

const parseKernelLog = (input: Buffer, opts: { chunk?: number } = {}) => feed(kernelLogImporter, input, { file: 'in', ...opts });

const of = (fs: Fields[], kind: string): Fields[] => fs.filter((f) => f.kind === kind);
const pids = (fs: Fields[]): number[] => fs.map((f) => f.pid as number);

describe('real captures: dmesg.txt against truth.json', () => {
  it('has the bundled samples at least', () => {
    expect(all.filter((c) => c.bundled && captureFile(c, 'dmesg.txt')).length).toBeGreaterThan(0);
  });

  for (const c of all) {
    const test = captureFile(c, 'dmesg.txt') ? it : it.skip;
    test(label(c), () => {
      const truth = JSON.parse(readFileSync(join(c.dir, 'truth.json'), 'utf8')) as Truth;
      const input = read(c, 'dmesg.txt')!;
      const p = parseKernelLog(input);
      const chunked = parseKernelLog(input, { chunk: 7 });
      expect(chunked.events).toEqual(p.events);

      expect(diagCounts(p.ctx)).toEqual({});
      expect(p.events).toHaveLength(p.meta.lines);
      expect(p.events.every((e) => e.ts >= 0n && !/^\[ *\d+\.\d+\]/.test(e.text))).toBe(true);
      expect(p.meta.kernelRelease).toBe(truth.kernel.release);

      const fields = p.events.map((e) => decodePrintk(e.text)!);
      const kills = of(fields, 'oom_kill');
      const victims = truth.victims.filter((v) => v.oom_killed);
      expect(pids(kills)).toEqual(victims.map((v) => v.pid));
      expect(of(fields, 'oom_invoked')).toHaveLength(kills.length);
      expect(pids(of(fields, 'oom_summary'))).toEqual(pids(kills));
      // The kill line follows the victim's selection by well under 50 ms.
      p.events.forEach((e, i) => {
        if (fields[i]!.kind !== 'oom_kill') return;
        const v = victims.find((x) => x.pid === fields[i]!.pid)!;
        const lag = Number(e.ts) / 1e9 - v.t_selected;
        expect(lag).toBeGreaterThanOrEqual(0);
        expect(lag).toBeLessThan(0.05);
      });

      const reaped = pids(of(fields, 'oom_reaped'));
      expect(reaped.sort()).toEqual(victims.filter((v) => v.reaper.outcome === 'reaped').map((v) => v.pid).sort());
      const unable = pids(of(fields, 'oom_unable_to_reap'));
      for (const v of victims) {
        if (v.reaper.outcome === 'gave_up' && v.reaper.attempts > 0) expect(unable).toContain(v.pid);
      }
      for (const pid of unable) expect(victims.find((v) => v.pid === pid)?.reaper.outcome).toBe('gave_up');

      const failed = of(fields, 'notifier_failed');
      expect(failed).toHaveLength(truth.totals.mntest_start_failed ?? 0);
      for (const f of failed) expect(f).toMatchObject({ symbol: 'mnt_invalidate_range_start', module: 'mntest', errno: -11, blockable: false });
      // A failing notifier that has an end op is warned about at every failure (mode 2).
      const warned = victims.reduce((n, v) => n + (v.notifiers?.mntest?.has_end_op ? v.notifiers.mntest.start_failed : 0), 0);
      expect(of(fields, 'warning').filter((f) => f.file === 'mm/mmu_notifier.c')).toHaveLength(warned);
    });
  }

  for (const c of all) {
    const test = captureFile(c, 'ftrace.txt') ? it : it.skip;
    test(`${label(c)}: printk:console events in ftrace.txt decode alike`, () => {
      const truth = JSON.parse(readFileSync(join(c.dir, 'truth.json'), 'utf8')) as Truth;
      const texts: string[] = [];
      for (const line of read(c, 'ftrace.txt')!.toString('utf8').split('\n')) {
        const at = line.indexOf(': console: ');
        if (at > 0) texts.push(line.slice(at + ': console: '.length));
      }
      const fields = texts.map((t) => decodePrintk(t)!);
      const victims = truth.victims.filter((v) => v.oom_killed).map((v) => v.pid);
      expect(pids(of(fields, 'oom_kill'))).toEqual(victims);
      // Up to 5.18 the console text keeps its time prefix and the summary is whole;
      // later it comes in KERN_CONT fragments whose last one names the task.
      const summaries = of(fields, 'oom_summary').concat(of(fields, 'oom_summary_part').filter((f) => f.pid !== undefined));
      expect(pids(summaries)).toEqual(victims);
      if (c.id.startsWith('5.10/')) expect(fields.filter((f) => typeof f.log_ts !== 'bigint')).toEqual([]);
    });
  }
});
