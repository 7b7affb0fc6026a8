// Runs the kernel-log reader over an input the way the parse phase does (through
// LineSplitter), optionally cut into fixed-size chunks. For tests.
import type { StreamMeta, TraceEvent } from '../../src/types/event.ts';
import { DiagnosticSink } from '../common/diagnostics.ts';
import { EventNames } from '../common/event-names.ts';
import { LineSplitter } from '../common/line-splitter.ts';
import { kernelLogImporter } from './index.ts';

export interface Parsed {
  events: TraceEvent[];
  meta: StreamMeta;
  diag: DiagnosticSink;
}

export interface ParseOpts {
  /** Bytes per write; 0 feeds the whole input at once. */
  chunk?: number;
  /** `--events` globs. */
  filter?: string[];
  maxLine?: number;
}

export function parseKernelLog(input: Buffer | string, { chunk = 0, filter, maxLine }: ParseOpts = {}): Parsed {
  const data = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const diag = new DiagnosticSink(1000);
  const meta: StreamMeta = { file: 'in', format: 'kernel-log', losses: [], segments: 1, bytes: 0, lines: 0 };
  const events: TraceEvent[] = [];
  const reader = kernelLogImporter.createReader({ names: new EventNames(filter), diag }, meta, {
    event: (ev) => events.push(ev),
    loss: () => {},
  });
  const splitter = new LineSplitter({
    line: (b, s, e, n, off, last) => reader.line(b, s, e, n, off, last),
    tooLong: (n, off, len) => diag.add('line_too_long', { file: meta.file, line: n, offset: off }, `${len} bytes`),
  }, maxLine);
  const step = chunk > 0 ? chunk : Math.max(data.length, 1);
  // Copies, so a reader keeping a view of a chunk would be caught by the chunked runs.
  for (let i = 0; i < data.length; i += step) splitter.write(Buffer.from(data.subarray(i, i + step)));
  splitter.end();
  reader.end();
  meta.bytes = splitter.bytes;
  meta.lines = splitter.lines;
  return { events, meta, diag };
}

/** Diagnostic counts as a plain object, for comparisons. */
export function diagCounts(d: DiagnosticSink): Record<string, number> {
  return Object.fromEntries([...d.counts].sort());
}
