// A kernel log on the wall clock (syslog, journalctl short, dmesg -T) merged with
// inputs on the trace clock: aligned when a line of it also appears, printk-stamped,
// in another input (the same kill line in a trace's console events or a dmesg), else
// kept apart as untimed lines, with a note. A wall-clock log alone keeps its own clock.
import type { StreamMeta, TraceEvent } from '../types/event.ts';
import type { ParseContext } from '../../parsers/importer.ts';

/** The message without a printk time prefix. */
const key = (ev: TraceEvent): string => ev.text.replace(/^\[\s*\d+\.\d+\]\s?/, '').trim();

/** Lines specific enough to anchor two clocks: one per OOM kill. */
const ANCHOR = /Killed process \d|oom-kill:constraint=|oom_reaper: reaped process \d|invoked oom-killer: /;

export function alignWallLogs(printk: TraceEvent[], traced: boolean, inputs: readonly StreamMeta[], ctx: ParseContext): TraceEvent[] {
  const wall = new Set(inputs.filter((m) => m.traceClock === 'wall' && m.format === 'kernel-log').map((m) => m.file));
  if (wall.size === 0) return printk;
  const other = printk.filter((e) => !wall.has(e.src.file) && e.ts >= 0n);
  if (!traced && other.length === 0) return printk;
  const byKey = new Map<string, bigint>();
  for (const e of other) if (ANCHOR.test(e.text)) byKey.set(key(e), e.ts);
  const offset = new Map<string, bigint>();
  for (const file of wall) {
    const anchor = printk.find((e) => e.src.file === file && e.ts >= 0n && ANCHOR.test(e.text) && byKey.has(key(e)));
    if (anchor) {
      offset.set(file, byKey.get(key(anchor))! - anchor.ts);
      ctx.diag.add('clock_aligned', anchor.src, JSON.stringify(key(anchor).slice(0, 80)));
    } else {
      ctx.diag.add('clock_apart', { file, line: 1, offset: 0 });
    }
  }
  return printk.map((e) => {
    if (!wall.has(e.src.file) || e.ts < 0n) return e;
    const d = offset.get(e.src.file);
    return { ...e, ts: d === undefined ? -1n : e.ts + d };
  });
}
