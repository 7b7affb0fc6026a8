// The streamed merge hands out what the buffered one builds (buildLogRecords +
// mergeByTime over the whole capture): the same events, in the same order, on random
// traces made of real console lines (KERN_CONT fragments of the OOM summary, kill lines,
// unknown lines), trace events, and kernel-log copies near, at and far from the trace's.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import type { TraceEvent } from '../types/event.ts';
import { decodePrintk } from '../../parsers/common/printk-line.ts';
import { buildLogRecords } from './log-records.ts';
import { mergeByTime } from './merge.ts';
import { REORDER_NS, StreamMerger } from './stream-merge.ts';

const MS = 1_000_000n;
const LINES = [
  'oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null)',
  ',cpuset=/',
  ',mems_allowed=0',
  ',oom_memcg=/oomlab',
  ',task=victim,pid=440,uid=0',
  'Memory cgroup out of memory: Killed process 440 (victim) total-vm:1056896kB, anon-rss:1045628kB, file-rss:1320kB, shmem-rss:0kB, UID:0 pgtables:2104kB oom_score_adj:0',
  'oom_reaper: reaped process 440 (victim), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB',
  'victim invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0',
  ' dump_stack_lvl+0x44/0x5c',
];

let line = 0;
function console_(ts: bigint, pid: number, text: string, file: string, cpu: number): TraceEvent {
  return { ts, cpu, pid, comm: 'victim', name: 'printk:console', text, fields: decodePrintk(text), src: { file, line: ++line, offset: line } };
}
function traceEvent(ts: bigint, pid: number): TraceEvent {
  return { ts, cpu: 0, pid, comm: 'x', name: 'oom:mark_victim', text: `pid=${pid}`, fields: { pid }, src: { file: 'trace', line: ++line, offset: line } };
}

interface Case {
  trace: TraceEvent[];
  log: TraceEvent[];
}

/** Steps of 0..30 ms (ties and fragment gaps around FRAGMENT_GAP_NS), now and then a step back. */
const traceArb = fc.array(
  fc.record({ dt: fc.integer({ min: -3, max: 30 }), console: fc.integer({ min: 0, max: 2 }), text: fc.integer({ min: 0, max: LINES.length - 1 }), pid: fc.integer({ min: 1, max: 2 }) }),
  { maxLength: 80 },
);
const logArb = fc.array(fc.record({ at: fc.integer({ min: 0, max: 80 }), shift: fc.integer({ min: -300, max: 300 }), text: fc.integer({ min: 0, max: LINES.length - 1 }), untimed: fc.boolean() }), { maxLength: 20 });

type Steps = typeof traceArb extends fc.Arbitrary<infer T> ? T : never;
type Logs = typeof logArb extends fc.Arbitrary<infer T> ? T : never;

function build(steps: Steps, logs: Logs): Case {
  let t = 1000n * MS;
  const trace: TraceEvent[] = [];
  for (const s of steps) {
    t += BigInt(s.dt) * MS;
    trace.push(s.console > 0 ? console_(t, s.pid, LINES[s.text]!, 'trace', 1) : traceEvent(t, s.pid));
  }
  // Kernel-log lines: copies of trace lines shifted by up to 300 ms, sorted as a log is.
  const log = logs
    .map((l) => {
      const base = trace[l.at % Math.max(trace.length, 1)]?.ts ?? 1000n * MS;
      return console_(l.untimed ? -1n : base + BigInt(l.shift) * MS, 0, LINES[l.text]!, 'dmesg', -1);
    })
    .sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  return { trace, log };
}

function buffered(c: Case): { timed: TraceEvent[]; untimed: TraceEvent[] } {
  const printk = [...c.trace.filter((e) => e.name === 'printk:console'), ...c.log];
  const logs = buildLogRecords(printk);
  const timed = mergeByTime([c.trace.filter((e) => e.name !== 'printk:console'), logs.filter((e) => e.ts >= 0n)]);
  return { timed, untimed: logs.filter((e) => e.ts < 0n) };
}

function streamed(c: Case): { timed: TraceEvent[]; untimed: TraceEvent[]; late: number } {
  const timed: TraceEvent[] = [];
  const m = new StreamMerger((e) => timed.push(e));
  m.setLogs(c.log);
  for (const e of c.trace) m.push(e);
  m.end();
  return { timed, untimed: m.untimed, late: m.lateEvents };
}

const view = (l: TraceEvent[]) => l.map((e) => `${e.ts} ${e.src.file}:${e.src.line} ${e.text}`);

describe('StreamMerger', () => {
  test('hands out what buildLogRecords + mergeByTime build, on random traces', () => {
    fc.assert(
      fc.property(traceArb, logArb, (steps, logs) => {
        const c = build(steps, logs);
        const b = buffered(c);
        const s = streamed(c);
        // Steps back are at most 3 ms: all within the reorder window.
        expect(s.late).toBe(0);
        expect(view(s.timed)).toEqual(view(b.timed));
        expect(view(s.untimed)).toEqual(view(b.untimed));
      }),
      { numRuns: Number(process.env.FC_RUNS) || 400 },
    );
  });

  test('a message in fragments is joined across other events and decoded whole', () => {
    const c: Case = {
      trace: [
        console_(1000n * MS, 7, LINES[0]!, 'trace', 1),
        traceEvent(1001n * MS, 9),
        console_(1002n * MS, 7, LINES[1]!, 'trace', 1),
        console_(1003n * MS, 7, LINES[2]!, 'trace', 1),
        console_(1004n * MS, 7, LINES[3]!, 'trace', 1),
        console_(1005n * MS, 7, LINES[4]!, 'trace', 1),
        traceEvent(1500n * MS, 9),
      ],
      log: [],
    };
    const s = streamed(c);
    expect(s.timed.map((e) => e.name)).toEqual(['printk:console', 'oom:mark_victim', 'oom:mark_victim']);
    expect(s.timed[0]!.fields).toMatchObject({ kind: 'oom_summary', task: 'victim', pid: 440 });
  });

  test("the kernel log's copy of a trace line is dropped within 200 ms, kept beyond", () => {
    const kill = LINES[5]!;
    const c: Case = { trace: [console_(1000n * MS, 7, kill, 'trace', 1), traceEvent(2000n * MS, 1)], log: [console_(1150n * MS, 0, kill, 'dmesg', -1), console_(1250n * MS, 0, kill, 'dmesg', -1)] };
    expect(streamed(c).timed.map((e) => `${e.src.file} ${e.ts / MS}`)).toEqual(['trace 1000', 'dmesg 1250', 'trace 2000']);
  });

  test('an event out of order within the window takes its place; one before what went out already is late, counted', () => {
    const inWindow = streamed({ trace: [traceEvent(1000n * MS, 1), traceEvent(1000n * MS + 2n * REORDER_NS, 2), traceEvent(1000n * MS + REORDER_NS / 2n, 3)], log: [] });
    expect(inWindow.timed.map((e) => e.pid)).toEqual([1, 3, 2]);
    expect(inWindow.late).toBe(0);
    const late = streamed({ trace: [traceEvent(1000n * MS, 1), traceEvent(1000n * MS + 2n * REORDER_NS, 2), traceEvent(990n * MS, 3)], log: [] });
    expect(late.timed.map((e) => e.pid)).toEqual([1, 3, 2]);
    expect(late.late).toBe(1);
  });
  test("a live kernel log's lines, pushed as they come, are merged and deduplicated as the ones given first", () => {
    const kill = LINES[5]!;
    const timed: TraceEvent[] = [];
    const m = new StreamMerger((e) => timed.push(e));
    m.push(console_(1000n * MS, 7, kill, 'trace', 1));
    m.pushLog(console_(1150n * MS, 0, kill, 'dmesg', -1));
    m.pushLog(console_(1250n * MS, 0, kill, 'dmesg', -1));
    m.pushLog(console_(-1n, 0, LINES[6]!, 'dmesg', -1));
    m.push(traceEvent(2000n * MS, 1));
    m.end();
    expect(timed.map((e) => `${e.src.file} ${e.ts / MS}`)).toEqual(['trace 1000', 'dmesg 1250', 'trace 2000']);
    expect(m.untimed.map((e) => e.text)).toEqual([LINES[6]]);
  });

  test('flush hands out what is held back for late events, and merging goes on; holds tells what is held', () => {
    const timed: TraceEvent[] = [];
    const m = new StreamMerger((e) => timed.push(e));
    m.push(traceEvent(1000n * MS, 1));
    expect(timed).toHaveLength(0);
    m.flush();
    expect(timed.map((e) => e.pid)).toEqual([1]);
    // Held back again after the flush: a late event still takes its place.
    m.push(traceEvent(1000n * MS + REORDER_NS / 2n, 2));
    m.push(traceEvent(1000n * MS + REORDER_NS / 4n, 3));
    expect(timed).toHaveLength(1);
    expect(m.holds((e) => e.pid === 3)).toBe(true);
    expect(m.holds((e) => e.pid === 1)).toBe(false);
    m.end();
    expect(timed.map((e) => e.pid)).toEqual([1, 3, 2]);
  });
});
