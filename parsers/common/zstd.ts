// zstd through WebAssembly (zstddec): one-shot frames of a known size (trace.dat chunks).
import { ZSTDDecoder } from 'zstddec';
import { withoutFetch } from './zstd-init.ts';

const decoder = new ZSTDDecoder();
let ready: Promise<void> | undefined;

export function zstdReady(): Promise<void> {
  return (ready ??= withoutFetch(() => decoder.init()));
}

/** Decodes one frame to exactly `size` bytes; throws when the frame is corrupt or short. Await zstdReady() first. */
export function zstdFrame(src: Uint8Array, size: number): Uint8Array {
  const out = decoder.decode(src, size);
  if (out.length !== size) throw new Error(`zstd frame decoded to ${out.length} bytes, expected ${size}`);
  return out;
}
