import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/types/event.ts';
import { csvImporter } from './index.ts';
import { essence, exportCsv, importCsv } from '../../src/testing/csv-table.ts';

function ev(ts: bigint, comm: string, name: string, text: string, more: Partial<TraceEvent> = {}): TraceEvent {
  return { ts, cpu: 1, pid: 42, comm, name, text, src: { file: 'trace.txt', line: 1, offset: 0 }, ...more };
}

const tricky: TraceEvent[] = [
  ev(6_899_413_000n, 'init', '?:rss_stat', 'mm_id=1 curr=0 type=MM_ANONPAGES size=8192B', { flags: '...1.' }),
  ev(18_446_744_073_709_551_615n, 'kworker/0:1 x', 'oom:mark_victim', '', { cpu: -1, tgid: 7 }),
  ev(1n, '=HYPERLINK("x")', 'mn:mn_inv_start', 'quote " and ""two"", comma, end'),
  ev(2n, '+1', '?:a', 'line one\nline two\n\nline four'),
  ev(3n, '-2', '?:b', 'windows\r\nnewline and trailing CR\r'),
  ev(4n, '@SUM(A1)', '?:c', '\tstarts with a tab'),
  ev(5n, "'=already guarded", '?:d', '\rstarts with CR'),
  ev(6n, "'plain apostrophe", '?:e', "-1 looks like a number, '' and ünïcödé"),
  ev(7n, 'stress-ng-vm', 'kprobe:p_oom_reap', 'comm="=cmd|/c calc"'),
];

describe('csv import of exported tables', () => {
  it('round-trips events, formula guard and awkward text included', async () => {
    const { events, diag } = importCsv(await exportCsv(tricky));
    expect(diag.counts.size).toBe(0);
    expect(events.map(essence)).toEqual(tricky.map(essence));
  });

  it('writes formula-like cells guarded, our numbers never', async () => {
    const csv = (await exportCsv(tricky)).toString();
    expect(csv).toContain(`,"'=HYPERLINK(""x"")",`);
    expect(csv).toContain(",'+1,");
    expect(csv).toContain(",'-2,");
    expect(csv).toContain(",'@SUM(A1),");
    expect(csv).toContain(",''=already guarded,");
    expect(csv).toContain(",'plain apostrophe,");
    expect(csv).toContain('\n18446744073709551615,-1,42,7,');
  });

  it('cites the line each record starts on', async () => {
    const { events } = importCsv(await exportCsv(tricky));
    // Header on line 1; the text of event 3 spans 4 lines, of event 4 two.
    expect(events.map((e) => e.src.line)).toEqual([2, 3, 4, 5, 9, 11, 12, 13, 14]);
    expect(events.every((e) => e.src.file === 'table.csv')).toBe(true);
  });

  it('gives the same result whatever the chunk size', async () => {
    const data = Buffer.concat([await exportCsv(tricky), Buffer.from('1,2\n"open,\n')]);
    const whole = importCsv(data);
    for (const chunk of [1, 7, 4096]) {
      const part = importCsv(data, chunk);
      expect(part.events).toEqual(whole.events);
      expect(part.diag.kept).toEqual(whole.diag.kept);
    }
  });
});

describe('csv import of hand-written tables', () => {
  const table = (...lines: string[]) => Buffer.from(lines.join('\n'));

  it('reports broken rows and keeps the rows around them', () => {
    const { events, diag } = importCsv(table(
      'ts_ns,cpu,pid,comm,name,text',
      '100,0,1,a,oom:mark_victim,pid=1',
      '200,0,1,a,oom:mark_victim',
      '300,0,1,"a"x,oom:mark_victim,pid=3',
      'soon,0,1,a,oom:mark_victim,pid=4',
      '500,zero,1,a,oom:mark_victim,pid=5',
      '600,0,1,a,oom:mark_victim,"pid=6',
      'still text"',
      '700,0,1,a,oom:mark_victim,pid=7',
    ));
    expect(events.map((e) => [e.ts, e.text, e.src.line])).toEqual([[100n, 'pid=1', 2], [600n, 'pid=6\nstill text', 7], [700n, 'pid=7', 9]]);
    expect(diag.count('bad_csv_row')).toBe(4);
    expect(diag.kept.map((d) => d.src?.line)).toEqual([3, 4, 5, 6]);
    expect(diag.kept[0]!.message).toContain('expected 6 fields, got 5');
  });

  it('finds columns by name, reads seconds exactly, fills what is absent', () => {
    const { events, diag } = importCsv(table(
      '\ufeffText, NAME ,Time,extra',
      'x,oom:wake_reaper,123456789.123456789,',
      'y,mark_victim,12.5,',
      'z,?:q,1.5e3,',
      '',
    ));
    expect(diag.kept.map((d) => [d.code, d.src?.line])).toEqual([['bad_csv_row', 4]]);
    expect(events).toEqual([
      { ts: 123_456_789_123_456_789n, cpu: -1, pid: -1, comm: '', name: 'oom:wake_reaper', text: 'x', src: { file: 'table.csv', line: 2, offset: 26 } },
      { ts: 12_500_000_000n, cpu: -1, pid: -1, comm: '', name: 'oom:mark_victim', text: 'y', src: { file: 'table.csv', line: 3, offset: 65 } },
    ]);
  });

  it('counts every name and emits only wanted ones', () => {
    const { events, names } = importCsv(table('name,ts_ns', 'oom:mark_victim,1', 'sched:sched_switch,2', 'oom:mark_victim,3'), undefined, ['oom:*']);
    expect(events.map((e) => e.ts)).toEqual([1n, 3n]);
    expect(names.entries().map((e) => [e.full, e.count, e.wanted])).toEqual([['oom:mark_victim', 2, true], ['sched:sched_switch', 1, false]]);
  });

  it('reports a quoted field still open at the end', () => {
    const { events, diag } = importCsv(table('name,ts_ns,text', 'a:b,1,ok', 'a:b,2,"never closed', 'more'));
    expect(events.map((e) => e.text)).toEqual(['ok']);
    expect(diag.kept.map((d) => [d.code, d.src?.line, d.message])).toEqual([
      ['bad_csv_row', 3, 'CSV row does not match the columns: quoted field not closed at end of input: line 3 skipped; reading resumes at line 4'],
      ['bad_csv_row', 4, 'CSV row does not match the columns: expected 3 fields, got 1'],
    ]);
  });

  it('recovers at the next row after a stray quote, closed far below or never', () => {
    const rows = Array.from({ length: 100 }, (_, i) => `${i},0,1,a,oom:mark_victim,pid=${i}`);
    rows[10] = '10,0,1,a"b,oom:mark_victim,pid=10'; // stray quote, never closed
    const never = importCsv(table('ts_ns,cpu,pid,comm,name,text', ...rows, ''));
    expect(never.events.map((e) => Number(e.ts))).toEqual([...Array(100).keys()].filter((i) => i !== 10));
    expect(never.diag.kept.map((d) => [d.src?.line, d.message])).toEqual([
      [12, 'CSV row does not match the columns: quoted field not closed at end of input: line 12 skipped; reading resumes at line 13'],
    ]);
    rows[60] = '60,0,1,c"d,oom:mark_victim,pid=60'; // a second stray quote closes the first record
    const closed = importCsv(table('ts_ns,cpu,pid,comm,name,text', ...rows, ''));
    expect(closed.events.map((e) => Number(e.ts))).toEqual([...Array(100).keys()].filter((i) => i !== 10 && i !== 60));
    expect(closed.diag.kept.map((d) => d.src?.line)).toEqual([12, 62]);
    expect(closed.diag.kept[0]!.message).toContain('line 12 skipped; reading resumes at line 13');
    for (const chunk of [1, 5, 4096]) expect(importCsv(table('ts_ns,cpu,pid,comm,name,text', ...rows, ''), chunk).events).toEqual(closed.events);
  });

  it('refuses a table without a name or timestamp column', () => {
    const { events, diag } = importCsv(table('ts_ns,comm', '1,a'));
    expect(events).toEqual([]);
    expect(diag.kept.map((d) => [d.code, d.src?.line])).toEqual([['not_a_trace', 1]]);
  });
});

describe('csv sniff', () => {
  it('is confident only about an event table header', () => {
    expect(csvImporter.sniff('ts_ns,cpu,pid,tgid,comm,name,flags,text,file,line,offset\n1,')).toBe(0.95);
    expect(csvImporter.sniff('\u00ef\u00bb\u00bf"Name","TS"\r\n')).toBe(0.95);
    expect(csvImporter.sniff('time,name')).toBe(0.95);
    expect(csvImporter.sniff('# tracer: nop\n#\n')).toBe(0);
    expect(csvImporter.sniff('name,cpu\n')).toBe(0);
    expect(csvImporter.sniff('   init-1  [000] ...1.  6.899413: rss_stat: name=x, ts=1\n')).toBe(0);
  });
});
