// Drive an importer over an in-memory input, whole or in fixed-size chunks, the way
// the pipeline does (LineSplitter → reader), without the async file layer.
import type { DataLoss, StreamMeta, TraceEvent } from '../types/event.ts';
import type { FormatImporter, ParseContext } from '../../parsers/importer.ts';
import { LineFeed } from '../../parsers/common/line-adapter.ts';
import { newContext } from '../ingest/parse-inputs.ts';

export interface Fed {
  events: TraceEvent[];
  losses: DataLoss[];
  meta: StreamMeta;
  ctx: ParseContext;
}

export interface FeedOptions {
  /** Chunk size in bytes; whole input when absent. */
  chunk?: number;
  file?: string;
  /** Shared context; a fresh one when absent. */
  ctx?: ParseContext;
  maxLine?: number;
  /** `--events` globs for the fresh context (ignored when `ctx` is given). */
  events?: readonly string[];
}

export function feed(importer: FormatImporter, data: Buffer | string, opts: FeedOptions = {}): Fed {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const ctx = opts.ctx ?? newContext(opts.events);
  const file = opts.file ?? 'input';
  const meta: StreamMeta = { file, format: importer.name, losses: [], segments: 1, bytes: 0, lines: 0 };
  const events: TraceEvent[] = [];
  const losses: DataLoss[] = [];
  const lines = new LineFeed(importer, ctx, meta, { event: (e) => events.push(e), loss: (l) => losses.push(l) }, opts.maxLine);
  const step = opts.chunk ?? bytes.length;
  for (let i = 0; i < bytes.length; i += step) {
    // Copy each chunk so no reader can depend on the chunks sharing memory.
    lines.write(Buffer.from(bytes.subarray(i, Math.min(bytes.length, i + step))));
  }
  lines.end();
  return { events, losses, meta, ctx };
}

/** Diagnostic counts as a plain object, for assertions. */
export function diagCounts(ctx: ParseContext): Record<string, number> {
  return Object.fromEntries(ctx.diag.counts);
}
