import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { traceCmdReportImporter } from './index.ts';
import { sniffTraceCmd } from './sniff.ts';
import { diagCounts, feed } from '../../src/testing/feed.ts';
import { bundledCaptures, captureFile, HAVE_SHARED, sharedCaptures } from '../../src/testing/captures.ts';

const EVENT_LINE = /^\s*.*?-\d+\s+\[\d{3}\]\s+(?:\S{4,5}\s+)?\d+\.\d+: [\w.-]+:/;

describe('trace-cmd report on the real captures', () => {
  for (const c of [...bundledCaptures(), ...(HAVE_SHARED ? sharedCaptures() : [])]) {
    it(`${c.bundled ? 'samples' : 'shared'} ${c.id}`, () => {
      const data = gunzipSync(readFileSync(captureFile(c, 'trace-cmd-report.txt')!));
      expect(sniffTraceCmd(data.subarray(0, 65536).toString('latin1'))).toBe(1);
      const { events, meta, ctx } = feed(traceCmdReportImporter, data);
      const expected = data.toString('latin1').split('\n').filter((l) => EVENT_LINE.test(l)).length;
      expect(events.length).toBe(expected);
      expect(ctx.diag.bySeverity('error') + ctx.diag.bySeverity('warning')).toBe(0);
      expect(meta.cpus).toBe(2);
    });
  }
});

describe('trace-cmd report layouts', () => {
  it('text starts 22 columns after the name, keeping the text’s own leading space', () => {
    const text = [
      'cpus=2',
      '          victim-385   [001]    12.500071: console:               <TASK>',
      '      oom_reaper-31    [001]    14.545117: __oom_reap_task_mm_ret: (ffffffffb3c88830 <- ffffffffb3c88f95) ret=0',
      '           sleep-374   [000]    11.923140: rss_stat:             mm_id=691861125 curr=1 type=MM_FILEPAGES size=4096B',
      '          victim-385   [001]    14.600000: console:              ',
    ].join('\n');
    const { events, ctx } = feed(traceCmdReportImporter, text + '\n');
    expect(diagCounts(ctx)).toEqual({});
    expect(events.map((e) => e.text)).toEqual([
      ' <TASK>',
      '(ffffffffb3c88830 <- ffffffffb3c88f95) ret=0',
      'mm_id=691861125 curr=1 type=MM_FILEPAGES size=4096B',
      '',
    ]);
  });
  it('trace-cmd >= 3.3 prints the latency column', () => {
    const { events } = feed(traceCmdReportImporter, '          stress-4242  [003] ...1.  1234.567890: mark_victim:          pid=4242\n');
    expect(events[0]).toMatchObject({ name: 'oom:mark_victim', flags: '...1.', pid: 4242, cpu: 3, text: 'pid=4242', ts: 1234567890000n });
  });
  it('EVENTS DROPPED lines are losses; a second cpus= starts a new trace', () => {
    const text = [
      'cpus=2',
      '          stress-4242  [003]  1234.567890: mark_victim:          pid=4242',
      'CPU:3 [120 EVENTS DROPPED]',
      '          stress-4242  [003]  1234.667890: wake_reaper:          pid=4242',
      'CPU:1 [EVENTS DROPPED]',
      'cpus=4',
      'CPU 2 is empty',
      '          stress-4242  [003]  1.000000: wake_reaper:          pid=4242',
    ].join('\n');
    const { events, losses, meta, ctx } = feed(traceCmdReportImporter, text + '\n');
    expect(events).toHaveLength(3);
    expect(losses.map((l) => [l.kind, l.cpu, l.count, l.ts])).toEqual([
      ['events_dropped', 3, 120, 1234667890000n],
      ['events_dropped', 1, undefined, undefined],
    ]);
    expect(meta).toMatchObject({ cpus: 4, segments: 2 });
    expect(diagCounts(ctx)).toEqual({ events_dropped: 2, second_header: 1 });
  });
});

describe('trace-cmd report of several buffers or files (`NAME: ` before each line)', () => {
  it('an instance line names its buffer and keeps its own comm; the top buffer\'s blanks name none', () => {
    // `record -B oomlab -B ab`: names right-aligned to the longest, `%*s: `; the top buffer gets blanks.
    const text = [
      'cpus=2',
      '                  victim-480   [000]    19.818138: mark_victim:          pid=480',
      'oomlab:           victim-480   [000]    19.818145: mark_victim:          pid=480',
      `    ab: ${'a: b c-d'.padStart(16)}-481   [001]    19.818150: mark_victim:          pid=481`,
    ].join('\n');
    const { events, ctx } = feed(traceCmdReportImporter, text + '\n');
    expect(diagCounts(ctx)).toEqual({});
    expect(events.map((e) => [e.src.instance, e.comm, e.pid, e.cpu, e.text])).toEqual([
      [undefined, 'victim', 480, 0, 'pid=480'],
      ['oomlab', 'victim', 480, 0, 'pid=480'],
      ['ab', 'a: b c-d', 481, 1, 'pid=481'],
    ]);
  });
  it('one buffer: a comm holding `: ` is a comm, not a buffer name', () => {
    const { events } = feed(traceCmdReportImporter, 'cpus=1\n       evil: x-9-77    [000]     1.000000: mark_victim:          pid=77\n');
    expect(events.map((e) => [e.src.instance, e.comm, e.pid])).toEqual([[undefined, 'evil: x-9', 77]]);
  });
  it('a report of several files is recognised by its named `cpus=` lines, and nothing else by one such line', () => {
    expect(sniffTraceCmd(' trace.dat: cpus=2\nkvm-v6.dat: cpus=2\n')).toBe(1);
    expect(sniffTraceCmd('x: cpus=two\ny: cpus=2\n')).toBe(0);
    // A trace_pipe line or a kernel log line that ends the same way is not a report's header.
    expect(sniffTraceCmd('   marker-12  [000] ....  1.000000: tracing_mark_write: cpus=2\n')).toBe(0);
    expect(sniffTraceCmd('[    0.010000] smpboot: cpus=2\n[    0.020000] x\n')).toBe(0);
  });
  it('a console line ending in `: cpus=N` after events is text, not a header', () => {
    const text = ['cpus=2', '          victim-385   [001]    12.500071: console:              memcg: cpus=4', 'cont: cpus=4'].join('\n');
    const { events, meta, ctx } = feed(traceCmdReportImporter, text + '\n');
    expect(meta).toMatchObject({ cpus: 2, segments: 1 });
    expect(diagCounts(ctx)).toEqual({ continuation_line: 1 });
    expect(events[0]!.text).toBe('memcg: cpus=4\ncont: cpus=4');
  });
  it('a name or path before the comm where column 16 holds another dash: the line is read from the real one', () => {
    const lines = [
      ['trace-2024-06-01-12.dat', 'victim', 480],
      ['trace-2024-06-01-13.dat', 'pool-1-thread-1', 481],
      ['x'.repeat(70) + '/t.dat', 'victim', 482],
    ].map(([name, comm, pid]) => `${name}: ${String(comm).padStart(16)}-${pid}   [000]    19.818138: mark_victim:          pid=${pid}`);
    const { events, ctx } = feed(traceCmdReportImporter, ['a: cpus=1', 'b: cpus=1', ...lines].join('\n') + '\n');
    expect(diagCounts(ctx)).toEqual({});
    expect(events.map((e) => [e.src.instance, e.comm, e.pid])).toEqual([
      ['trace-2024-06-01-12.dat', 'victim', 480],
      ['trace-2024-06-01-13.dat', 'pool-1-thread-1', 481],
      ['x'.repeat(70) + '/t.dat', 'victim', 482],
    ]);
  });
  it('`report -i a.dat -i b.dat`: each file named like a buffer, its cpus= line too', () => {
    const text = [
      'a.dat: cpus=2',
      'b.dat: cpus=1',
      'a.dat:           victim-480   [000]    19.818138: mark_victim:          pid=480',
      'b.dat:           victim-9     [000]    19.818140: mark_victim:          pid=9',
    ].join('\n');
    const { events, ctx, meta } = feed(traceCmdReportImporter, text + '\n');
    expect(diagCounts(ctx)).toEqual({});
    expect(meta.segments).toBe(1);
    expect(events.map((e) => [e.src.instance, e.comm, e.pid])).toEqual([['a.dat', 'victim', 480], ['b.dat', 'victim', 9]]);
  });
});

describe('chunk boundaries do not matter', () => {
  const c = bundledCaptures().find((x) => x.id === '6.1/kvm_mn_eagain')!;
  const data = gunzipSync(readFileSync(captureFile(c, 'trace-cmd-report.txt')!)).subarray(0, 200_000);
  const whole = feed(traceCmdReportImporter, data);
  for (const chunk of [1, 7, 4096]) {
    it(`${chunk}-byte chunks give the same events and diagnostics`, () => {
      const parts = feed(traceCmdReportImporter, data, { chunk });
      expect(parts.events).toEqual(whole.events);
      expect(diagCounts(parts.ctx)).toEqual(diagCounts(whole.ctx));
    });
  }
});
