// Hand-written inputs: each damage or oddity gives its diagnostic, and nothing
// before or after it is lost, whatever the chunking.
import { describe, expect, it } from 'vitest';
import { diagCounts, feed, type Fed } from '../../src/testing/feed.ts';
import { sniffPerfScript } from './sniff.ts';
import { perfScriptImporter } from './index.ts';

const A = '          stress  4242 [003]  1234.567890:         oom:mark_victim: pid=4242';
const B = '      oom_reaper    61 [005]  1236.601234:  oom:start_task_reaping: pid=4242';
const C = '          stress  4242 [003]  1236.700000:  sched:sched_process_exit: comm=stress pid=4242 prio=120';

const text = (...lines: string[]): Buffer => Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');

/** Parses whole and in 1-, 7- and 4096-byte chunks; all must agree. */
function parse(input: Buffer, events?: string[]): Fed {
  const whole = feed(perfScriptImporter, input, { events, file: 'input.txt' });
  for (const chunk of [1, 7, 4096]) {
    const p = feed(perfScriptImporter, input, { chunk, events, file: 'input.txt' });
    expect(p.events).toEqual(whole.events);
    expect(p.losses).toEqual(whole.losses);
    expect(p.ctx.diag.kept).toEqual(whole.ctx.diag.kept);
  }
  return whole;
}

const names = (p: Fed) => p.events.map((e) => e.name);
/** Diagnostics as `code@line` strings, for compact assertions. */
const diagCodes = (p: Fed) => p.ctx.diag.kept.map((d) => `${d.code}@${d.src?.line ?? '-'}`);

describe('perf script reader: fields', () => {
  it('reads the default layout exactly', () => {
    const p = parse(text(A));
    expect(p.events).toEqual([{
      ts: 1234_567890_000n, cpu: 3, pid: 4242, comm: 'stress', name: 'oom:mark_victim', text: 'pid=4242',
      src: { file: 'input.txt', line: 1, offset: 0 },
    }]);
    expect(diagCodes(p)).toEqual([]);
  });

  it('reads the pid/tid layout with ns, 7-wide columns (perf 6.8+) and tid -1', () => {
    const p = parse(text(
      '          stress    4242 [003]  1234.567890: oom:mark_victim: pid=4242',
      '          stress    4240/4242    [003]  1234.567890123: oom:mark_victim: pid=4242',
      '             :-1   355/-1    [000]    18.194654015:    signal:signal_generate: sig=17',
      '             :-1    -1 [-01]    18.194654:    signal:signal_generate: sig=17',
    ));
    expect(p.events.map((e) => [e.pid, e.tgid, e.cpu, e.ts, e.comm])).toEqual([
      [4242, undefined, 3, 1234_567890_000n, 'stress'],
      [4242, 4240, 3, 1234_567890_123n, 'stress'],
      [-1, 355, 0, 18_194654_015n, ':-1'],
      [-1, undefined, -1, 18_194654_000n, ':-1'],
    ]);
    expect(diagCodes(p)).toEqual([]);
  });

  it('keeps a comm with spaces, and column 16 wins over a comm that imitates the columns', () => {
    const p = parse(text(
      '      my app  v2  4242 [003]  1234.567890: oom:mark_victim: pid=4242',
      ' x 1 [000] 9.9:    77 [001]  1234.567891: oom:mark_victim: pid=77',
      'sleep 374 [001] 11.882230: kmem:rss_stat: unpadded comm (callchain layout)',
    ));
    expect(p.events.map((e) => [e.comm, e.pid, e.cpu])).toEqual([
      ['my app  v2', 4242, 3],
      ['x 1 [000] 9.9: ', 77, 1],
      ['sleep', 374, 1],
    ]);
  });

  it('keeps the text exactly: leading spaces, raw kprobe addresses, empty text', () => {
    const p = parse(text(
      '      oom_reaper    32 [001]    14.461411:           mn:mn_inv_start: (ffffffffb3d20eb0) range=0xffffcedf00117d90',
      '          victim   355 [000]    12.557923:            printk:console: [   12.557923]  asm_exc_page_fault+0x1e/0x30',
      '          victim   355 [000]    12.557924:              ftrace:print:    indented: with: colons ',
      '          victim   355 [000]    12.557925:           oom:mark_victim:',
    ));
    expect(p.events.map((e) => [e.name, e.text])).toEqual([
      ['mn:mn_inv_start', '(ffffffffb3d20eb0) range=0xffffcedf00117d90'],
      ['printk:console', '[   12.557923]  asm_exc_page_fault+0x1e/0x30'],
      ['ftrace:print', '   indented: with: colons '],
      ['oom:mark_victim', ''],
    ]);
  });

  it('reads CRLF line ends', () => {
    const printk = '          victim   384 [001]    12.450675:            printk:console: anon 1';
    const p = parse(Buffer.from(`${A}\r\n${printk}\r\nfile 0\r\n${B}\r\n`));
    expect(p.events.map((e) => e.text)).toEqual(['pid=4242', 'anon 1\nfile 0', 'pid=4242']);
    expect(p.events[2]!.src).toEqual({ file: 'input.txt', line: 4, offset: A.length + 2 + printk.length + 2 + 8 });
  });
});

describe('perf script reader: damage and diagnostics', () => {
  it('skips a binary garbage line in the middle', () => {
    const garbage = Buffer.from([0x00, 0x13, 0xff, 0x41, 0x00, 0x7f, 0x0a]);
    const p = parse(Buffer.concat([text(A), garbage, text(B)]));
    expect(names(p)).toEqual(['oom:mark_victim', 'oom:start_task_reaping']);
    expect(diagCodes(p)).toEqual(['binary_data@2']);
    expect(p.ctx.diag.bySeverity('error')).toBe(1);
  });

  it('skips an event line that holds a NUL byte', () => {
    const p = parse(text(A, B.replace('pid=', 'p\0d='), C));
    expect(names(p)).toEqual(['oom:mark_victim', 'sched:sched_process_exit']);
    expect(diagCodes(p)).toEqual(['binary_data@2']);
  });

  it('flags a comm that is not UTF-8 and keeps the event', () => {
    const bad = Buffer.from('     \xff\xfeattack  666 [002]  1234.567890: oom:mark_victim: pid=666\n', 'latin1');
    const p = parse(Buffer.concat([text(A), bad, text(B)]));
    expect(p.events.map((e) => e.comm)).toEqual(['stress', '\uFFFD\uFFFDattack', 'oom_reaper']);
    expect(diagCodes(p)).toEqual(['invalid_utf8@2']);
  });

  it('keeps an event whose comm holds control bytes (attacker-chosen names cannot hide events)', () => {
    const p = parse(text('      \x1b[2Jevil  666 [002]  1234.567890: oom:mark_victim: pid=666 comm=\x1b[2Jevil'));
    expect(p.events.map((e) => [e.comm, e.pid])).toEqual([['\x1b[2Jevil', 666]]);
    expect(diagCodes(p)).toEqual([]);
  });

  it('reports a truncated last line and keeps everything before it', () => {
    const p = parse(Buffer.concat([text(A, B), Buffer.from('          stress  4242 [003]  12')]));
    expect(names(p)).toEqual(['oom:mark_victim', 'oom:start_task_reaping']);
    expect(diagCodes(p)).toEqual(['truncated_line@3']);
    expect(p.ctx.diag.bySeverity('error')).toBe(0);
  });

  it('does not take a truncated last line for a continuation', () => {
    const printk = '          victim   384 [001]    12.450675:            printk:console: anon 66625536';
    const p = parse(Buffer.concat([text(printk, 'file 0'), Buffer.from('          victim   384 [0')]));
    expect(p.events.map((e) => e.text)).toEqual(['anon 66625536\nfile 0']);
    expect(diagCodes(p)).toEqual(['continuation_line@2', 'truncated_line@3']);
  });

  it('reports time going backwards on one CPU only', () => {
    const p = parse(text(
      A,
      '          stress  4242 [003]  1234.567889:         oom:wake_reaper: pid=4242',
      '      oom_reaper    61 [005]  1200.000000:  oom:start_task_reaping: pid=4242',
      '          stress  4242 [003]  1234.567889:         oom:wake_reaper: pid=4242',
    ));
    expect(p.events).toHaveLength(4);
    expect(diagCodes(p)).toEqual(['time_backwards@2']);
    expect(p.ctx.diag.kept[0]!.message).toContain('CPU 3');
  });

  it('joins continuation lines to printk:console, keeps inner blank lines, ignores trailing ones', () => {
    const p = parse(text(
      A,
      '          victim   384 [001]    12.450675:            printk:console: anon 66625536',
      'file 0',
      '',
      'kernel 483328',
      '',
      B,
      '           sleep   374 [001]    12.883776:            mmap:exit_mmap: mt_mod 0xffff8e224229fa80, DESTROY',
      '',
      C,
    ));
    expect(p.events.map((e) => [e.name, e.text])).toEqual([
      ['oom:mark_victim', 'pid=4242'],
      ['printk:console', 'anon 66625536\nfile 0\n\nkernel 483328'],
      ['oom:start_task_reaping', 'pid=4242'],
      ['mmap:exit_mmap', 'mt_mod 0xffff8e224229fa80, DESTROY'],
      ['sched:sched_process_exit', 'comm=stress pid=4242 prio=120'],
    ]);
    expect(p.events[1]!.src.line).toBe(2);
    expect(diagCodes(p)).toEqual(['continuation_line@3', 'continuation_line@5']);
    expect(p.ctx.diag.kept[0]!.severity).toBe('info');
  });

  it('drops the continuation of a filtered-out printk:console without touching other events', () => {
    const p = parse(text(A, '          victim   384 [001]    12.450675:            printk:console: anon 1', 'file 0', B), ['oom:*']);
    expect(p.events.map((e) => e.text)).toEqual(['pid=4242', 'pid=4242']);
    expect(diagCodes(p)).toEqual(['continuation_line@3']);
    expect(p.ctx.names.entries().map((e) => [e.full, e.wanted, e.count])).toEqual([
      ['oom:mark_victim', true, 1], ['printk:console', false, 1], ['oom:start_task_reaping', true, 1],
    ]);
  });

  it('reports other lines as malformed and goes on', () => {
    const p = parse(text(A, 'this is not perf output', B, '    x 12 [001] 1.5 oom:mark_victim: pid=1', C));
    expect(names(p)).toEqual(['oom:mark_victim', 'oom:start_task_reaping', 'sched:sched_process_exit']);
    expect(diagCodes(p)).toEqual(['malformed_line@2', 'malformed_line@4']);
    expect(p.ctx.diag.kept[0]!.src).toEqual({ file: 'input.txt', line: 2, offset: A.length + 1 });
    expect(p.ctx.diag.kept[0]!.message).toContain('"this is not perf output"');
  });

  it('turns PERF_RECORD_LOST into a DataLoss timed by the next event on its CPU', () => {
    const p = parse(text(
      A,
      '            perf     0 [003]  1234.600000: PERF_RECORD_LOST lost 17',
      '            perf     0 [001]  1234.600001: PERF_RECORD_COMM: stress:4242/4242',
      C,
      'PERF_RECORD_LOST lost 3',
    ));
    expect(names(p)).toEqual(['oom:mark_victim', 'sched:sched_process_exit']);
    expect(p.losses).toEqual([
      { kind: 'lost_events', cpu: 3, count: 17, ts: 1236_700000_000n, src: { file: 'input.txt', line: 2, offset: A.length + 1 } },
      { kind: 'lost_events', cpu: -1, count: 3, src: expect.objectContaining({ line: 5 }) },
    ]);
    expect(p.meta.losses).toEqual(p.losses);
    expect(diagCodes(p)).toEqual(['lost_events@2', 'lost_events@5']);
  });
});

describe('perf script of sample events', () => {
  const HEADER = [
    '# ========',
    '# captured on    : Sun Dec  6 04:00:00 2026',
    '# header version : 1',
    '# hostname : lab',
    '# os release : 6.1.0-56-amd64',
    '# ========',
    '#',
  ];

  it('the # ==== header, the period, callchains, no [cpu] column; tracepoints in the same output', () => {
    const t = [
      ...HEADER,
      '          stress  4242 [002]  1234.567890:     250000 cpu-clock:pppH: ',
      '\tffffffff81234567 clear_page_erms+0x7 ([kernel.kallsyms])',
      '\t    7f1e00753f7b [unknown] (/usr/lib/libc.so.6)',
      '',
      '          stress  4242  1234.567990:          1 page-faults:u:      7f1e00753f7b memset+0x1b (/usr/lib/libc.so.6)',
      '          stress  4242 [002]  1234.568000:             oom:mark_victim: pid=4242',
      '',
    ].join('\n');
    expect(sniffPerfScript(t)).toBeGreaterThanOrEqual(0.6);
    const p = feed(perfScriptImporter, t);
    expect(p.events.map((e) => [e.name, e.cpu, e.ts, e.stack])).toEqual([
      ['cpu-clock:pppH', 2, 1_234_567_890_000n, ['ffffffff81234567 clear_page_erms+0x7 ([kernel.kallsyms])', '7f1e00753f7b [unknown] (/usr/lib/libc.so.6)']],
      ['page-faults:u', -1, 1_234_567_990_000n, undefined],
      ['oom:mark_victim', 2, 1_234_568_000_000n, undefined],
    ]);
    expect(p.events[1]!.text).toBe('     7f1e00753f7b memset+0x1b (/usr/lib/libc.so.6)');
    expect(diagCounts(p.ctx)).toEqual({});
  });
});

describe('perf script: snipped pastes', () => {
  it('[...] is data loss on every CPU, timed by the next event', () => {
    const t = ['          victim   384 [001]    12.455582:           oom:mark_victim: pid=384', '[...]', '      oom_reaper    32 [000]    14.455600:    oom:start_task_reaping: pid=384', ''].join('\n');
    const p = feed(perfScriptImporter, t);
    expect(p.events).toHaveLength(2);
    expect(p.losses.map((l) => [l.kind, l.cpu, l.ts])).toEqual([['events_dropped', -1, 14_455_600_000n]]);
  });
});
