// The contract every format importer fulfils. An importer turns one input into
// TraceEvents; it knows nothing of address spaces or verdicts. Text formats are fed
// lines (through the one line adapter, parsers/common/line-adapter.ts); binary formats
// read their file by position, since their metadata and per-CPU data sit at offsets.
import type { DataLoss, FormatName, StreamMeta, TraceEvent } from '../src/types/event.ts';
import type { DiagnosticSink } from './common/diagnostics.ts';
import type { EventNames } from './common/event-names.ts';

/** Shared state of one parse run (several inputs). */
export interface ParseContext {
  /** Resolves printed event names to `system:name` and applies the `--events` filter. */
  names: EventNames;
  diag: DiagnosticSink;
  /**
   * The consumer replays one buffer of an input that has several (trace.dat instances):
   * a reader that can leave the others unread does (`StreamMeta.unreadBuffers`).
   */
  oneBuffer?: boolean;
}

/** What a reader hands out. */
export interface ReaderSink {
  event(ev: TraceEvent): void;
  loss(loss: DataLoss): void;
}

/** A reader for one input: fed line by line (views into a buffer), then ended. */
export interface LineReader {
  line(buf: Buffer, start: number, end: number, lineNo: number, offset: number, last: boolean): void;
  end(): void;
}

/** A text format: sniffed on the decompressed head as latin1, read line by line. */
export interface FormatImporter {
  name: FormatName;
  /** Ties between sniffers are broken by priority (higher wins). */
  priority: number;
  /** Confidence 0..1 that `head` (the first ≤64 KiB of decompressed text, as latin1) is this format. */
  sniff(head: string): number;
  createReader(ctx: ParseContext, meta: StreamMeta, sink: ReaderSink): LineReader;
}

export type TextImporter = FormatImporter;

/** Random access to an input's bytes (a file handle, or bytes in memory). */
export interface ByteSource {
  readonly size: number;
  /** A file this process can open again by this path (other threads read it themselves). */
  readonly path?: string;
  /** Up to `length` bytes at `position`; fewer only at the end of the input. */
  read(position: number, length: number): Promise<Uint8Array>;
  /** Fills `into` from `position` (fewer bytes only at the end); returns the bytes read. Lets a reader reuse one buffer. */
  readInto?(into: Uint8Array, position: number): Promise<number>;
}

/** A binary format: sniffed on its first bytes, read by position. */
export interface BinaryImporter {
  name: FormatName;
  binary: true;
  /** Confidence 0..1 that an input starting with `head` is this format. */
  sniffBytes(head: Uint8Array): number;
  /**
   * Called once the input is recognised, before the inputs ahead of it are read: a reader
   * may start its threads now, so that their start overlaps that reading.
   */
  warm?(src: ByteSource, ctx: ParseContext): void;
  /** Reads the whole input; throws an InputError after handing out everything before the damage. */
  read(src: ByteSource, ctx: ParseContext, meta: StreamMeta, sink: ReaderSink, pace?: () => Promise<void> | undefined): Promise<void>;
}

export type Importer = FormatImporter | BinaryImporter;

export function isBinaryImporter(i: Importer): i is BinaryImporter {
  return (i as BinaryImporter).binary === true;
}
