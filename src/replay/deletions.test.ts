// Lines missing from a real capture (end events, the give-up, the release; or a
// scatter of any model events) may weaken a verdict, never produce a false proof:
// every `proven` finding on the cut trace must still be true of the lab's truth.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { analyze } from '../pipeline.ts';
import type { Finding } from '../findings/finding.ts';
import { bundledCaptures, captureFile, HAVE_SHARED, SAMPLES_DIR, sharedCaptures, type Capture } from '../testing/captures.ts';

interface Truth {
  victims: { pid: number; core: { start_nonblock_failed: number }; notifiers: { mntest: null | { has_end_op: boolean; start_failed: number }; kvm: null | { unpaired: number } } }[];
  premature: { cases: { selected_pid: number }[] };
}

const tmp = mkdtempSync(join(tmpdir(), 'reaplay-cut-'));
const text = (f: string): string => (f.endsWith('.gz') ? gunzipSync(readFileSync(f)) : readFileSync(f)).toString('latin1');

/** Why a proven finding is false of the truth, or undefined when it holds. */
function falseProof(f: Finding, t: Truth): string | undefined {
  const v = t.victims.find((x) => x.pid === f.victim?.pid);
  switch (f.rule) {
    case 'UPI-CORE-FAILED-START': {
      // Without its victim (mark_victim cut) the calls are judged on their mm alone.
      const happened = v ? v.core.start_nonblock_failed : t.victims.reduce((n, x) => n + x.core.start_nonblock_failed, 0);
      return (f.count ?? 0) <= happened ? undefined : 'more failed starts than happened';
    }
    case 'UPI-MAYFAIL-END':
      return v?.notifiers.mntest?.has_end_op && v.notifiers.mntest.start_failed > 0 ? undefined : 'no notifier both failed and ended';
    case 'PVS-PREMATURE':
      return t.premature.cases.some((c) => c.selected_pid === f.victim?.pid) ? undefined : 'the selection was not premature';
    default:
      return `no ${f.rule} happened in this capture`;
  }
}

const CUTS: Record<string, (line: string, i: number) => boolean> = {
  'every invalidate_range_end': (l) => !/ (mn_inv_end|kvm_inv_end|mntest_inv_end): /.test(l),
  'the give-up': (l) => !/unable to reap|callback failed/.test(l),
  'the release': (l) => !/ (mn_release|kvm_release|mntest_release|exit_mmap|sched_process_exit): /.test(l) && !/rss_stat: .*curr=0/.test(l),
  'every third model event': (l, i) => !(/ (mark_victim|wake_reaper|start_task_reaping|finish_task_reaping|skip_task_reaping|mn_\w+|kvm_\w+|mntest_\w+|__oom_reap_task_mm\w*|signal_generate|console): /.test(l) && i % 3 === 0),
};

function captures(): Capture[] {
  return [...bundledCaptures(), ...(HAVE_SHARED ? sharedCaptures() : [])];
}

describe('deleting lines never gives a false proof', () => {
  for (const c of captures()) {
    const t: Truth = JSON.parse(readFileSync(join(c.dir, 'truth.json'), 'utf8'));
    for (const [cut, keep] of Object.entries(CUTS)) {
      it(`${c.bundled ? 'samples' : 'shared'} ${c.id} without ${cut}`, async () => {
        const base = join(tmp, `${c.id.replace('/', '_')}-${cut.replace(/\W+/g, '_')}`);
        const trace = text(captureFile(c, 'ftrace.txt')!).split('\n').filter(keep).join('\n');
        const log = text(captureFile(c, 'dmesg.txt')!).split('\n').filter(keep).join('\n');
        writeFileSync(`${base}.trace.txt`, trace);
        writeFileSync(`${base}.dmesg.txt`, log);
        const a = await analyze([`${base}.trace.txt`, `${base}.dmesg.txt`, captureFile(c, 'kprobe_events.txt')!]);
        const wrong = a.findings.filter((f) => f.level === 'proven').map((f) => [f.rule, f.victim?.pid, falseProof(f, t)]).filter((x) => x[2]);
        expect(wrong).toEqual([]);
      });
    }
  }
});

describe('a trace begun after the first selection never gives a false proof', () => {
  for (const c of captures()) {
    const t: Truth = JSON.parse(readFileSync(join(c.dir, 'truth.json'), 'utf8'));
    it(`${c.bundled ? 'samples' : 'shared'} ${c.id} without the lines up to the first mark_victim`, async () => {
      const base = join(tmp, `${c.id.replace('/', '_')}-late-start`);
      const lines = text(captureFile(c, 'ftrace.txt')!).split('\n');
      const first = lines.findIndex((l) => / mark_victim: /.test(l));
      const pid = Number(/ mark_victim: pid=(\d+)/.exec(lines[first]!)![1]);
      writeFileSync(`${base}.trace.txt`, lines.filter((l, i) => l.startsWith('#') || i > first).join('\n'));
      const a = await analyze([`${base}.trace.txt`, captureFile(c, 'kprobe_events.txt')!]);
      const wrong = a.findings.filter((f) => f.level === 'proven').map((f) => [f.rule, f.victim?.pid, falseProof(f, t)]).filter((x) => x[2]);
      expect(wrong).toEqual([]);
      // The reaper's lines for it are still there: it is listed, as selected before the trace began
      // (or, when no mark_victim is left at all, as named only by the reaper).
      if (lines.some((l, i) => i > first && new RegExp(` (?:wake_reaper|start_task_reaping|skip_task_reaping): pid=${pid}$`).test(l))) {
        const v = a.victims.find((x) => x.pid === pid);
        expect(v).toBeDefined();
        const killLine = lines.some((l, i) => i > first && l.includes(`Killed process ${pid} (`));
        if (!killLine) expect(['before_trace', 'reaper']).toContain(v!.evidence);
      }
      expect(a.findings.filter((f) => f.rule === 'PVS-PREMATURE' && f.victim?.pid === pid && f.level === 'proven')).toEqual([]);
    });
  }
});

describe('without the last rss_stat sample before each selection, the trace cut after the last one: no false proof', () => {
  for (const c of captures()) {
    const t: Truth = JSON.parse(readFileSync(join(c.dir, 'truth.json'), 'utf8'));
    it(`${c.bundled ? 'samples' : 'shared'} ${c.id}`, async () => {
      const base = join(tmp, `${c.id.replace('/', '_')}-last-rss`);
      const lines = text(captureFile(c, 'ftrace.txt')!).split('\n');
      const marks = lines.map((l, i) => (/ mark_victim: /.test(l) ? i : -1)).filter((i) => i >= 0);
      const drop = new Set<number>();
      for (const m of marks) {
        for (let i = m - 1; i >= 0; i--) if (/ rss_stat: /.test(lines[i]!)) { drop.add(i); break; }
      }
      const end = marks.length ? marks[marks.length - 1]! : lines.length;
      writeFileSync(`${base}.trace.txt`, lines.filter((_, i) => i <= end && !drop.has(i)).join('\n'));
      const a = await analyze([`${base}.trace.txt`, captureFile(c, 'kprobe_events.txt')!]);
      const wrong = a.findings.filter((f) => f.level === 'proven').map((f) => [f.rule, f.victim?.pid, falseProof(f, t)]).filter((x) => x[2]);
      expect(wrong).toEqual([]);
    });
  }
});

/**
 * The notifier evidence (kvm:* lines, and kprobe lines on the mm before the OOM) removed from
 * the synthetic traces: the findings it backs fall back (PVS-PREMATURE to suggested, the
 * log-only UPI-HLIST-LEAK to none), and no proven finding appears that the case does not expect.
 */
describe('without the notifier evidence no false proof', () => {
  const dir = join(SAMPLES_DIR, 'synthetic');
  const CASES: Record<string, { kernel: string; backs: string }> = {
    '4.14-notifier-skip-record-tgid': { kernel: '4.14', backs: 'PVS-PREMATURE' },
    '4.19-kvm-leak-log-only': { kernel: '4.19', backs: 'UPI-HLIST-LEAK' },
  };
  const notifierLine = / kvm_(?:age|test_age|unmap|set_spte)_hva(?:_range)?: |: \w+: \((?:\w+_)?(?:mmu_notifier_)?invalidate_range_start/;
  for (const [name, c] of Object.entries(CASES)) {
    it(name, async () => {
      const want: { findings: { rule: string; level: string; victim: number }[] } = JSON.parse(readFileSync(join(dir, name, 'expected.json'), 'utf8'));
      const lines = readFileSync(join(dir, name, 'trace.txt'), 'latin1').split('\n');
      const firstMark = lines.findIndex((l) => / mark_victim: /.test(l));
      const cut = lines.filter((l, i) => !(i < firstMark && notifierLine.test(l)) && !/ kvm_\w+_hva\w*: /.test(l));
      expect(cut.length).toBeLessThan(lines.length);
      const base = join(tmp, `${name}-no-notifier`);
      writeFileSync(`${base}.trace.txt`, cut.join('\n'));
      const a = await analyze([`${base}.trace.txt`, join(dir, name, 'dmesg.txt')], { kernel: c.kernel });
      const proven = new Set(want.findings.filter((f) => f.level === 'proven').map((f) => `${f.rule} ${f.victim}`));
      expect(a.findings.filter((f) => f.level === 'proven' && !proven.has(`${f.rule} ${f.victim?.pid}`)).map((f) => f.rule)).toEqual([]);
      expect(a.findings.filter((f) => f.rule === c.backs && f.level !== 'suggested' && f.level !== 'inconclusive')).toEqual([]);
      if (c.backs === 'UPI-HLIST-LEAK') expect(a.findings.filter((f) => f.rule === c.backs)).toEqual([]);
      else expect(a.findings.filter((f) => f.rule === c.backs).map((f) => f.level)).toEqual(['suggested']);
    });
  }
});
