// Several inputs of one capture (a trace, the kernel log, the kprobe definitions)
// read into one stream of events on one clock, in time order: each input's events
// come in its own order, and the streams are merged (k-way), not copied and sorted.
// Along the way it records, per event name, what the model received: delivered
// events and those whose text did not decode (coverage of the declared needs).
import type { DataLoss, FormatName, StreamMeta, TraceEvent } from '../types/event.ts';
import type { KprobeDef } from '../types/kprobe.ts';
import type { ParseContext } from '../../parsers/importer.ts';
import { DiagnosticSink, UNREADABLE_CODES, type Diagnostic } from '../../parsers/common/diagnostics.ts';
import { EventNames } from '../../parsers/common/event-names.ts';
import { parseInputs } from '../ingest/parse-inputs.ts';
import { DECODED_EVENTS } from '../normalize/needs.ts';
import { buildLogRecords } from './log-records.ts';
import { mergeByTime } from './merge.ts';
import type { EventTally } from '../types/coverage.ts';
import { alignWallLogs } from './wall-clock.ts';
import { StreamMerger } from './stream-merge.ts';
import { formatsRef } from '../types/model-doc.ts';

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
  /** The events went to the reader's sink as they were read and were not kept (`events` is empty). */
  streamed?: boolean;
  /** Streamed: per unreadable line's diagnostic, the first event after it in its input (src/timeline/unreadable.ts). */
  nextAfter?: Map<Diagnostic, Pick<TraceEvent, 'ts' | 'cpu'>>;
}

/**
 * Notes, for each unreadable line, the first event after it in its input, as the events
 * are handed out: a line is diagnosed when read, before any later line's event goes out.
 */
class NextAfter {
  readonly found = new Map<Diagnostic, Pick<TraceEvent, 'ts' | 'cpu'>>();
  private readonly seen = new Map<DiagnosticSink, number>();
  private readonly pending = new Map<string, Diagnostic[]>();
  private readonly known = new Set<Diagnostic>();

  constructor(private readonly sinks: DiagnosticSink[]) {}

  see(ev: TraceEvent): void {
    for (const sink of this.sinks) {
      const from = this.seen.get(sink) ?? 0;
      if (from === sink.kept.length) continue;
      for (let i = from; i < sink.kept.length; i++) {
        const d = sink.kept[i]!;
        // A diagnostic may show in two sinks (an input's own, then the capture's it is added to).
        if (!d.src || !UNREADABLE_CODES.includes(d.code) || this.known.has(d)) continue;
        this.known.add(d);
        let l = this.pending.get(d.src.file);
        if (!l) this.pending.set(d.src.file, (l = []));
        l.push(d);
      }
      this.seen.set(sink, sink.kept.length);
    }
    const l = this.pending.get(ev.src.file);
    if (!l?.length) return;
    const rest = l.filter((d) => {
      if (d.src!.line >= ev.src.line) return true;
      this.found.set(d, { ts: ev.ts, cpu: ev.cpu });
      return false;
    });
    this.pending.set(ev.src.file, rest);
  }
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
  return readCapture(files, format, needs);
}

// Parse order when streaming: kprobe definitions, then the kernel logs (small, whole),
// then the trace, whose events are merged with the logs' records as they are read.
const STREAM_RANK = (f: FormatName): number => (f === 'kprobe-events' ? 0 : f === 'kernel-log' ? 1 : 2);

/** Given the reader's context and tallies (filled as the read goes on), the consumer of the stream. */
export type StreamSink = (c: Pick<LoadedCapture, 'ctx' | 'delivered'>) => (ev: TraceEvent) => void;

/**
 * Read a capture. Without `sink`, every event is kept (`events`, in time order). With
 * `sink`, each event goes to it in the same order as it is read (`events` is left empty):
 * when the capture is one trace and printk-stamped kernel logs. Otherwise (several
 * traces, a kernel log on the wall clock) the events are kept and handed to `sink` at
 * the end, the same stream.
 */
export async function readCapture(files: readonly string[], format?: FormatName, needs: readonly string[] = DECODED_EVENTS, stream?: StreamSink): Promise<LoadedCapture> {
  const names = new RecordingNames(needs);
  // The model replays one buffer of a trace.dat: the reader leaves the others unread.
  const ctx: ParseContext = { names, diag: new DiagnosticSink(), oneBuffer: true };
  const perInput = new Map<StreamMeta, TraceEvent[]>();
  const printkOf = new Map<StreamMeta, TraceEvent[]>();
  const lossesOf = new Map<StreamMeta, DataLoss[]>();
  const delivered = new Map<string, EventTally>();
  const otherBuffers = new Map<string, { file: string; name: string; read: string; n: number }>();
  const readBuffer = new Map<StreamMeta, string>();
  const userSink = stream?.({ ctx, delivered });
  const sinks = [ctx.diag];
  const nextAfter = new NextAfter(sinks);
  const sink = userSink
    ? (ev: TraceEvent): void => {
        nextAfter.see(ev);
        userSink(ev);
      }
    : undefined;
  // With a sink the inputs are read logs first; each keeps its own diagnostics, put back
  // afterwards in the order of a read as given (kprobe definitions first, then as given).
  const parsed: { index: number; format: FormatName; diag?: DiagnosticSink }[] = [];
  let merger: StreamMerger | undefined;
  let streaming = sink !== undefined;
  let diag = ctx.diag;
  let failures = 0;
  const startStream = (): void => {
    // A kernel log on the wall clock is aligned on the trace's copy of its lines; a log
    // with a CPU column counts as a trace's copy: both need the whole capture.
    const logs = [...printkOf.entries()];
    if (perInput.size > 0 || logs.some(([m, l]) => m.traceClock === 'wall' || l.some((e) => e.cpu >= 0))) {
      streaming = false;
      return;
    }
    merger = new StreamMerger(sink!);
    merger.setLogs(logs.flatMap(([, l]) => l));
    printkOf.clear();
  };
  const { inputs: parseOrder } = await parseInputs(files, {
    context: ctx,
    format,
    rank: sink ? STREAM_RANK : undefined,
    onInput: (f, _file, index, all) => {
      const p: (typeof parsed)[number] = { index, format: f };
      parsed.push(p);
      if (!sink || f === 'kprobe-events') return undefined;
      if (streaming && STREAM_RANK(f) === 2) {
        // Several traces merge with each other: each needs the others whole.
        if (all.filter((x) => STREAM_RANK(x) === 2).length > 1) streaming = false;
        else startStream();
      }
      diag = p.diag = new DiagnosticSink();
      sinks.push(diag);
      failures = 0;
      return { ...ctx, diag };
    },
    onEvent: (ev, meta) => {
      // The buffers (or files) one report's text names may hold the same events, each with
      // its own clock reads: the model reads the one of the first event. (A trace.dat's
      // reader walks one buffer already: `oneBuffer`.)
      let read = readBuffer.get(meta);
      if (read === undefined) readBuffer.set(meta, (read = ev.src.instance ?? ''));
      if ((ev.src.instance ?? '') !== read) {
        // Its decode failure, if any, is not the next replayed event's.
        failures = diag.count('field_decode_failed');
        const k = `${meta.file}\0${ev.src.instance ?? ''}`;
        const o = otherBuffers.get(k);
        if (o) o.n++;
        else otherBuffers.set(k, { file: meta.file, name: ev.src.instance ?? '', read, n: 1 });
        return;
      }
      let t = delivered.get(ev.name);
      if (!t) delivered.set(ev.name, (t = { delivered: 0, undecodable: 0 }));
      t.delivered++;
      // The decoder records field_decode_failed just before handing the event out.
      const f = diag.count('field_decode_failed');
      if (f !== failures) {
        failures = f;
        if (t.undecodable++ === 0) t.firstUndecodable = ev.src;
      }
      if (streaming && merger && meta.format !== 'kernel-log') {
        merger.push(ev);
        return;
      }
      const into = ev.name === 'printk:console' ? printkOf : perInput;
      let l = into.get(meta);
      if (!l) into.set(meta, (l = []));
      l.push(ev);
    },
    onLoss: (l, meta) => {
      let list = lossesOf.get(meta);
      if (!list) lossesOf.set(meta, (list = []));
      list.push(l);
    },
  });
  // The last events out of the merge, while each input's diagnostics are still its own.
  if (merger && streaming) merger.end();
  // A report names an instance or, read from several files, each file: the text cannot tell which.
  const named = (s: string): string => (s ? `${JSON.stringify(s)} (an instance or file the report names)` : 'the top buffer');
  for (const o of otherBuffers.values()) {
    ctx.diag.add('other_buffer', { file: o.file, line: 0, offset: 0 }, `${o.n} events of ${named(o.name)} not replayed; the model reads ${named(o.read)} (${formatsRef('trace-dat-buffers')})`);
  }
  const instance = (s: string): string => (s ? `instance ${JSON.stringify(s)}` : 'the top buffer');
  for (const m of parseOrder) {
    for (const u of m.unreadBuffers ?? []) {
      ctx.diag.add('other_buffer', { file: m.file, line: 0, offset: 0 }, `${instance(u.name)} (${u.bytes} bytes of CPU data) not read nor replayed; the model reads ${instance(m.buffers![0]!)} (${formatsRef('trace-dat-buffers')})`);
    }
  }
  // Inputs, diagnostics and losses in the order of a read as given.
  const order = parseOrder.map((m, k) => ({ m, ...parsed[k]! })).sort((a, b) => Number(b.format === 'kprobe-events') - Number(a.format === 'kprobe-events') || a.index - b.index);
  for (const o of order) if (o.diag) ctx.diag.absorb(o.diag);
  const inputs = order.map((o) => o.m);
  const losses = inputs.flatMap((m) => lossesOf.get(m) ?? []);
  const present = (): Set<string> => new Set(ctx.names.entries().map((e) => e.full));
  if (merger && streaming) {
    return { events: [], untimed: merger.untimed, inputs, losses, ctx, present: present(), delivered, kprobes: names.defs, streamed: true, nextAfter: nextAfter.found };
  }
  const printk = inputs.flatMap((m) => printkOf.get(m) ?? []);
  printkOf.clear();
  const aligned = alignWallLogs(printk, perInput.size > 0, inputs, ctx);
  // Free the raw lines early, unless alignment handed back the same array.
  if (aligned !== printk) printk.length = 0;
  const logs = buildLogRecords(aligned);
  const events = mergeByTime([...inputs.filter((m) => perInput.has(m)).map((m) => perInput.get(m)!), logs.filter((e) => e.ts >= 0n)]);
  perInput.clear();
  const untimed = logs.filter((e) => e.ts < 0n);
  if (sink) for (const e of events) sink(e);
  return { events, untimed, inputs, losses, ctx, present: present(), delivered, kprobes: names.defs };
}
