// Opens an input (a file or `-` for stdin) as a stream of decompressed byte chunks.
// gzip and zstd are recognised by their magic bytes, not by the file name.
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { Decompress } from 'fzstd';

export type Compression = 'none' | 'gzip' | 'zstd';

export class InputError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly code: 'read_failed' | 'bad_compression' | 'not_a_trace',
  ) {
    super(`${file}: ${message}`);
  }
}

const READ_CHUNK = 1 << 20;

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

async function* gunzip(file: string, first: Buffer, rest: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
  const z = createGunzip({ chunkSize: READ_CHUNK });
  const src = Readable.from((async function* () {
    yield first;
    yield* rest;
  })());
  src.pipe(z);
  src.on('error', (e) => z.destroy(e));
  try {
    for await (const chunk of z) yield chunk as Buffer;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(file, `gzip data is corrupt or truncated (${(e as Error).message})`, 'bad_compression');
  }
}

async function* unzstd(file: string, first: Buffer, rest: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
  let out: Buffer[] = [];
  let ended = false;
  const d = new Decompress((chunk, final) => {
    if (chunk.length) out.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    if (final) ended = true;
  });
  const push = (chunk: Buffer, final: boolean): void => {
    try {
      d.push(chunk, final);
    } catch (e) {
      throw new InputError(file, `zstd data is corrupt (${(e as Error).message})`, 'bad_compression');
    }
  };
  push(first, false);
  for await (const chunk of rest) {
    if (out.length) {
      const ready = out;
      out = [];
      yield* ready;
    }
    push(chunk, false);
  }
  push(Buffer.alloc(0), true);
  yield* out;
  if (!ended) throw new InputError(file, 'zstd data is truncated', 'bad_compression');
}

export interface OpenOptions {
  /** Told what was detected once the first bytes are read. */
  onCompression?: (c: Compression) => void;
  /** Told the size of every raw (still compressed) chunk read, for progress. */
  onRaw?: (bytes: number) => void;
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
  else {
    yield first;
    yield* raw;
  }
}
