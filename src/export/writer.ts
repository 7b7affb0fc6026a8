// What every event exporter offers, and how it knows its output is complete.
import type { TraceEvent } from '../types/event.ts';

export interface EventWriter {
  write(ev: TraceEvent): void;
  /** A promise to await before writing more when the output is behind, so memory stays flat. */
  drained(): Promise<void> | undefined;
  /** Ends the output; resolves once everything is flushed, rejects on a write error. */
  end(): Promise<void>;
}

/** Resolves on `drain` when `stream` has more buffered than it wants, else undefined. */
export function whenDrained(stream: NodeJS.WritableStream): Promise<void> | undefined {
  const w = stream as NodeJS.WritableStream & { writableNeedDrain?: boolean };
  if (!w.writableNeedDrain) return undefined;
  return new Promise((resolve) => {
    const done = (): void => {
      w.off('drain', done);
      w.off('close', done);
      w.off('error', done);
      resolve();
    };
    w.on('drain', done);
    w.on('close', done);
    w.on('error', done);
  });
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
