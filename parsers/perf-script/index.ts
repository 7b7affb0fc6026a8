// Importer for `perf script` text of tracepoint events (docs/formats.md#perf-script), in the
// default field layout and as `-F comm,pid,tid,cpu,time,event,trace --ns`.
import type { FormatImporter } from '../importer.ts';
import { PerfScriptReader } from './reader.ts';
import { sniffPerfScript } from './sniff.ts';

export const perfScriptImporter: FormatImporter = {
  name: 'perf-script',
  priority: 8,
  sniff: sniffPerfScript,
  createReader: (ctx, meta, sink) => new PerfScriptReader(ctx, meta, sink),
};

export { PerfScriptReader } from './reader.ts';
export { sniffPerfScript } from './sniff.ts';
