// Parse phase: inputs → sniffed importers → line readers → TraceEvents.
// All inputs are sniffed before any is parsed, so a file that is not a trace stops
// the run before output starts; kprobe definitions are read first because they
// name the events of every other input.
import type { DataLoss, FormatName, StreamMeta, TraceEvent } from '../types/event.ts';
import type { FormatImporter, ParseContext, ReaderSink } from '../../parsers/importer.ts';
import { DiagnosticSink } from '../../parsers/common/diagnostics.ts';
import { EventNames } from '../../parsers/common/event-names.ts';
import { InputError } from '../../parsers/common/input.ts';
import { openInputThreaded } from '../../parsers/common/input-thread.ts';
import { DEFAULT_MAX_LINE, LineSplitter } from '../../parsers/common/line-splitter.ts';
import { importerByName, sniffFormat } from '../../parsers/registry.ts';
import { parseRanges, planRanges, type SplitOptions } from '../../parsers/common/parallel-text.ts';
import { normalizeEvent } from './normalize-event.ts';

const SNIFF_BYTES = 64 * 1024;

export interface ParseOptions {
  /** Force one format for every input instead of sniffing. */
  format?: FormatName;
  /** `system:name` globs; only matching events are built and handed out. */
  events?: readonly string[];
  onEvent: (ev: TraceEvent, meta: StreamMeta) => void;
  onLoss?: (loss: DataLoss, meta: StreamMeta) => void;
  /** Awaited after every input chunk when it returns a promise: lets a slow consumer hold the parse back. */
  pace?: () => Promise<void> | undefined;
  /** Raw (compressed) bytes read so far of `file`. */
  onProgress?: (file: string, rawBytes: number) => void;
  maxLine?: number;
  /** Decode typed fields of every selected event (default true). */
  decode?: boolean;
  /** Shared across calls when several parses must resolve names the same way. */
  context?: ParseContext;
  /** Parser threads for large plain text traces (default: `REAPLAY_JOBS`, else one thread). */
  split?: SplitOptions;
}

export interface ParseResult {
  inputs: StreamMeta[];
  ctx: ParseContext;
}

interface Opened {
  file: string;
  importer: FormatImporter;
  head: Buffer[];
  rest: AsyncGenerator<Buffer>;
}

async function openAndSniff(file: string, opts: ParseOptions): Promise<Opened> {
  let raw = 0;
  const gen = openInputThreaded(file, { onRaw: (n) => opts.onProgress?.(file, (raw += n)) });
  const head: Buffer[] = [];
  let size = 0;
  while (size < SNIFF_BYTES) {
    const r = await gen.next();
    if (r.done) break;
    head.push(r.value);
    size += r.value.length;
  }
  if (size === 0) throw new InputError(file, 'file is empty: expected a kernel trace or kernel log', 'not_a_trace');
  let importer: FormatImporter | undefined;
  if (opts.format) {
    importer = importerByName(opts.format);
    if (!importer) throw new InputError(file, `unknown format '${opts.format}'`, 'not_a_trace');
  } else {
    importer = sniffFormat(Buffer.concat(head).subarray(0, SNIFF_BYTES).toString('latin1'));
    if (!importer) {
      throw new InputError(file, 'not a trace in any known format (tracefs text, trace-cmd report, perf script, kernel log, CSV, kprobe_events)', 'not_a_trace');
    }
  }
  return { file, importer, head, rest: gen };
}

/** `countOnly`: events are only counted by name (see `EventNames`). */
export function newContext(events?: readonly string[], countOnly = false): ParseContext {
  return { names: new EventNames(events, countOnly), diag: new DiagnosticSink() };
}

export async function parseInputs(files: readonly string[], opts: ParseOptions): Promise<ParseResult> {
  const ctx = opts.context ?? newContext(opts.events);
  const opened: Opened[] = [];
  for (const f of files) opened.push(await openAndSniff(f, opts));
  const ordered = [...opened].sort((a, b) => Number(b.importer.name === 'kprobe-events') - Number(a.importer.name === 'kprobe-events'));
  const inputs: StreamMeta[] = [];
  for (const o of ordered) inputs.push(await parseOne(o, ctx, opts));
  return { inputs, ctx };
}

async function parseOne(o: Opened, ctx: ParseContext, opts: ParseOptions): Promise<StreamMeta> {
  const meta: StreamMeta = { file: o.file, format: o.importer.name, losses: [], segments: 1, bytes: 0, lines: 0 };
  const decode = opts.decode !== false;
  const sink: ReaderSink = {
    event: (ev) => {
      if (decode) normalizeEvent(ev, ctx, meta);
      if (ev.ts >= 0n) {
        if (meta.firstTs === undefined || ev.ts < meta.firstTs) meta.firstTs = ev.ts;
        if (meta.lastTs === undefined || ev.ts > meta.lastTs) meta.lastTs = ev.ts;
      }
      opts.onEvent(ev, meta);
    },
    loss: (l) => opts.onLoss?.(l, meta),
  };
  const maxLine = opts.maxLine ?? DEFAULT_MAX_LINE;
  const starts = planRanges(o.file, o.importer.name, maxLine, opts.split);
  if (starts) {
    await o.rest.return(undefined);
    await parseRanges(o.file, o.importer.name, starts, ctx, meta, sink, maxLine, {
      ...opts.split,
      onRange: (end) => {
        opts.onProgress?.(o.file, end);
        return opts.pace?.();
      },
    });
    return meta;
  }
  const reader = o.importer.createReader(ctx, meta, sink);
  const splitter = new LineSplitter(
    {
      line: (buf, s, e, n, off, last) => reader.line(buf, s, e, n, off, last),
      tooLong: (n, off, len) => ctx.diag.add('line_too_long', { file: o.file, line: n, offset: off }, `${len} bytes`),
    },
    maxLine,
  );
  const finish = (): void => {
    splitter.end();
    reader.end();
    meta.bytes = splitter.bytes;
    meta.lines = splitter.lines;
  };
  try {
    for (const c of o.head) splitter.write(c);
    for await (const c of o.rest) {
      splitter.write(c);
      const wait = opts.pace?.();
      if (wait) await wait;
    }
  } catch (e) {
    // Keep what was parsed before the input broke; the caller reports the error.
    finish();
    if (e instanceof InputError) (e as InputError & { meta?: StreamMeta }).meta = meta;
    throw e;
  }
  finish();
  return meta;
}
