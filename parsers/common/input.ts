// Opens an input (a file or `-` for stdin) as a stream of decompressed byte chunks.
// gzip and zstd are recognised by their magic bytes, not by the file name.
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { ZstdStream } from './zstd-stream.ts';

export type Compression = 'none' | 'gzip' | 'zstd';

export class InputError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly code: 'read_failed' | 'bad_compression' | 'not_a_trace',
    /** Where the input broke: byte offset in the file as read (still compressed). */
    readonly offset?: number,
  ) {
    super(`${file}: ${message}`);
  }
}

export const READ_CHUNK = 1 << 20;

export function compressionOf(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

function rawStream(file: string): Readable {
  if (file === '-') return process.stdin;
  return createReadStream(file, { highWaterMark: READ_CHUNK });
}

/** Raw bytes of `file`, as read (compressed or not). */
async function* rawChunks(file: string, onRaw?: (bytes: number) => void): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of rawStream(file)) {
      onRaw?.((chunk as Buffer).length);
      yield chunk as Buffer;
    }
  } catch (e) {
    throw new InputError(file, `cannot read: ${(e as Error).message}`, 'read_failed');
  }
}

/** Counts what passes through: compressed bytes read, and the last bytes (the gzip trailer). */
class Tally {
  bytes = 0;
  tail = Buffer.alloc(0);
  see(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.tail = Buffer.concat([this.tail, chunk.subarray(Math.max(0, chunk.length - 8))]).subarray(-8);
  }
}

async function* gunzip(file: string, first: Buffer, rest: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
  const z = createGunzip({ chunkSize: READ_CHUNK });
  const raw = new Tally();
  const src = Readable.from((async function* () {
    raw.see(first);
    yield first;
    for await (const c of rest) {
      raw.see(c);
      yield c;
    }
  })());
  src.pipe(z);
  src.on('error', (e) => z.destroy(e));
  let out = 0;
  try {
    for await (const chunk of z) {
      out += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(file, `gzip data is corrupt or truncated near byte ${raw.bytes} (${(e as Error).message}); the ${out} bytes decoded before were read`, 'bad_compression', raw.bytes);
  }
  // zlib ends a cut stream quietly: a whole stream ends in the size of what it holds (mod 2^32).
  const isize = raw.tail.length === 8 ? raw.tail.readUInt32LE(4) : -1;
  if (isize !== out % 2 ** 32) {
    throw new InputError(file, `gzip data is truncated: the stream breaks at byte ${raw.bytes} before its end; the ${out} bytes decoded before were read`, 'bad_compression', raw.bytes);
  }
}

async function* unzstd(file: string, first: Buffer, rest: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
  const d = await ZstdStream.create();
  let out = 0;
  const fail = (e: unknown, what: string): InputError =>
    new InputError(file, `zstd data is ${what} at byte ${d.taken} (${(e as Error).message}); the ${out} bytes decoded before were read`, 'bad_compression', d.taken);
  const run = function* (g: Generator<Uint8Array>, what: string): Generator<Buffer> {
    try {
      for (const o of g) {
        out += o.length;
        yield Buffer.from(o.buffer, o.byteOffset, o.length);
      }
    } catch (e) {
      throw fail(e, what);
    }
  };
  yield* run(d.push(first), 'corrupt');
  for await (const chunk of rest) yield* run(d.push(chunk), 'corrupt');
  yield* run(d.end(), 'truncated or corrupt');
}

export interface OpenOptions {
  /** Told what was detected once the first bytes are read. */
  onCompression?: (c: Compression) => void;
  /** Told the size of every raw (still compressed) chunk read, for progress. */
  onRaw?: (bytes: number) => void;
  /**
   * A plain file's chunks after the first (and those decoded in a worker, input-thread.ts)
   * may share memory with the ones RING chunks later; a plain file's next chunk is read
   * while the consumer holds the one before. For a consumer done with each chunk before it
   * asks for the next but one (the line splitter copies what it carries). Spares a fresh
   * megabyte a read, which only a garbage collection gives back: about 40 MB of dead
   * buffers on a large trace.
   */
  reuseBuffers?: boolean;
}

/** Buffers read into in turn when they are reused: what `reuseBuffers` lets a consumer hold (input-thread.ts too). */
export const RING = 3;

/**
 * The chunks of a plain file from `position` on (up to `end`), read into RING buffers
 * (`ring`: of READ_CHUNK bytes, given to reuse them from one call to the next) in
 * turn. The next read is under way while the consumer works on a chunk: waiting for each
 * read in turn left the parser idle for about 0.3 s a gigabyte.
 */
export async function* ringChunks(
  file: string,
  position: number,
  onRaw?: (bytes: number) => void,
  end = Infinity,
  ring: Buffer[] = Array.from({ length: RING }, () => Buffer.allocUnsafe(READ_CHUNK)),
): AsyncGenerator<Buffer> {
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    throw new InputError(file, `cannot read: ${(e as Error).message}`, 'read_failed');
  }
  const readInto = (buf: Buffer, at: number): Promise<number> =>
    fh.read(buf, 0, Math.min(READ_CHUNK, Math.max(0, end - at)), at).then(
      (r) => r.bytesRead,
      (e: Error) => {
        throw new InputError(file, `cannot read: ${e.message}`, 'read_failed');
      },
    );
  let pending: Promise<number> | undefined = readInto(ring[0]!, position);
  // Unhandled until awaited: a consumer that stops early must not see a stray rejection.
  pending.catch(() => {});
  try {
    for (let k = 0; ; k++) {
      const buf = ring[k % RING]!;
      const got = await pending;
      pending = undefined;
      if (got === 0) return;
      position += got;
      onRaw?.(got);
      pending = readInto(ring[(k + 1) % RING]!, position);
      pending.catch(() => {});
      yield got === READ_CHUNK ? buf : buf.subarray(0, got);
    }
  } finally {
    // A read still under way must end before its file is closed.
    if (pending) await pending.catch(() => {});
    await fh.close();
  }
}

/** Decompressed chunks of `file` (`-` is stdin). */
export async function* openInput(file: string, opts: OpenOptions = {}): AsyncGenerator<Buffer> {
  const { onCompression, onRaw } = opts;
  const raw = rawChunks(file, onRaw);
  const firstRes = await raw.next();
  if (firstRes.done) {
    onCompression?.('none');
    return;
  }
  let first = firstRes.value;
  // A compressed stream's magic can straddle a tiny first chunk (stdin): top it up.
  while (first.length < 4) {
    const more = await raw.next();
    if (more.done) break;
    first = Buffer.concat([first, more.value]);
  }
  const c = compressionOf(first);
  onCompression?.(c);
  if (c === 'gzip') yield* gunzip(file, first, raw);
  else if (c === 'zstd') yield* unzstd(file, first, raw);
  else if (opts.reuseBuffers && file !== '-') {
    await raw.return(undefined);
    yield first;
    yield* ringChunks(file, first.length, onRaw);
  } else {
    yield first;
    yield* raw;
  }
}
