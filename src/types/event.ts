// The one normalized event every importer produces.
//
// Timestamps are integer nanoseconds parsed from the printed digits (never via a
// float), so events from ftrace, trace-cmd, perf and the kernel log compare exactly.

/** Where an event (or a diagnostic) came from, so every verdict can cite it. */
export interface SourceRef {
  /** The input as the user named it (never used to build other paths). */
  file: string;
  /** 1-based line number in the (decompressed) text. */
  line: number;
  /** Byte offset of the line's first byte in the (decompressed) text; of the record in a binary file. */
  offset: number;
  /** Binary traces: the CPU whose buffer held the record. */
  cpu?: number;
  /** Binary traces: index of the record in its CPU's stream (trace.dat) or in the file (perf.data). */
  record?: number;
  /** trace.dat: index of the ring-buffer page in its CPU's stream. */
  page?: number;
  /** The buffer (`trace-cmd record -B NAME`) that held the record, of a trace.dat or named by a report's `NAME: ` (there also a file of `report -i a -i b`); absent for the top buffer. */
  instance?: string;
}

/** A decoded field value: numbers that fit, bigints for 64-bit counters, hex addresses as strings. */
export type FieldValue = string | number | bigint | boolean | null;

export type Fields = Record<string, FieldValue>;

export interface TraceEvent {
  /** Integer nanoseconds on the trace clock; -1n for kernel log lines printed without a time. */
  ts: bigint;
  /** CPU the event was recorded on; -1 when the format does not say (kernel log). */
  cpu: number;
  /** Context task id (the thread that was running), as the recorder printed it; -1 when unknown. */
  pid: number;
  /** Thread-group id when the recorder printed it (record-tgid, perf pid/tid), else undefined. */
  tgid?: number;
  /** Context task name; attacker-controlled text. */
  comm: string;
  /** `system:name`, e.g. `oom:mark_victim`, `mn:mn_inv_start`; `?:name` when the system is unknown. */
  name: string;
  /** Event text after `name: ` exactly as printed (continuation lines joined with `\n`). */
  text: string;
  /** Typed fields for events with a decoder; undefined until decoded (see normalize/decode.ts). */
  fields?: Fields;
  /** Binary records (trace.dat, perf.data): the print arguments read from the record's bytes, so decoders need not parse `text`. */
  record?: RecordArgs;
  /** Latency/irq flags column when printed (`d..1.`); never used for inference. */
  flags?: string;
  /** Kernel or user stack printed with the event (ftrace `stacktrace` option, perf callchains), innermost first. */
  stack?: string[];
  src: SourceRef;
}

/**
 * What the model keeps of an event it may cite once the event itself is gone: when, whose,
 * and where it is in its input. The invalidate calls of thousands of victims are kept to
 * the end as these, not as events with their text and fields (735 B of heap each on 1,000
 * victims, src/bench/check.ts).
 */
export interface EventRef {
  readonly ts: bigint;
  readonly pid: number;
  readonly tgid?: number;
  readonly name: string;
  readonly src: SourceRef;
}

/** The reference to an event (a new object: the event itself is not held). One literal, so every reference has one shape. */
export function refOf(e: TraceEvent): EventRef {
  return { ts: e.ts, pid: e.pid, tgid: e.tgid, name: e.name, src: e.src };
}

/**
 * A binary record seen through its event's print fmt: the format string, and each argument
 * as the print fmt evaluates it (integers up to 32 bits as numbers, 64-bit ones as bigints,
 * char data and `__print_symbolic` names as strings), read by offset from the record.
 */
export interface RecordArgs {
  readonly printf: string;
  arg(i: number): string | number | bigint | Uint8Array | (number | bigint)[] | undefined;
}

/** A place in the trace where events were lost; every verdict whose window covers it is weakened. */
export interface DataLoss {
  /** `unreadable_line`: a line that did not parse (malformed, binary, too long, cut): it may have been any event. */
  kind: 'lost_events' | 'buffer_started' | 'overrun' | 'events_dropped' | 'unreadable_line';
  cpu: number;
  /** Time of the first event after the loss on that CPU, when known. */
  ts?: bigint;
  /** Number of events lost, when the recorder said. */
  count?: number;
  /**
   * The CPU's events stop here (a binary trace cut or corrupt where its pages are read):
   * `ts` is the last time read, and what came after it on that CPU is missing to the end.
   */
  tail?: boolean;
  src: SourceRef;
}

export type FormatName =
  | 'ftrace'
  | 'trace-cmd-report'
  | 'perf-script'
  | 'kernel-log'
  | 'csv'
  | 'kprobe-events'
  | 'trace-dat'
  | 'perf-data';

/** What an input says about itself, beside its events. */
export interface StreamMeta {
  file: string;
  format: FormatName;
  kernelRelease?: string;
  /** Kernel log without a printed release: the version range its line formats imply (e.g. `4.5-5.1`). */
  kernelFamily?: string;
  traceClock?: string;
  cpus?: number;
  /** trace.dat: names of the buffers with CPU data, in file order ('' = the top buffer). */
  buffers?: string[];
  /** trace.dat read for one buffer (`ParseContext.oneBuffer`): the buffers with data left unread, and their bytes of CPU data. */
  unreadBuffers?: { name: string; bytes: number }[];
  /** `entries-in-buffer/entries-written` of a tracefs `trace` header (written > inBuffer: ring overran). */
  entries?: { inBuffer: number; written: number };
  losses: DataLoss[];
  /** Number of concatenated traces seen (a second header in the middle starts a new segment). */
  segments: number;
  /** Earliest and latest timestamp of the selected events (untimed log lines aside). */
  firstTs?: bigint;
  lastTs?: bigint;
  /** Bytes of decompressed text read. */
  bytes: number;
  lines: number;
}
