// Importer for the tracefs `trace` file and `trace_pipe` (docs/formats.md#tracefs).
import type { FormatImporter } from '../importer.ts';
import { TextTraceReader } from '../common/text-trace-reader.ts';
import { ftraceOther } from './markers.ts';
import { sniffFtrace } from './sniff.ts';

export const ftraceImporter: FormatImporter = {
  name: 'ftrace',
  priority: 10,
  sniff: sniffFtrace,
  createReader: (ctx, meta, sink) => new TextTraceReader(ctx, meta, sink, { paddedName: false, other: ftraceOther }),
};
