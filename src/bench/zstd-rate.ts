// One measurement, in a fresh process: decode a .zst file with the streaming WASM decoder
// the importers use (zstddec) or with fzstd (pure JS, the previous decoder), fed 1 MiB
// chunks as read. Prints one JSON line: decoder, bytes out, seconds, peak RSS.
//   tsx src/bench/zstd-rate.ts <file.zst> wasm|fzstd
import { readFileSync } from 'node:fs';
import { Decompress } from 'fzstd';
import { ZstdStream } from '../../parsers/common/zstd-stream.ts';

const [file, which] = process.argv.slice(2) as [string, string];
const raw = readFileSync(file);
const CHUNK = 1 << 20;
let out = 0;
const t0 = process.hrtime.bigint();
if (which === 'fzstd') {
  const d = new Decompress((c) => {
    out += c.length;
  });
  for (let i = 0; i < raw.length; i += CHUNK) d.push(raw.subarray(i, i + CHUNK));
  d.push(new Uint8Array(0), true);
} else {
  const z = await ZstdStream.create();
  for (let i = 0; i < raw.length; i += CHUNK) for (const o of z.push(raw.subarray(i, i + CHUNK))) out += o.length;
  for (const o of z.end()) out += o.length;
}
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(JSON.stringify({ decoder: which, bytesIn: raw.length, bytesOut: out, seconds, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
