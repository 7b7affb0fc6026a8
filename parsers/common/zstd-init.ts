// Shared by the one-shot and the streaming zstd decoders.
/**
 * Starts a zstddec decoder's WebAssembly. zstddec instantiates it through `fetch` of a data:
 * URL whenever fetch exists, and on Node a first fetch loads the whole HTTP client (~70 ms of
 * startup for nothing); with fetch hidden during the synchronous start of init() it
 * instantiates from a Buffer instead.
 */
export function withoutFetch(init: () => Promise<void>): Promise<void> {
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
  if (!saved?.configurable) return init();
  Object.defineProperty(globalThis, 'fetch', { value: undefined, configurable: true, writable: true });
  try {
    return init();
  } finally {
    Object.defineProperty(globalThis, 'fetch', saved);
  }
}

