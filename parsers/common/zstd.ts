// zstd through WebAssembly (zstddec): one-shot frames of a known size (trace.dat chunks
// and sections), decoded into a region of the decoder's memory and read in place, or
// copied out.
import { ZSTDDecoder } from 'zstddec';
import { withoutFetch } from './zstd-init.ts';

/** What zstddec's WebAssembly exports (its emscripten build of zstd's decompressor). */
interface ZstdExports {
  memory: { buffer: ArrayBuffer };
  malloc(n: number): number;
  free(p: number): void;
  ZSTD_decompress(dst: number, dstCapacity: number, src: number, srcSize: number): number;
}

let wasm: ZstdExports | undefined;

/** zstddec's decoder, keeping the instance's exports for the regions below (zstddec hands its init() result to _init). */
class Decoder extends ZSTDDecoder {
  override _init(result: Parameters<ZSTDDecoder['_init']>[0]): void {
    wasm = (result as unknown as { instance: { exports: ZstdExports } }).instance.exports;
    super._init(result);
  }
}

const decoder = new Decoder();
let ready: Promise<void> | undefined;

export function zstdReady(): Promise<void> {
  return (ready ??= withoutFetch(() => decoder.init()).then(() => {
    // zstddec starts its WebAssembly once per process: had another ZSTDDecoder started it
    // first, _init above never ran and every region would fail as damage.
    if (!wasm) throw new Error('zstd: the decoder started without this module (another ZSTDDecoder was first)');
  }));
}

/** Where frames kept by their reader (metadata sections) are decoded before they are copied out. */
let scratch: ZstdRegion | undefined;

/** Decodes one frame to exactly `size` bytes, a copy of its own; throws when the frame is corrupt or short. Await zstdReady() first. */
export function zstdFrame(src: Uint8Array, size: number): Uint8Array {
  return (scratch ??= new ZstdRegion()).decode(src, size).slice();
}

/** A region's allocations (held apart from it, so that one dropped unclosed is freed once collected). */
interface Held {
  src: number;
  dst: number;
}
const regions = new FinalizationRegistry<Held>((h) => {
  if (h.src) wasm?.free(h.src);
  if (h.dst) wasm?.free(h.dst);
});

/**
 * One reader's place in the decoder's memory: each frame is decoded there and read in
 * place, with no copy out and no new buffer per frame (a trace.dat's 263 MB of chunks went
 * from ~290 to ~230 ms). The bytes stay until this region's next decode; a decode in
 * another region may grow the memory, which detaches the views given before: view()
 * gives them again. Await zstdReady() first; close() gives the memory back.
 */
export class ZstdRegion {
  private readonly at: Held = { src: 0, dst: 0 };
  private srcCap = 0;
  private dstCap = 0;
  private len = 0;
  /** Registered to be freed when collected (from its first allocation to close()). */
  private held = false;

  /** Decodes one frame to exactly `size` bytes, then view(); throws when the frame is corrupt or short. */
  decode(frame: Uint8Array, size: number): Uint8Array {
    const w = wasm;
    if (!w) throw new Error('zstd: await zstdReady() before decoding');
    this.len = 0;
    const at = this.at;
    if (!this.held) {
      regions.register(this, at, this);
      this.held = true;
    }
    if (frame.length > this.srcCap || at.src === 0) this.srcCap = grow(w, at, 'src', frame.length);
    if (size > this.dstCap || at.dst === 0) this.dstCap = grow(w, at, 'dst', size);
    new Uint8Array(w.memory.buffer, at.src, frame.length).set(frame);
    // size_t in wasm32: an error code is a small negative number here.
    const n = w.ZSTD_decompress(at.dst, size, at.src, frame.length);
    if (n !== size) throw new Error(n < 0 ? `zstd frame not decodable to ${size} bytes (zstd error ${-n})` : `zstd frame decoded to ${n} bytes, expected ${size}`);
    this.len = n;
    return this.view();
  }

  /** The last frame's bytes, in the memory as it is now. */
  view(): Uint8Array {
    return this.len === 0 ? new Uint8Array(0) : new Uint8Array(wasm!.memory.buffer, this.at.dst, this.len);
  }

  close(): void {
    regions.unregister(this);
    this.held = false;
    const at = this.at;
    if (at.src) wasm?.free(at.src);
    if (at.dst) wasm?.free(at.dst);
    at.src = at.dst = this.srcCap = this.dstCap = this.len = 0;
  }
}

/** Gives `at[k]` room for `size` bytes (its bytes are not kept); returns the size. */
function grow(w: ZstdExports, at: Held, k: keyof Held, size: number): number {
  if (at[k]) w.free(at[k]);
  at[k] = w.malloc(size);
  if (at[k] === 0) throw new Error(`zstd: no memory for ${size} bytes`);
  return size;
}
