// Several inputs of one capture (a trace, the kernel log, the kprobe definitions)
// read into one stream of events on one clock, in time order.
import type { DataLoss, StreamMeta, TraceEvent } from '../types/event.ts';
import type { ParseContext } from '../../parsers/importer.ts';
import { newContext, parseInputs } from '../ingest/parse-inputs.ts';
import { MODEL_EVENTS } from '../ingest/model-events.ts';
import { buildLogRecords } from './log-records.ts';
import { alignWallLogs } from './wall-clock.ts';

export interface LoadedCapture {
  /** Trace events and (deduplicated, joined) kernel log records, by time. */
  events: TraceEvent[];
  /** Kernel log lines that carry no time (plain dmesg): kept for the story, never timed. */
  untimed: TraceEvent[];
  inputs: StreamMeta[];
  losses: DataLoss[];
  ctx: ParseContext;
  /** `system:name` of every event type present in the inputs (selected or not). */
  present: Set<string>;
}

export async function loadCapture(files: readonly string[], format?: import('../types/event.ts').FormatName): Promise<LoadedCapture> {
  const ctx = newContext(MODEL_EVENTS);
  const raw: TraceEvent[] = [];
  const losses: DataLoss[] = [];
  const { inputs } = await parseInputs(files, {
    context: ctx,
    format,
    onEvent: (ev) => raw.push(ev),
    onLoss: (l) => losses.push(l),
  });
  const traces = raw.filter((e) => e.name !== 'printk:console');
  const printk = alignWallLogs(raw.filter((e) => e.name === 'printk:console'), traces.length > 0, inputs, ctx);
  const logs = buildLogRecords(printk);
  const timed = [...traces, ...logs.filter((e) => e.ts >= 0n)];
  // Stable sort by time: events of one input keep their order at equal times.
  timed.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  const present = new Set(ctx.names.entries().map((e) => e.full));
  return { events: timed, untimed: logs.filter((e) => e.ts < 0n), inputs, losses, ctx, present };
}
