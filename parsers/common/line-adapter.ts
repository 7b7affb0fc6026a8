// The one adapter from byte chunks to a text importer's line reader: used by the CLI
// path (src/ingest/parse-inputs.ts) and by the tests (src/testing/feed.ts).
import type { FormatImporter, ParseContext, ReaderSink } from '../importer.ts';
import type { StreamMeta } from '../../src/types/event.ts';
import { DEFAULT_MAX_LINE, LineSplitter } from './line-splitter.ts';

export class LineFeed {
  private readonly splitter: LineSplitter;
  private readonly reader;
  private ended = false;

  constructor(importer: FormatImporter, ctx: ParseContext, private readonly meta: StreamMeta, sink: ReaderSink, maxLine = DEFAULT_MAX_LINE) {
    const reader = importer.createReader(ctx, meta, sink);
    this.reader = reader;
    this.splitter = new LineSplitter(
      {
        line: (buf, s, e, n, off, last) => reader.line(buf, s, e, n, off, last),
        tooLong: (n, off, len) => ctx.diag.add('line_too_long', { file: meta.file, line: n, offset: off }, `${len} bytes`),
      },
      maxLine,
    );
  }

  write(chunk: Buffer): void {
    this.splitter.write(chunk);
  }

  /** Flushes the last line and ends the reader; safe to call twice (an input that broke). */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.splitter.end();
    this.reader.end();
    this.meta.bytes = this.splitter.bytes;
    this.meta.lines = this.splitter.lines;
  }
}
