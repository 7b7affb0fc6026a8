// What every event exporter offers, and how it knows its output is complete.
import type { TraceEvent } from '../types/event.ts';

export interface EventWriter {
  write(ev: TraceEvent): void;
  /** Ends the output; resolves once everything is flushed, rejects on a write error. */
  end(): Promise<void>;
}

/**
 * Resolves when `out` finishes; rejects on the first error of `out` or `others`.
 * Listening from the start keeps an early error (EPIPE) from going unhandled.
 */
export function finished(out: NodeJS.WritableStream, ...others: NodeJS.EventEmitter[]): Promise<void> {
  const done = new Promise<void>((resolve, reject) => {
    out.once('finish', resolve);
    for (const s of [out, ...others]) s.on('error', reject);
  });
  // Rejection is reported by `end()`; until then it must not count as unhandled.
  done.catch(() => undefined);
  return done;
}
