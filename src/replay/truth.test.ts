// check agrees with what the lab knows happened (truth.json, derived from the lab's
// own records, never from a trace) on every capture, from each recorder's output
// given with the kernel log and the kprobe definitions; and the kernel log alone
// gives the weaker verdicts the model allows.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { analyze, type Analysis } from '../pipeline.ts';
import { bundledBinaryCaptures, bundledCaptures, captureFile, HAVE_SHARED, SAMPLES_DIR, SHARED_TRACES, sharedCaptures, type Capture } from '../testing/captures.ts';
import { parseAll } from '../testing/binary-compare.ts';
import { ingestFilter } from './needs.ts';
import { detectorNeeds } from './detectors/index.ts';

interface TruthVictim {
  pid: number;
  comm: string;
  t_selected: number;
  notifiers: { mntest: null | { mode: number; has_end_op: boolean; start_failed: number; end: number }; kvm: null | { start: number; start_failed: number; end_inside_core_start: number; unpaired: number } };
  core: { start_nonblock_failed: number; start_blockable_failed: number; unpaired_starts: number };
  reaper: { outcome: string; attempts: number };
}
interface Truth {
  victims: TruthVictim[];
  module_probes: Record<string, boolean>;
  premature: { any: boolean; cases: { selected_pid: number; earlier_pid: number }[] };
}

const RECORDERS = ['ftrace.txt', 'trace-cmd-report.txt', 'perf-script.txt'];
const captures = (): Capture[] => [...bundledCaptures(), ...(HAVE_SHARED ? sharedCaptures() : [])];
const truthOf = (c: Capture): Truth => JSON.parse(readFileSync(join(c.dir, 'truth.json'), 'utf8'));

function expectAgrees(a: Analysis, t: Truth, label: string): void {
  const truthVictims = [...t.victims].sort((x, y) => x.t_selected - y.t_selected);
  expect(a.victims.map((v) => v.pid), label).toEqual(truthVictims.map((v) => v.pid));
  for (const tv of truthVictims) {
    const v = a.victims.find((x) => x.pid === tv.pid)!;
    const at = `${label} victim ${tv.pid}`;
    expect(v.comm, at).toBe(tv.comm);
    expect(v.reap, at).toBe(tv.reaper.outcome);
    if (t.module_probes.__oom_reap_task_mm) expect(v.reapCalls, at).toBe(tv.reaper.attempts);
    expect(v.calls.mmLifetime.unpaired, at).toBe(tv.core.unpaired_starts);
    expect(v.calls.mmLifetime.failed, at).toBe(tv.core.start_nonblock_failed + tv.core.start_blockable_failed);
    const kvm = tv.notifiers.kvm;
    if (kvm) {
      expect(v.calls.mmLifetime.notifiers.kvm?.startsOk ?? 0, at).toBe(kvm.start - kvm.start_failed);
      expect(v.calls.mmLifetime.notifiers.kvm?.endsInsideFailedStart ?? 0, at).toBe(kvm.end_inside_core_start);
    }
    const mnt = tv.notifiers.mntest;
    if (mnt) expect(v.calls.mmLifetime.notifiers.mntest?.startsFailed ?? 0, at).toBe(mnt.start_failed);
    const mine = a.findings.filter((f) => f.victim?.pid === tv.pid);
    const core = mine.filter((f) => f.rule === 'UPI-CORE-FAILED-START');
    const failed = tv.core.start_nonblock_failed;
    expect(core.map((f) => [f.count, f.level, f.expected]), at).toEqual(failed ? [[failed, 'proven', true]] : []);
    // No notifier is left unpaired in any capture (the kernels have the pairing fix).
    const leaks = mine.filter((f) => f.rule === 'UPI-HLIST-LEAK' || f.rule === 'UPI-HLIST-PAIRED');
    expect(leaks.map((f) => f.message), at).toEqual([]);
    const misuse = mine.filter((f) => f.rule === 'UPI-MAYFAIL-END');
    const expectMisuse = mnt !== null && mnt.has_end_op && mnt.start_failed > 0;
    expect(misuse.map((f) => [f.notifier, f.count, f.level]), at).toEqual(expectMisuse ? [['mntest', mnt!.start_failed, 'proven']] : []);
  }
  const premature = a.findings.filter((f) => f.kind === 'premature_victim');
  expect(premature.map((f) => [f.victim?.pid, f.level]), label).toEqual(t.premature.cases.map((c) => [c.selected_pid, 'proven']));
  expect(a.findings.filter((f) => f.kind === 'gate_breach'), label).toEqual([]);
  expect(a.findings.filter((f) => f.level === 'inconclusive').map((f) => f.message), label).toEqual([]);
}

describe('check agrees with truth.json', () => {
  for (const c of captures()) {
    const t = truthOf(c);
    for (const r of RECORDERS) {
      it(`${c.bundled ? 'samples' : 'shared'} ${c.id} from ${r} + dmesg + kprobe_events`, async () => {
        const a = await analyze([captureFile(c, r)!, captureFile(c, 'dmesg.txt')!, captureFile(c, 'kprobe_events.txt')!]);
        expectAgrees(a, t, `${c.id} ${r}`);
      });
    }
    it(`${c.bundled ? 'samples' : 'shared'} ${c.id} from dmesg alone: victims and what the log proves`, async () => {
      const a = await analyze([captureFile(c, 'dmesg.txt')!]);
      const truthVictims = [...t.victims].sort((x, y) => x.t_selected - y.t_selected);
      expect(a.victims.map((v) => v.pid)).toEqual(truthVictims.map((v) => v.pid));
      for (const tv of truthVictims) {
        const v = a.victims.find((x) => x.pid === tv.pid)!;
        // The log says "reaped" or "unable to reap"; a victim that exited first leaves no line.
        if (tv.reaper.outcome !== 'not_run') expect(v.reap).toBe(tv.reaper.outcome);
        else expect(v.reap).not.toBe('reaped');
      }
      // Without release evidence a selection after a give-up can only be suggested premature.
      const premature = a.findings.filter((f) => f.kind === 'premature_victim');
      expect(premature.filter((f) => f.level === 'proven')).toEqual([]);
      for (const x of t.premature.cases) expect(premature.map((f) => f.victim?.pid)).toContain(x.selected_pid);
      for (const f of premature) expect(f.why).toMatch(/release evidence not captured/);
    });
  }
});

describe('check agrees with truth.json from a bundled trace.dat', () => {
  for (const c of bundledBinaryCaptures()) {
    // v7 as recorded, or v6 (gzipped: uncompressed pages).
    const dat = (): string => {
      if (existsSync(join(c.dir, 'trace.dat'))) return join(c.dir, 'trace.dat');
      const out = join(mkdtempSync(join(tmpdir(), 'reaplay-truth-')), 'trace-v6.dat');
      writeFileSync(out, gunzipSync(readFileSync(join(c.dir, 'trace-v6.dat.gz'))));
      return out;
    };
    // The file's kallsyms name the probes; with their definitions too, the same verdicts
    // (on 6.12 an entry kprobe reads func+4 from the file, past IBT's endbr64: parsers/trace-dat/instance.test.ts).
    it(`samples binary/${c.id} from trace.dat + dmesg`, async () => {
      const a = await analyze([dat(), captureFile(c, 'dmesg.txt')!]);
      expectAgrees(a, truthOf(c), `binary/${c.id} trace.dat`);
      // Several buffers: the model replays the first with data; the others' pages are not
      // even walked, and the notice says what was left out.
      expect(a.capture.inputs.find((m) => m.format === 'trace-dat')!.unreadBuffers).toEqual([{ name: 'oomlab', bytes: expect.any(Number) }]);
      expect(a.capture.inputs.find((m) => m.format === 'trace-dat')!.unreadBuffers![0]!.bytes).toBeGreaterThan(4096);
      expect(a.capture.ctx.diag.kept.filter((d) => d.code === 'other_buffer').map((d) => d.message)).toEqual([expect.stringMatching(/: instance "oomlab" \(\d+ bytes of CPU data\) not read nor replayed; the model reads the top buffer/)]);
    });
    // The report of several buffers prefixes an instance's lines with `oomlab: `: the
    // model reads the buffer of the first event (the top one here), as from the trace.dat.
    it(`samples binary/${c.id} from trace-cmd report text of both buffers + dmesg + kprobe_events`, async () => {
      const a = await analyze([captureFile(c, 'trace-cmd-report.txt')!, captureFile(c, 'dmesg.txt')!, captureFile(c, 'kprobe_events.txt')!]);
      expectAgrees(a, truthOf(c), `binary/${c.id} trace-cmd report`);
      expect(a.capture.ctx.diag.kept.filter((d) => d.code === 'other_buffer').map((d) => d.message)).toEqual([expect.stringMatching(/\d+ events of "oomlab" \(an instance or file the report names\) not replayed; the model reads the top buffer/)]);
    });
    it(`samples binary/${c.id} from trace.dat + dmesg + kprobe_events`, async () => {
      const a = await analyze([dat(), captureFile(c, 'dmesg.txt')!, captureFile(c, 'kprobe_events.txt')!]);
      expectAgrees(a, truthOf(c), `binary/${c.id} trace.dat + kprobe_events`);
    });
  }
});

// `trace-cmd report -i trace.dat -i kvm-v6.dat` of the bundled 6.1/kvm_mn_eagain trace.dat and
// its v6 conversion (the same events twice): each line names its file, right-aligned.
describe('check from a trace-cmd report of two files', () => {
  const c = bundledCaptures().find((x) => x.id === '6.1/kvm_mn_eagain')!;
  const report = join(SAMPLES_DIR, 'binary/6.1/kvm_mn_eagain/report-two-files.txt.gz');
  it('replays the file of the first event only, as truth.json says, and names the other', async () => {
    const a = await analyze([report, captureFile(c, 'dmesg.txt')!, captureFile(c, 'kprobe_events.txt')!]);
    expectAgrees(a, truthOf(c), '6.1/kvm_mn_eagain two-file report');
    const notes = a.capture.ctx.diag.kept.filter((d) => d.code === 'other_buffer').map((d) => d.message);
    expect(notes).toEqual([expect.stringMatching(/: \d+ events of "kvm-v6\.dat" \(an instance or file the report names\) not replayed; the model reads "trace\.dat"/)]);
    // The other file's model events are all left out: as many as the report holds.
    const all = await parseAll([report, captureFile(c, 'kprobe_events.txt')!], ingestFilter(detectorNeeds()));
    const of = (name: string): number => all.events.filter((e) => e.src.instance === name).length;
    expect(of('kvm-v6.dat')).toBeGreaterThan(1000);
    expect(of('trace.dat')).toBe(of('kvm-v6.dat'));
    expect(notes[0]).toContain(`: ${of('kvm-v6.dat')} events of`);
    expect(all.events.filter((e) => e.comm.includes(':')).map((e) => e.comm)).toEqual([]);
  });
  it("a field that does not decode in the left-out file is not blamed on the replayed file's next event", async () => {
    const lines = gunzipSync(readFileSync(report)).toString('latin1').split('\n');
    const k = lines.findIndex((l) => l.startsWith('kvm-v6.dat:') && l.includes(' rss_stat: '));
    lines[k] = lines[k]!.replace(/mm_id=.*$/, 'garbage!!');
    const file = join(mkdtempSync(join(tmpdir(), 'reaplay-two-')), 'two.txt');
    writeFileSync(file, lines.join('\n'), 'latin1');
    const a = await analyze([file, captureFile(c, 'dmesg.txt')!, captureFile(c, 'kprobe_events.txt')!]);
    expect(a.capture.ctx.diag.count('field_decode_failed')).toBe(1);
    expect(a.capture.delivered.get('kmem:rss_stat')).toMatchObject({ undecodable: 0 });
    expectAgrees(a, truthOf(c), '6.1/kvm_mn_eagain two-file report, left-out line damaged');
  });
});

describe('check on the 1 GB haystack (a loaded machine, one OOM kill inside)', () => {
  const dir = join(SHARED_TRACES, '6.1/haystack');
  it.skipIf(!HAVE_SHARED || !existsSync(join(dir, 'ftrace.txt.zst')))('agrees with its truth.json', async () => {
    const a = await analyze([join(dir, 'ftrace.txt.zst'), join(dir, 'dmesg.txt'), join(dir, 'kprobe_events.txt')]);
    expectAgrees(a, truthOf({ id: '6.1/haystack', dir, bundled: false }), '6.1/haystack');
  });
});

describe('without the kprobe definitions, pairing is not judged, only named', () => {
  for (const c of bundledCaptures()) {
    it(`samples ${c.id}: ftrace + dmesg only`, async () => {
      const t = truthOf(c);
      const a = await analyze([captureFile(c, 'ftrace.txt')!, captureFile(c, 'dmesg.txt')!]);
      expect(a.findings.filter((f) => f.kind === 'unpaired_invalidate' && f.level === 'proven')).toEqual([]);
      for (const tv of t.victims.filter((x) => x.reaper.outcome === 'gave_up' && x.reaper.attempts > 0)) {
        const f = a.findings.find((x) => x.rule === 'UPI-NO-PROBES' && x.victim?.pid === tv.pid);
        expect(f?.level).toBe('inconclusive');
        expect(f?.why).toMatch(/needs kprobes on __mmu_notifier_invalidate_range_start/);
      }
    });
  }
});
