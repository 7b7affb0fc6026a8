// Worker thread body: decodes the compressed chunks it is sent and moves them back.
import { parentPort } from 'node:worker_threads';
import { zstdReady } from '../common/zstd.ts';
import type { ChunkReply } from './chunk-decoder.ts';
import { type Compression, decompress } from './header.ts';

await zstdReady();
parentPort!.on('message', (m: { id: number; kind: Compression; bytes: Uint8Array; size: number }) => {
  let reply: ChunkReply;
  try {
    const d = decompress(m.kind, m.bytes, m.size);
    // Moved back without a copy when the output owns its buffer (zstd's does; zlib's may be pooled).
    const out = d.byteOffset === 0 && d.byteLength === d.buffer.byteLength ? d : new Uint8Array(d);
    reply = { id: m.id, out };
    parentPort!.postMessage(reply, [out.buffer as ArrayBuffer]);
  } catch (e) {
    reply = { id: m.id, error: (e as Error).message };
    parentPort!.postMessage(reply);
  }
});
