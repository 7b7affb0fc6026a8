import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ftraceImporter } from './index.ts';
import { diagCounts, feed } from '../../src/testing/feed.ts';
import { bundledCaptures, captureFile, HAVE_SHARED, sharedCaptures } from '../../src/testing/captures.ts';

const HEADER = `# tracer: nop
#
# entries-in-buffer/entries-written: 5/5   #P:2
#
#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION
#              | |         |   |||||     |         |
`;
const L = {
  mark: '          victim-385     [001] .N.1.    12.512232: mark_victim: pid=385 comm=victim total-vm=279752kB anon-rss=64888kB file-rss:4kB shmem-rss:700kB uid=0 pgtables=172kB oom_score_adj=0',
  wake: '          <idle>-0       [001] ..s1.    14.533834: wake_reaper: pid=385',
  start: '      oom_reaper-31      [001] .....    14.534273: start_task_reaping: pid=385',
  console: '          victim-385     [001] dN...    12.512300: console: anon 66625536',
  finish: '      oom_reaper-31      [001] .....    14.545218: finish_task_reaping: pid=385',
};

// Every line that looks like an event, by a deliberately independent reading.
const EVENT_LINE = /^\s*.*?-\d+\s+(?:\(\s*[\d-]+\)\s+)?\[\d{3}\]\s+(?:\S{4,5}\s+)?\d+\.\d+: [\w.-]+:/;

function captures() {
  return [...bundledCaptures(), ...(HAVE_SHARED ? sharedCaptures() : [])];
}

describe('tracefs text on the real captures', () => {
  for (const c of captures()) {
    it(`${c.bundled ? 'samples' : 'shared'} ${c.id}: every line parses, no event lost`, () => {
      const data = gunzipSync(readFileSync(captureFile(c, 'ftrace.txt')!));
      const { events, meta, ctx, losses } = feed(ftraceImporter, data);
      const expected = data.toString('latin1').split('\n').filter((l) => EVENT_LINE.test(l)).length;
      expect(events.length).toBe(expected);
      expect(ctx.diag.bySeverity('error')).toBe(0);
      expect(ctx.diag.bySeverity('warning')).toBe(0);
      expect(losses).toEqual([]);
      expect(meta.cpus).toBe(2);
      expect(meta.entries!.written).toBe(meta.entries!.inBuffer);
      const victims = JSON.parse(readFileSync(`${c.dir}/truth.json`, 'utf8')).victims as { pid: number }[];
      const marked = events.filter((e) => e.name === 'oom:mark_victim').map((e) => Number(/pid=(\d+)/.exec(e.text)![1]));
      for (const v of victims) expect(marked).toContain(v.pid);
    });
  }
});

describe('chunk boundaries do not matter', () => {
  const c = bundledCaptures().find((x) => x.id === '6.1/kvm_mn_eagain')!;
  const data = gunzipSync(readFileSync(captureFile(c, 'ftrace.txt')!)).subarray(0, 300_000);
  const whole = feed(ftraceImporter, data);
  for (const chunk of [1, 7, 4096]) {
    it(`${chunk}-byte chunks give the same events and diagnostics`, () => {
      const parts = feed(ftraceImporter, data, { chunk });
      expect(parts.events).toEqual(whole.events);
      expect(diagCounts(parts.ctx)).toEqual(diagCounts(whole.ctx));
    });
  }
});

describe('line layouts of every kernel family (docs/formats.md#tracefs-line)', () => {
  const cases: [string, string, Partial<{ pid: number; tgid: number; cpu: number; flags: string; ts: bigint }>][] = [
    ['>=5.15', '          stress-4242    [003] ...1.  1234.567890: mark_victim: pid=4242', { pid: 4242, cpu: 3, flags: '...1.', ts: 1234567890000n }],
    ['5.9-5.14', '          stress-4242    [003] ...1  1234.567890: mark_victim: pid=4242', { flags: '...1' }],
    ['<=5.8', '          stress-4242  [003] ...1  1234.567890: mark_victim: pid=4242', { pid: 4242, flags: '...1' }],
    ['noirq-info', '          stress-4242  [003]   1234.567890: mark_victim: pid=4242', { cpu: 3, ts: 1234567890000n }],
    ['record-tgid', '          stress-4242    (   4240) [003] ...1.  1234.567890: mark_victim: pid=4242', { pid: 4242, tgid: 4240 }],
    ['tgid <=5.8', '          stress-4242  ( 4240) [003] ...1  1234.567890: mark_victim: pid=4242', { tgid: 4240 }],
    ['tgid after the CPU (4.13-4.18)', '          stress-4242  [003] ( 4240) ....  1234.567890: mark_victim: pid=4242', { pid: 4242, cpu: 3, tgid: 4240, flags: '....' }],
    ['tgid unknown', '   kworker/u16:3-211     (-------) [003] ...1.  1234.567890: mark_victim: pid=4242', { pid: 211 }],
    ['counter clock', '          stress-4242    [003] ...1. 123456789012: mark_victim: pid=4242', { ts: 123456789012n }],
    ['comm with dash and digits', '      my-app-2-3-4242    [003] ...1.  1234.567890: mark_victim: pid=4242', { pid: 4242 }],
  ];
  for (const [label, line, want] of cases) {
    it(label, () => {
      const { events, ctx } = feed(ftraceImporter, line + '\n');
      expect(diagCounts(ctx)).toEqual({});
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ name: 'oom:mark_victim', text: 'pid=4242', ...want });
      if (label === 'tgid unknown') expect(events[0]!.tgid).toBeUndefined();
    });
  }
  it('keeps the comm as printed, with its dashes', () => {
    const { events } = feed(ftraceImporter, cases.find((c) => c[0] === 'comm with dash and digits')![1] + '\n');
    expect(events[0]!.comm).toBe('my-app-2-3');
  });
});

describe('loss markers', () => {
  it('LOST n EVENTS, LOST EVENTS and buffer started become losses timed by the next event on that CPU', () => {
    const text = [
      L.mark,
      'CPU:1 [LOST 2231 EVENTS]',
      L.wake,
      '##### CPU 0 buffer started ####',
      '       trace-cmd-371     [000] .....    15.000000: wake_reaper: pid=1',
      'CPU:0 [LOST EVENTS]',
      L.finish,
    ].join('\n');
    const { losses, ctx, events } = feed(ftraceImporter, text + '\n');
    expect(events).toHaveLength(4);
    expect(losses.map((l) => [l.kind, l.cpu, l.count, l.ts, l.src.line])).toEqual([
      ['lost_events', 1, 2231, 14533834000n, 2],
      ['buffer_started', 0, undefined, 15000000000n, 4],
      ['lost_events', 0, undefined, undefined, 6],
    ]);
    expect(ctx.diag.count('lost_events')).toBe(2);
    expect(ctx.diag.bySeverity('data_loss')).toBe(3);
  });
  it('an overrun header is a loss', () => {
    const { losses, meta } = feed(ftraceImporter, HEADER.replace('5/5', '4096/5210') + L.mark + '\n');
    expect(meta.entries).toEqual({ inBuffer: 4096, written: 5210 });
    expect(losses).toMatchObject([{ kind: 'overrun', count: 1114, cpu: -1 }]);
  });
});

describe('broken input: each case has its diagnostic and loses nothing around it', () => {
  const around = (middle: string | Buffer): Buffer =>
    Buffer.concat([Buffer.from(HEADER + L.mark + '\n'), typeof middle === 'string' ? Buffer.from(middle) : middle, Buffer.from(L.wake + '\n' + L.start + '\n')]);
  const names = (evs: { name: string }[]): string[] => evs.map((e) => e.name);
  const ALL = ['oom:mark_victim', 'oom:wake_reaper', 'oom:start_task_reaping'];

  it('truncated last line', () => {
    const { events, ctx } = feed(ftraceImporter, HEADER + L.mark + '\n' + L.wake + '\n' + L.start.slice(0, 40));
    expect(names(events)).toEqual(ALL.slice(0, 2));
    expect(diagCounts(ctx)).toEqual({ truncated_line: 1 });
  });
  it('binary garbage in the middle', () => {
    const garbage = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x0a]);
    const { events, ctx } = feed(ftraceImporter, around(garbage));
    expect(names(events)).toEqual(ALL);
    expect(ctx.diag.count('binary_data')).toBe(2);
  });
  it('a 10 MB line', () => {
    const { events, ctx } = feed(ftraceImporter, around('x'.repeat(10 * 1024 * 1024) + '\n'), { chunk: 65536 });
    expect(names(events)).toEqual(ALL);
    expect(diagCounts(ctx)).toEqual({ line_too_long: 1 });
  });
  it('CRLF line ends', () => {
    const { events, ctx } = feed(ftraceImporter, (HEADER + [L.mark, L.wake, L.start].join('\n') + '\n').replace(/\n/g, '\r\n'));
    expect(names(events)).toEqual(ALL);
    expect(events[1]!.text).toBe('pid=385');
    expect(diagCounts(ctx)).toEqual({});
  });
  it('non-UTF-8 bytes in comm', () => {
    const bad = Buffer.from('          vict\xe9m-385     [001] .N.1.    12.512232: wake_reaper: pid=385\n', 'latin1');
    const { events, ctx } = feed(ftraceImporter, around(bad));
    expect(names(events)).toEqual(['oom:mark_victim', 'oom:wake_reaper', 'oom:wake_reaper', 'oom:start_task_reaping']);
    expect(events[1]!.comm).toBe('vict\ufffdm');
    expect(diagCounts(ctx)).toEqual({ invalid_utf8: 1 });
  });
  it('a second header in the middle (concatenated traces)', () => {
    const { events, ctx, meta } = feed(ftraceImporter, around(HEADER.replace('5/5', '9/9')));
    expect(names(events)).toEqual(ALL);
    expect(meta.segments).toBe(2);
    expect(meta.entries).toEqual({ inBuffer: 9, written: 9 });
    expect(diagCounts(ctx)).toEqual({ second_header: 1 });
  });
  it('timestamps going backwards', () => {
    const { events, ctx } = feed(ftraceImporter, around(L.mark.replace('12.512232', '11.000000') + '\n'));
    expect(events).toHaveLength(4);
    expect(ctx.diag.count('time_backwards')).toBe(1);
    expect(ctx.diag.kept.find((d) => d.code === 'time_backwards')!.src!.line).toBe(8);
  });
  it('a line that is text but no event', () => {
    const { events, ctx } = feed(ftraceImporter, around('this is not a trace line\n'));
    expect(names(events)).toEqual(ALL);
    expect(diagCounts(ctx)).toEqual({ malformed_line: 1 });
  });
  it('multi-line console messages are joined to their event', () => {
    const { events, ctx } = feed(ftraceImporter, around(L.console + '\nfile 0\nkernel 483328\n'));
    expect(events[1]!.text).toBe('anon 66625536\nfile 0\nkernel 483328');
    expect(diagCounts(ctx)).toEqual({ continuation_line: 2 });
  });
});

describe('ftrace text: the stacktrace option', () => {
  it('<stack trace> and => lines are kept with the event before them', () => {
    const t = [
      '# tracer: nop',
      '#',
      '          victim-385     [001] .....    12.512232: mark_victim: pid=385',
      '          victim-385     [001] .....    12.512240: <stack trace>',
      ' => __oom_kill_process+0x1/0x2',
      ' => oom_kill_process',
      ' => <00007f1e00753f7b>',
      '          victim-385     [001] .....    12.512300: wake_reaper: pid=385',
      '',
    ].join('\n');
    const p = feed(ftraceImporter, t);
    expect(p.events.map((e) => [e.name, e.text, e.stack])).toEqual([
      ['oom:mark_victim', 'pid=385', ['__oom_kill_process+0x1/0x2', 'oom_kill_process', '<00007f1e00753f7b>']],
      ['oom:wake_reaper', 'pid=385', undefined],
    ]);
    expect(diagCounts(p.ctx)).toEqual({});
  });
});

describe('ftrace text: snipped pastes', () => {
  it('(...snipped...) and [...] are data loss on every CPU, timed by the next event', () => {
    const t = [
      '          victim-385     [001] .....    12.512232: mark_victim: pid=385',
      '(...snipped...)',
      '      oom_reaper-32      [000] .....    14.512300: start_task_reaping: pid=385',
      '[...]',
      '      oom_reaper-32      [000] .....    14.612300: finish_task_reaping: pid=385',
      '',
    ].join('\n');
    const p = feed(ftraceImporter, t);
    expect(p.events).toHaveLength(3);
    expect(p.losses.map((l) => [l.kind, l.cpu, l.ts, l.src.line])).toEqual([
      ['events_dropped', -1, 14_512_300_000n, 2],
      ['events_dropped', -1, 14_612_300_000n, 4],
    ]);
  });
});
