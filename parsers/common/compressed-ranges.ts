// Compressed plain text traces on two threads: the decoding thread cuts the text at
// event lines into pieces, parses every other piece itself (events posted as columns)
// and posts the others as text to this thread, which parses them between merges; all
// are merged in order (range-merge.ts), so the result is that of one reader. The
// decoder alone runs far ahead of one parser: it has time to spare.
import { Worker, type MessagePort } from 'node:worker_threads';
import type { StreamMeta } from '../../src/types/event.ts';
import type { ParseContext, ReaderSink } from '../importer.ts';
import { InputError, openInput } from './input.ts';
import { nextEventLine } from './parallel-text.ts';
import { transferList } from './range-events.ts';
import { RangeMerger } from './range-merge.ts';
import { parseRange, RANGE_FORMATS, type RangeResult, type RangeTask } from './range-parse.ts';
import { newHead } from './tracefs-line.ts';

/** Pieces in flight before this thread takes them. */
const AHEAD = 4;
/** Bytes a piece (default). */
const PIECE = 8 << 20;

type Template = Omit<RangeTask, 'id' | 'start' | 'end' | 'data'>;

type Msg =
  | { piece: { id: number; start: number; data: Uint8Array }; raw: number }
  | { result: RangeResult; raw: number }
  | { done: true; raw: number }
  | { error: string; code: InputError['code'] | undefined; offset?: number; raw: number };

/** Parse compressed `file` (a range format) by pieces; errors are those of a plain read. */
export async function parseCompressedRanges(
  file: string,
  format: string,
  ctx: ParseContext,
  meta: StreamMeta,
  sink: ReaderSink,
  maxLine: number,
  opts: { pieceBytes?: number; onRaw?: (bytes: number) => void; pace?: () => Promise<void> | void } = {},
): Promise<void> {
  const t: Template = { file, format, filter: ctx.names.filter, countOnly: ctx.names.countOnly, kprobes: ctx.names.kprobeDefs(), maxLine };
  const w = new Worker(new URL('./input-worker.mjs', import.meta.url), {
    workerData: { file, ahead: AHEAD, pieces: { ...t, pieceBytes: opts.pieceBytes ?? PIECE } },
  });
  const merger = new RangeMerger(ctx, meta, sink);
  const queue: Msg[] = [];
  let wake: (() => void) | undefined;
  const push = (m: Msg): void => {
    queue.push(m);
    wake?.();
  };
  w.on('message', push);
  w.on('error', (e) => push({ error: e.message, code: undefined, raw: 0 }));
  try {
    for (;;) {
      if (!queue.length) await new Promise<void>((r) => (wake = r));
      wake = undefined;
      const m = queue.shift()!;
      if (m.raw) opts.onRaw?.(m.raw);
      if ('error' in m) throw new InputError(file, m.code ? m.error : `cannot read: ${m.error}`, m.code ?? 'read_failed', m.offset);
      if ('done' in m) return;
      if ('result' in m) {
        w.postMessage('more');
        merger.apply(m.result);
      } else {
        const { id, start, data } = m.piece;
        let r: RangeResult;
        try {
          r = parseRange({ ...t, id, start, end: start + data.length, data });
        } catch (e) {
          throw new InputError(file, `cannot read: ${(e as Error).message}`, 'read_failed');
        }
        // The piece's memory goes back to be filled again (the events hold copies).
        w.postMessage(data.buffer, [data.buffer as ArrayBuffer]);
        merger.apply(r);
      }
      const p = opts.pace?.();
      if (p) await p;
    }
  } finally {
    await w.terminate();
  }
}

/** Worker side: decode, cut, parse the odd pieces, post the even ones as text. */
export async function decodePiecesInWorker(file: string, ahead: number, t: Template & { pieceBytes: number }, port: MessagePort): Promise<void> {
  let credit = ahead;
  let wake: (() => void) | undefined;
  /** Piece buffers handed back by the other thread. */
  const free: ArrayBuffer[] = [];
  port.on('message', (m: unknown) => {
    if (m instanceof ArrayBuffer) free.push(m);
    credit++;
    wake?.();
  });
  const fmt = RANGE_FORMATS[t.format]!;
  const h = newHead();
  let raw = 0;
  let id = 0;
  let start = 0;
  let acc = Buffer.allocUnsafe(t.pieceBytes * 2);
  let len = 0;
  /** Where to look for the next cut (a newline before it). */
  let from = t.pieceBytes - 1;
  const emit = async (n: number): Promise<void> => {
    while (credit <= 0) await new Promise<void>((r) => (wake = r));
    credit--;
    const k = id++;
    if (k % 2 === 1) {
      const result = parseRange({ ...t, id: k, start, end: start + n, data: acc.subarray(0, n) }, true);
      port.postMessage({ result, raw }, result.events ? transferList(result.events) : []);
    } else {
      let b = free.pop();
      if (!b || b.byteLength < n) b = new ArrayBuffer(Math.max(n, t.pieceBytes + (t.pieceBytes >> 2)));
      const data = new Uint8Array(b, 0, n);
      data.set(acc.subarray(0, n));
      port.postMessage({ piece: { id: k, start, data }, raw }, [b]);
    }
    raw = 0;
    acc.copy(acc, 0, n, len);
    len -= n;
    start += n;
    from = t.pieceBytes - 1;
  };
  try {
    try {
      for await (const chunk of openInput(file, { onRaw: (n) => (raw += n) })) {
        if (len + chunk.length > acc.length) {
          const a = Buffer.allocUnsafe(Math.max(len + chunk.length, acc.length * 2));
          acc.copy(a, 0, 0, len);
          acc = a;
        }
        chunk.copy(acc, len);
        len += chunk.length;
        while (len > from) {
          const cut = nextEventLine(acc, from, len, t.maxLine, fmt.paddedName, h);
          if (cut < 0) {
            // Look again from the last whole line once more text has come.
            from = Math.max(from, acc.lastIndexOf(10, len - 1));
            break;
          }
          await emit(cut);
        }
      }
    } catch (e) {
      // What was decoded before the break is parsed too, as the last piece.
      if (len > 0) await emit(len);
      throw e;
    }
    if (len > 0) await emit(len);
    port.postMessage({ done: true, raw });
  } catch (e) {
    const ie = e instanceof InputError ? e : undefined;
    const msg = (e as Error).message;
    port.postMessage({ error: ie ? msg.slice(file.length + 2) : msg, code: ie?.code, offset: ie?.offset, raw });
  }
}
