// Several inputs of one capture (a trace, the kernel log, the kprobe definitions)
// read into one stream of events on one clock, in time order: each input's events
// come in its own order, and the streams are merged (k-way), not copied and sorted.
// Along the way it records, per event name, what the model received: delivered
// events and those whose text did not decode (coverage of the declared needs).
import type { DataLoss, FormatName, StreamMeta, TraceEvent } from '../types/event.ts';
import type { KprobeDef } from '../types/kprobe.ts';
import type { ParseContext } from '../../parsers/importer.ts';
import { DiagnosticSink } from '../../parsers/common/diagnostics.ts';
import { EventNames } from '../../parsers/common/event-names.ts';
import { parseInputs } from '../ingest/parse-inputs.ts';
import { DECODED_EVENTS } from '../normalize/needs.ts';
import { buildLogRecords } from './log-records.ts';
import { mergeByTime } from './merge.ts';
import type { EventTally } from '../types/coverage.ts';
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
  /** Per selected event name: delivered to the model, and how many did not decode. */
  delivered: Map<string, EventTally>;
  /** The kprobe definitions the inputs gave. */
  kprobes: KprobeDef[];
}

/** Event names that remember the kprobe definitions they were given. */
class RecordingNames extends EventNames {
  readonly defs: KprobeDef[] = [];
  override addKprobe(def: KprobeDef): void {
    this.defs.push(def);
    super.addKprobe(def);
  }
}

export async function loadCapture(files: readonly string[], format?: FormatName, needs: readonly string[] = DECODED_EVENTS): Promise<LoadedCapture> {
  const names = new RecordingNames(needs);
  const ctx: ParseContext = { names, diag: new DiagnosticSink() };
  const perInput = new Map<StreamMeta, TraceEvent[]>();
  const printk: TraceEvent[] = [];
  const losses: DataLoss[] = [];
  const delivered = new Map<string, EventTally>();
  let failures = 0;
  const { inputs } = await parseInputs(files, {
    context: ctx,
    format,
    onEvent: (ev, meta) => {
      let t = delivered.get(ev.name);
      if (!t) delivered.set(ev.name, (t = { delivered: 0, undecodable: 0 }));
      t.delivered++;
      // The decoder records field_decode_failed just before handing the event out.
      const f = ctx.diag.count('field_decode_failed');
      if (f !== failures) {
        failures = f;
        if (t.undecodable++ === 0) t.firstUndecodable = ev.src;
      }
      if (ev.name === 'printk:console') printk.push(ev);
      else {
        let l = perInput.get(meta);
        if (!l) perInput.set(meta, (l = []));
        l.push(ev);
      }
    },
    onLoss: (l) => losses.push(l),
  });
  const aligned = alignWallLogs(printk, perInput.size > 0, inputs, ctx);
  // Free the raw lines early, unless alignment handed back the same array.
  if (aligned !== printk) printk.length = 0;
  const logs = buildLogRecords(aligned);
  const events = mergeByTime([...perInput.values(), logs.filter((e) => e.ts >= 0n)]);
  perInput.clear();
  const present = new Set(ctx.names.entries().map((e) => e.full));
  return { events, untimed: logs.filter((e) => e.ts < 0n), inputs, losses, ctx, present, delivered, kprobes: names.defs };
}
