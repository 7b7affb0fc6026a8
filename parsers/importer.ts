// The contract every format importer fulfils. An importer turns lines of one text
// format into TraceEvents; it knows nothing of address spaces or verdicts.
import type { DataLoss, FormatName, StreamMeta, TraceEvent } from '../src/types/event.ts';
import type { DiagnosticSink } from './common/diagnostics.ts';
import type { EventNames } from './common/event-names.ts';

/** Shared state of one parse run (several inputs). */
export interface ParseContext {
  /** Resolves printed event names to `system:name` and applies the `--events` filter. */
  names: EventNames;
  diag: DiagnosticSink;
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

export interface FormatImporter {
  name: FormatName;
  /** Ties between sniffers are broken by priority (higher wins). */
  priority: number;
  /** Confidence 0..1 that `head` (the first ≤64 KiB of decompressed text, as latin1) is this format. */
  sniff(head: string): number;
  createReader(ctx: ParseContext, meta: StreamMeta, sink: ReaderSink): LineReader;
}
