// Runs the perf script reader over a whole input the way the importer's caller does:
// bytes through LineSplitter (in chunks of a given size), lines to the reader.
import type { DataLoss, StreamMeta, TraceEvent } from '../../src/types/event.ts';
import { DiagnosticSink } from '../common/diagnostics.ts';
import { EventNames } from '../common/event-names.ts';
import { LineSplitter } from '../common/line-splitter.ts';
import { perfScriptImporter } from './index.ts';

export interface PerfParse {
  events: TraceEvent[];
  losses: DataLoss[];
  diag: DiagnosticSink;
  names: EventNames;
  meta: StreamMeta;
}

export function parsePerfScript(input: Buffer, opts: { chunk?: number; events?: string[]; file?: string } = {}): PerfParse {
  const names = new EventNames(opts.events);
  const diag = new DiagnosticSink(1000);
  const meta: StreamMeta = { file: opts.file ?? 'input.txt', format: 'perf-script', losses: [], segments: 1, bytes: 0, lines: 0 };
  const events: TraceEvent[] = [];
  const losses: DataLoss[] = [];
  const reader = perfScriptImporter.createReader({ names, diag }, meta, {
    event: (ev) => events.push(ev),
    loss: (l) => losses.push(l),
  });
  const splitter = new LineSplitter({
    line: (buf, start, end, lineNo, offset, last) => reader.line(buf, start, end, lineNo, offset, last),
    tooLong: (lineNo, offset) => diag.add('line_too_long', { file: meta.file, line: lineNo, offset }),
  });
  const step = opts.chunk ?? input.length;
  for (let i = 0; i < input.length; i += step) splitter.write(input.subarray(i, Math.min(input.length, i + step)));
  splitter.end();
  reader.end();
  meta.bytes = splitter.bytes;
  meta.lines = splitter.lines;
  return { events, losses, diag, names, meta };
}

/** Diagnostics as `code@line` strings, for compact assertions. */
export function diagCodes(p: PerfParse): string[] {
  return p.diag.kept.map((d) => `${d.code}@${d.src?.line ?? '-'}`);
}
