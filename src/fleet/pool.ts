// A pool of worker threads analysing captures, one capture per worker at a time (so
// memory grows with the number of workers, not of captures). A capture that takes
// longer than the timeout gets an error row and its worker is replaced.
import { Worker } from 'node:worker_threads';
import type { CaptureInfo } from './tables-from-analysis.ts';
import { errorRows } from './error-row.ts';
import type { Rows } from './schema.ts';

export interface Outcome {
  rows: Rows;
  error?: string;
}

const BOOT = new URL('./worker-boot.mjs', import.meta.url);

class Lane {
  private worker?: Worker;
  private ready?: Promise<void>;

  private start(): Promise<void> {
    const w = new Worker(BOOT);
    this.worker = w;
    this.ready = new Promise((resolve, reject) => {
      w.once('message', () => resolve());
      w.once('error', reject);
    });
    return this.ready;
  }

  async run(cap: CaptureInfo, timeoutMs: number): Promise<Outcome> {
    if (!this.worker) await this.start();
    else await this.ready;
    const w = this.worker!;
    const t0 = performance.now();
    return new Promise<Outcome>((resolve) => {
      const done = (o: Outcome): void => {
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
        resolve(o);
      };
      const fail = (why: string): void => {
        // The worker is gone or stuck: a fresh one takes the next capture.
        this.worker = undefined;
        void w.terminate();
        done({ rows: errorRows(cap, why, performance.now() - t0), error: why });
      };
      const onMessage = (o: Outcome): void => done(o);
      const onError = (e: Error): void => fail(`worker failed: ${e.message}`);
      const onExit = (code: number): void => fail(`worker exited (code ${code})`);
      const timer = setTimeout(() => fail(`timeout: analysis took more than ${timeoutMs / 1000} s`), timeoutMs);
      w.on('message', onMessage);
      w.once('error', onError);
      w.once('exit', onExit);
      w.postMessage(cap);
    });
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
  }
}

/**
 * Runs `next()` captures through `jobs` workers until it returns undefined; `onDone`
 * gets each outcome as it comes (awaited, so a slow writer holds the workers back).
 */
export async function runPool(
  jobs: number,
  next: () => Promise<CaptureInfo | undefined>,
  onDone: (cap: CaptureInfo, o: Outcome) => Promise<void>,
  timeoutMs: number,
): Promise<void> {
  const lanes = Array.from({ length: jobs }, () => new Lane());
  try {
    await Promise.all(
      lanes.map(async (lane) => {
        for (let cap = await next(); cap; cap = await next()) await onDone(cap, await lane.run(cap, timeoutMs));
      }),
    );
  } finally {
    await Promise.all(lanes.map((l) => l.close()));
  }
}
