// Decompression of trace.dat's per-CPU chunks, in this thread or in a worker thread.
// A large compressed file spends most of its read in zstd; a worker decodes the next
// chunks of every CPU while this thread walks the records of the current ones. All
// reading and checking of chunk headers stays in the CPU streams, so a damaged file
// gives the same diagnostics either way.
import { Worker } from 'node:worker_threads';
import { type Compression, decompress } from './header.ts';

export interface ChunkDecoder {
  /** The `size` bytes `bytes` decode to; rejects with the decoder's message when they do not. */
  decode(kind: Compression, bytes: Uint8Array, size: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** Decodes in this thread (small files: a worker's start costs more than it saves). */
export const inlineDecoder: ChunkDecoder = {
  async decode(kind, bytes, size) {
    return decompress(kind, bytes, size);
  },
  async close() {},
};

/** Compressed bytes above which the chunks are decoded in a worker thread. */
let workerMinBytes = 4 << 20;

/** Tests: decode in a worker from this many compressed bytes (0: always). */
export function setWorkerMinBytes(n: number): void {
  workerMinBytes = n;
}

/**
 * A batch of chunks in one message, their bytes packed in one buffer: moving a buffer costs
 * more than copying a chunk, so each direction moves one buffer per batch.
 */
export interface ChunkBatch {
  bytes: Uint8Array;
  chunks: { id: number; kind: Compression; at: number; len: number; size: number }[];
}

export interface ChunkReplies {
  /** The decoded chunks, packed in the order of `replies` (those with `len`). */
  bytes: Uint8Array;
  replies: { id: number; at?: number; len?: number; error?: string }[];
}

class WorkerDecoder implements ChunkDecoder {
  private readonly worker = new Worker(new URL('./chunk-worker.mjs', import.meta.url));
  private readonly waiting = new Map<number, { resolve(b: Uint8Array): void; reject(e: Error): void }>();
  private next = 0;
  private failed?: Error;
  /** Chunks asked for in this turn of the event loop: sent as one batch. */
  private batch: { id: number; kind: Compression; bytes: Uint8Array; size: number }[] = [];

  constructor() {
    this.worker.on('message', ({ bytes, replies }: ChunkReplies) => {
      for (const r of replies) {
        const w = this.waiting.get(r.id)!;
        this.waiting.delete(r.id);
        if (r.len !== undefined) w.resolve(bytes.subarray(r.at!, r.at! + r.len));
        else w.reject(new Error(r.error));
      }
    });
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', () => this.fail(new Error('the decoder thread stopped')));
  }

  private fail(e: Error): void {
    this.failed ??= e;
    for (const w of this.waiting.values()) w.reject(this.failed);
    this.waiting.clear();
  }

  decode(kind: Compression, bytes: Uint8Array, size: number): Promise<Uint8Array> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.next++;
    if (this.batch.length === 0) setImmediate(() => this.flush());
    // `bytes` may be a view of a read window that is reused: copied at once, in flush().
    this.batch.push({ id, kind, bytes, size });
    return new Promise((resolve, reject) => this.waiting.set(id, { resolve, reject }));
  }

  private flush(): void {
    const batch = this.batch;
    this.batch = [];
    const packed = new Uint8Array(batch.reduce((n, r) => n + r.bytes.length, 0));
    let at = 0;
    const chunks = batch.map((r) => {
      packed.set(r.bytes, at);
      at += r.bytes.length;
      return { id: r.id, kind: r.kind, at: at - r.bytes.length, len: r.bytes.length, size: r.size };
    });
    const msg: ChunkBatch = { bytes: packed, chunks };
    this.worker.postMessage(msg, [packed.buffer]);
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/** The decoder for a file with `compressedBytes` of compressed CPU data. */
export function chunkDecoder(kind: Compression | undefined, compressedBytes: number): ChunkDecoder {
  return kind && kind !== 'none' && compressedBytes >= workerMinBytes ? new WorkerDecoder() : inlineDecoder;
}
