// Worker thread body: decodes the batches of compressed chunks it is sent and moves them back.
import { parentPort } from 'node:worker_threads';
import { zstdReady } from '../common/zstd.ts';
import type { ChunkBatch, ChunkReplies } from './chunk-decoder.ts';
import { decompress } from './header.ts';

await zstdReady();
parentPort!.on('message', ({ bytes, chunks }: ChunkBatch) => {
  const replies: ChunkReplies['replies'] = [];
  const outs: Uint8Array[] = [];
  let at = 0;
  for (const c of chunks) {
    try {
      const d = decompress(c.kind, bytes.subarray(c.at, c.at + c.len), c.size);
      outs.push(d);
      replies.push({ id: c.id, at, len: d.length });
      at += d.length;
    } catch (e) {
      replies.push({ id: c.id, error: (e as Error).message });
    }
  }
  const packed = new Uint8Array(at);
  at = 0;
  for (const d of outs) {
    packed.set(d, at);
    at += d.length;
  }
  const reply: ChunkReplies = { bytes: packed, replies };
  parentPort!.postMessage(reply, [packed.buffer]);
});
