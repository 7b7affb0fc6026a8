// Importer for `trace-cmd report` text, with or without the latency column.
import type { FormatImporter } from '../importer.ts';
import { TextTraceReader } from '../common/text-trace-reader.ts';
import { traceCmdOther } from './markers.ts';
import { sniffTraceCmd } from './sniff.ts';

export const traceCmdReportImporter: FormatImporter = {
  name: 'trace-cmd-report',
  priority: 9,
  sniff: sniffTraceCmd,
  createReader: (ctx, meta, sink) => new TextTraceReader(ctx, meta, sink, { paddedName: true, bufferPrefix: true, other: traceCmdOther }),
};
