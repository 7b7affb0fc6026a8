// Compressed input decompressed in a worker thread while the main thread parses:
// the worker runs `openInput` (whatever decoder it uses) and posts the decompressed
// chunks back, at most a few ahead of the parser. Stdin and plain files are read
// here as before; a decoding error reaches the caller as the same InputError.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { compressionOf, InputError, openInput, RING, type Compression, type OpenOptions } from './input.ts';

/** Chunks the worker may have in flight before the parser takes them. */
const AHEAD = 8;
/** Bytes of decompressed text a chunk. */
const BATCH = 1 << 20;
/**
 * Compressed files smaller than this are decoded on the calling thread: starting a
 * worker and stopping it costs ~60 ms, more than decoding them takes (the bundled
 * samples, most kernel logs).
 */
export const THREAD_FROM_BYTES = 4 << 20;

type Msg =
  | { chunk: Uint8Array; raw: number }
  | { done: true; raw: number }
  | { error: string; code: InputError['code'] | undefined; offset?: number };

function magic(file: string): Uint8Array {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(4);
    return b.subarray(0, readSync(fd, b, 0, 4, 0));
  } catch {
    return new Uint8Array();
  } finally {
    closeSync(fd);
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return Infinity;
  }
}

/** Like `openInput`; compressed files of `threadFrom` bytes or more (THREAD_FROM_BYTES) are decoded on another thread. */
export async function* openInputThreaded(file: string, opts: OpenOptions & { threadFrom?: number } = {}): AsyncGenerator<Buffer> {
  let c: Compression;
  try {
    c = file === '-' ? 'none' : compressionOf(magic(file));
  } catch {
    c = 'none';
  }
  // Other runtimes (Deno runs the notebooks) decode on the calling thread.
  if (c === 'none' || process.versions.deno !== undefined || sizeOf(file) < (opts.threadFrom ?? THREAD_FROM_BYTES)) {
    yield* openInput(file, opts);
    return;
  }
  opts.onCompression?.(c);
  const w = new Worker(new URL('./input-worker.mjs', import.meta.url), { workerData: { file, ahead: AHEAD } });
  const queue: Msg[] = [];
  let wake: (() => void) | undefined;
  const push = (m: Msg): void => {
    queue.push(m);
    wake?.();
  };
  w.on('message', push);
  w.on('error', (e) => push({ error: e.message, code: undefined }));
  const held: Uint8Array[] = [];
  let chunks = 0;
  try {
    for (;;) {
      if (!queue.length) await new Promise<void>((r) => (wake = r));
      wake = undefined;
      const m = queue.shift()!;
      if ('error' in m) throw new InputError(file, m.code ? m.error : `cannot read: ${m.error}`, m.code ?? 'read_failed', m.offset);
      if (m.raw) opts.onRaw?.(m.raw);
      if ('done' in m) return;
      // With `reuseBuffers`, a chunk's memory goes back to the worker RING chunks later
      // (never the first: the sniffer keeps it): no megabyte of garbage a message.
      if (opts.reuseBuffers && chunks++ > 0 && m.chunk.byteLength === BATCH) held.push(m.chunk);
      const back = held.length > RING ? held.shift()!.buffer : undefined;
      w.postMessage(back ?? 'more', back ? [back as ArrayBuffer] : []);
      yield Buffer.from(m.chunk.buffer, m.chunk.byteOffset, m.chunk.byteLength);
    }
  } finally {
    await w.terminate();
  }
}

/** Worker side: decode `file`, post chunks, wait for credit past `ahead` in flight. */
export async function decodeInWorker(file: string, ahead: number, port: import('node:worker_threads').MessagePort): Promise<void> {
  let credit = ahead;
  let wake: (() => void) | undefined;
  /** Buffers handed back by the parser's thread, to batch into again. */
  const free: ArrayBuffer[] = [];
  port.on('message', (m: unknown) => {
    if (m instanceof ArrayBuffer && m.byteLength === BATCH) free.push(m);
    credit++;
    wake?.();
  });
  const fresh = (): Uint8Array => new Uint8Array(free.pop() ?? new ArrayBuffer(BATCH));
  let raw = 0;
  const post = async (chunk: Uint8Array): Promise<void> => {
    while (credit <= 0) await new Promise<void>((r) => (wake = r));
    credit--;
    port.postMessage({ chunk, raw }, [chunk.buffer as ArrayBuffer]);
    raw = 0;
  };
  // The decoder hands out ~128 KB at a time: gathered into BATCH bytes a message, the
  // parser's thread takes an eighth as many messages (each costs it a wake-up).
  let batch = fresh();
  let used = 0;
  try {
    for await (const chunk of openInput(file, { onRaw: (n) => (raw += n) })) {
      for (let off = 0; off < chunk.length; ) {
        const n = Math.min(BATCH - used, chunk.length - off);
        batch.set(chunk.subarray(off, off + n), used);
        used += n;
        off += n;
        if (used === BATCH) {
          await post(batch);
          batch = fresh();
          used = 0;
        }
      }
    }
    if (used > 0) await post(batch.subarray(0, used));
    port.postMessage({ done: true, raw });
  } catch (e) {
    const ie = e instanceof InputError ? e : undefined;
    const msg = (e as Error).message;
    // What was decoded before the break is read too.
    if (used > 0) await post(batch.subarray(0, used));
    port.postMessage({ error: ie ? msg.slice(file.length + 2) : msg, code: ie?.code, offset: ie?.offset });
  }
  // The main thread ends this worker once it has read the last message.
}
