// One text input read as it arrives: the first lines are sniffed (tracefs text or
// trace_pipe, trace-cmd report, perf script, kernel log), then every line goes to
// that format's reader. Nothing waits for the end of the input, so a live
// trace_pipe is parsed line by line.
import type { DataLoss, FormatName, StreamMeta, TraceEvent } from '../types/event.ts';
import { type FormatImporter, type LineReader, type ParseContext, isBinaryImporter } from '../../parsers/importer.ts';
import { importerByName, sniffFormat } from '../../parsers/registry.ts';
import { DEFAULT_MAX_LINE, LineSplitter } from '../../parsers/common/line-splitter.ts';
import { InputError } from '../../parsers/common/input.ts';
import { normalizeEvent } from '../ingest/normalize-event.ts';

/** Lines read before the format is sniffed (or 64 KiB, or the end of the input). */
const SNIFF_LINES = 16;
const SNIFF_BYTES = 64 * 1024;

export interface LineSourceSink {
  event(ev: TraceEvent): void;
  loss(l: DataLoss): void;
}

export class LineSource {
  readonly meta: StreamMeta;
  private head: Buffer[] = [];
  private headBytes = 0;
  private headLines = 0;
  private reader?: LineReader;
  private splitter?: LineSplitter;

  constructor(
    readonly file: string,
    private readonly ctx: ParseContext,
    private readonly sink: LineSourceSink,
    private readonly format?: FormatName,
  ) {
    this.meta = { file, format: format ?? 'ftrace', losses: [], segments: 1, bytes: 0, lines: 0 };
  }

  /** Bytes handed to the reader so far (the position in the input). */
  get position(): number {
    return this.splitter?.bytes ?? 0;
  }

  write(chunk: Buffer): void {
    if (this.splitter) {
      this.splitter.write(chunk);
      this.meta.bytes = this.splitter.bytes;
      this.meta.lines = this.splitter.lines;
      return;
    }
    this.head.push(chunk);
    this.headBytes += chunk.length;
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) this.headLines++;
    if (this.headLines >= SNIFF_LINES || this.headBytes >= SNIFF_BYTES) this.start();
  }

  end(): void {
    if (!this.splitter) {
      if (this.headBytes === 0) return;
      this.start();
    }
    this.splitter!.end();
    this.reader!.end();
    this.meta.bytes = this.splitter!.bytes;
    this.meta.lines = this.splitter!.lines;
  }

  private start(): void {
    const head = Buffer.concat(this.head);
    this.head = [];
    let importer: FormatImporter | undefined;
    if (this.format) {
      const forced = importerByName(this.format);
      // A binary trace is read by position: watch follows text streams only.
      if (forced && isBinaryImporter(forced)) throw new InputError(this.file, `--format ${this.format}: watch reads text streams (trace_pipe, trace-cmd report, perf script, kernel log)`, 'not_a_trace');
      importer = forced;
    }
    else importer = sniffFormat(head.subarray(0, SNIFF_BYTES).toString('latin1'));
    if (!importer) {
      throw new InputError(this.file, 'not a trace in any known format (tracefs text or trace_pipe, trace-cmd report, perf script, kernel log) in its first lines', 'not_a_trace');
    }
    this.meta.format = importer.name;
    const meta = this.meta;
    const ctx = this.ctx;
    const reader = importer.createReader(ctx, meta, {
      event: (ev) => {
        normalizeEvent(ev, ctx, meta);
        if (ev.ts >= 0n) {
          if (meta.firstTs === undefined || ev.ts < meta.firstTs) meta.firstTs = ev.ts;
          if (meta.lastTs === undefined || ev.ts > meta.lastTs) meta.lastTs = ev.ts;
        }
        this.sink.event(ev);
      },
      loss: (l) => this.sink.loss(l),
    });
    this.reader = reader;
    this.splitter = new LineSplitter(
      {
        line: (buf, s, e, n, off, last) => reader.line(buf, s, e, n, off, last),
        tooLong: (n, off, len) => ctx.diag.add('line_too_long', { file: this.file, line: n, offset: off }, `${len} bytes`),
      },
      DEFAULT_MAX_LINE,
    );
    this.splitter.write(head);
  }
}
