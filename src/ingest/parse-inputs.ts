// Parse phase: inputs → sniffed importers → line readers → TraceEvents.
// All inputs are sniffed before any is parsed, so a file that is not a trace stops
// the run before output starts; kprobe definitions are read first because they
// name the events of every other input.
import type { DataLoss, FormatName, StreamMeta, TraceEvent } from '../types/event.ts';
import { type BinaryImporter, type ByteSource, type FormatImporter, type ParseContext, type ReaderSink, isBinaryImporter } from '../../parsers/importer.ts';
import { DiagnosticSink } from '../../parsers/common/diagnostics.ts';
import { EventNames } from '../../parsers/common/event-names.ts';
import { InputError, compressionOf } from '../../parsers/common/input.ts';
import { openInputThreaded } from '../../parsers/common/input-thread.ts';
import { DEFAULT_MAX_LINE } from '../../parsers/common/line-splitter.ts';
import { parseRanges, planRanges, type SplitOptions } from '../../parsers/common/parallel-text.ts';
import { FileSource, MemorySource } from '../../parsers/common/byte-source.ts';
import { LineFeed } from '../../parsers/common/line-adapter.ts';
import { unsupportedBinary } from '../../parsers/common/unsupported.ts';
import { importerByName, sniffBinary, sniffFormat } from '../../parsers/registry.ts';
import { normalizeEvent } from './normalize-event.ts';
import { DECODERS } from '../normalize/index.ts';
import { BinaryEvent } from '../../parsers/common/binary-events.ts';

/** A binary record with no decoder keeps its text unrendered: nothing would read it. */
const undecodable = (ev: TraceEvent): boolean => ev instanceof BinaryEvent && !ev.isProbe && !Object.hasOwn(DECODERS, ev.name);

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
  /** Parse order (lower first, stable; default: kprobe definitions first). A streaming caller reads the small inputs before the trace. */
  rank?: (format: FormatName) => number;
  /** Called before each input is parsed; may give it its own context (the names stay shared). */
  onInput?: (format: FormatName, file: string, index: number, all: readonly FormatName[]) => ParseContext | undefined;
}

export interface ParseResult {
  inputs: StreamMeta[];
  ctx: ParseContext;
}

interface OpenedText {
  file: string;
  importer: FormatImporter;
  head: Buffer[];
  rest: AsyncGenerator<Buffer>;
}

interface OpenedBinary {
  file: string;
  importer: BinaryImporter;
  src: ByteSource & { close?: () => Promise<void> };
}

type Opened = OpenedText | OpenedBinary;

const isBinary = (o: Opened): o is OpenedBinary => isBinaryImporter(o.importer);

/** A file (not stdin) that starts like a binary trace, opened for reading by position. */
async function openBinary(file: string, opts: ParseOptions, ctx: ParseContext): Promise<OpenedBinary | undefined> {
  if (file === '-') return undefined;
  const forced = opts.format ? importerByName(opts.format) : undefined;
  if (forced && !isBinaryImporter(forced)) return undefined;
  let src: FileSource;
  try {
    src = await FileSource.open(file);
  } catch (e) {
    throw new InputError(file, `cannot read: ${(e as Error).message}`, 'read_failed');
  }
  const head = await src.read(0, 64);
  const importer = forced && isBinaryImporter(forced) ? forced : sniffBinary(head);
  if (!importer) {
    await src.close();
    return undefined;
  }
  opts.onProgress?.(file, src.size);
  importer.warm?.(src, ctx);
  return { file, importer, src };
}

async function openAndSniff(file: string, opts: ParseOptions, ctx: ParseContext): Promise<Opened> {
  const bin = await openBinary(file, opts, ctx);
  if (bin) return bin;
  let raw = 0;
  // The line splitter copies what it carries over a chunk's end: plain files reuse their buffers.
  const gen = openInputThreaded(file, { onRaw: (n) => opts.onProgress?.(file, (raw += n)), reuseBuffers: true });
  const head: Buffer[] = [];
  let size = 0;
  while (size < SNIFF_BYTES) {
    const r = await gen.next();
    if (r.done) break;
    head.push(r.value);
    size += r.value.length;
  }
  try {
    return await sniffHead(file, opts, head, size, gen);
  } catch (e) {
    // Refused: the decoding thread (or the file) is let go, or it would keep the process alive.
    await gen.return(undefined);
    throw e;
  }
}

async function sniffHead(file: string, opts: ParseOptions, head: Buffer[], size: number, gen: AsyncGenerator<Buffer>): Promise<Opened> {
  if (size === 0) throw new InputError(file, 'file is empty: expected a kernel trace or kernel log', 'not_a_trace');
  const first = Buffer.concat(head);
  // A binary trace on stdin (`perf record -o - | reaplay parse -`) is read into memory.
  const piped = file === '-' && compressionOf(first) === 'none' ? sniffBinary(first) : undefined;
  if (piped) {
    const parts: Uint8Array[] = [first];
    for await (const c of gen) parts.push(c);
    return { file, importer: piped, src: new MemorySource(Buffer.concat(parts)) };
  }
  let importer: FormatImporter | undefined;
  if (opts.format) {
    const forced = importerByName(opts.format);
    if (!forced) throw new InputError(file, `unknown format '${opts.format}'`, 'not_a_trace');
    if (isBinaryImporter(forced)) throw new InputError(file, `--format ${opts.format} needs the file itself (compressed or piped input is not read by position)`, 'not_a_trace');
    importer = forced;
  } else {
    importer = sniffFormat(first.subarray(0, SNIFF_BYTES).toString('latin1'));
    if (!importer) {
      // A trace.dat or perf.data that was compressed: its reader needs the file itself, by position.
      const inner = file !== '-' ? sniffBinary(first) : undefined;
      if (inner) throw new InputError(file, `this is a compressed ${inner.name === 'trace-dat' ? 'trace.dat' : 'perf.data'}, which is read by position: decompress it first`, 'not_a_trace');
      const what = unsupportedBinary(first.subarray(0, 256));
      if (what) throw new InputError(file, `this is ${what}`, 'not_a_trace');
      throw new InputError(file, 'not a trace in any known format (tracefs text, trace-cmd report, perf script, kernel log, CSV, kprobe_events, trace.dat, perf.data)', 'not_a_trace');
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
  for (const f of files) opened.push(await openAndSniff(f, opts, ctx));
  const rank = opts.rank ?? ((f: FormatName) => (f === 'kprobe-events' ? 0 : 1));
  const ordered = opened.map((o, index) => ({ o, index })).sort((a, b) => rank(a.o.importer.name) - rank(b.o.importer.name));
  const inputs: StreamMeta[] = [];
  const all = ordered.map(({ o }) => o.importer.name);
  for (const { o, index } of ordered) inputs.push(await parseOne(o, opts.onInput?.(o.importer.name, o.file, index, all) ?? ctx, opts));
  return { inputs, ctx };
}

async function parseOne(o: Opened, ctx: ParseContext, opts: ParseOptions): Promise<StreamMeta> {
  const meta: StreamMeta = { file: o.file, format: o.importer.name, losses: [], segments: 1, bytes: 0, lines: 0 };
  const decode = opts.decode !== false;
  const sink: ReaderSink = {
    event: (ev) => {
      // A binary record no decoder reads keeps its print fmt unrendered.
      if (decode && ev.fields === undefined && !undecodable(ev)) normalizeEvent(ev, ctx, meta);
      if (ev.ts >= 0n) {
        if (meta.firstTs === undefined || ev.ts < meta.firstTs) meta.firstTs = ev.ts;
        if (meta.lastTs === undefined || ev.ts > meta.lastTs) meta.lastTs = ev.ts;
      }
      opts.onEvent(ev, meta);
    },
    loss: (l: DataLoss) => opts.onLoss?.(l, meta),
  };
  if (isBinary(o)) {
    try {
      await o.importer.read(o.src, ctx, meta, sink, opts.pace);
    } catch (e) {
      if (e instanceof InputError) (e as InputError & { meta?: StreamMeta }).meta = meta;
      throw e;
    } finally {
      await o.src.close?.();
    }
    return meta;
  }
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
  const lines = new LineFeed(o.importer, ctx, meta, sink, maxLine);
  const finish = (): void => lines.end();
  try {
    for (const c of o.head) lines.write(c);
    for await (const c of o.rest) {
      lines.write(c);
      const wait = opts.pace?.();
      if (wait) await wait;
    }
  } catch (e) {
    finish();
    // A compressed stream that breaks (cut or corrupt): what was decoded before is kept and
    // analysed; the break is an error naming its byte offset, and a loss of what came after.
    if (e instanceof InputError && e.code === 'bad_compression' && e.offset !== undefined) {
      const src = { file: o.file, line: meta.lines + 1, offset: meta.bytes };
      ctx.diag.add('bad_compression', src, e.message.slice(o.file.length + 2));
      const loss: DataLoss = { kind: 'events_dropped', cpu: -1, ...(meta.lastTs !== undefined ? { ts: meta.lastTs } : {}), src };
      meta.losses.push(loss);
      opts.onLoss?.(loss, meta);
      return meta;
    }
    // Keep what was parsed before the input broke; the caller reports the error.
    if (e instanceof InputError) (e as InputError & { meta?: StreamMeta }).meta = meta;
    throw e;
  }
  finish();
  return meta;
}
