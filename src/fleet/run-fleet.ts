// `reaplay fleet`: every capture the paths name, analysed in a pool of worker threads,
// appended to the dataset in batches; captures already in it (by content hash) skipped.
import type { CaptureSpec } from '../compare/inputs.ts';
import { captureInfo } from './capture.ts';
import { appendBatch, knownCaptures, openDataset } from './dataset.ts';
import { runPool } from './pool.ts';
import { emptyRows, type Rows } from './schema.ts';
import { appendRows } from './tables.ts';
import type { CaptureInfo } from './tables-from-analysis.ts';

export interface FleetOptions {
  dataset: string;
  jobs: number;
  labelFrom?: string;
  /** Captures per batch written to the dataset (a batch is also written every few seconds). */
  flushEvery: number;
  timeoutMs: number;
  onCapture?: (cap: CaptureInfo, error?: string) => void;
  /** Called for each capture found already in the dataset. */
  onSkip?: (spec: CaptureSpec) => void;
}

export interface FleetSummary {
  found: number;
  skipped: number;
  analysed: number;
  failed: number;
  victims: number;
}

const FLUSH_MS = 30_000;

export async function runFleet(specs: readonly CaptureSpec[], o: FleetOptions): Promise<FleetSummary> {
  openDataset(o.dataset);
  const known = await knownCaptures(o.dataset);
  const sum: FleetSummary = { found: specs.length, skipped: 0, analysed: 0, failed: 0, victims: 0 };
  let i = 0;
  // Two copies of one capture in the same run are one capture.
  const taken = new Set<string>();
  const next = async (): Promise<CaptureInfo | undefined> => {
    while (i < specs.length) {
      const spec = specs[i++]!;
      const cap = await captureInfo(spec, o.labelFrom);
      if (known.has(cap.id) || taken.has(cap.id)) {
        sum.skipped++;
        o.onSkip?.(spec);
        continue;
      }
      taken.add(cap.id);
      return cap;
    }
    return undefined;
  };
  let batch: Rows = emptyRows();
  let pending = 0;
  let last = performance.now();
  let writing: Promise<void> = Promise.resolve();
  const flush = async (): Promise<void> => {
    const full = batch;
    batch = emptyRows();
    pending = 0;
    last = performance.now();
    // One batch written at a time, in order.
    writing = writing.then(() => appendBatch(o.dataset, full));
    await writing;
  };
  await runPool(
    o.jobs,
    next,
    async (cap, out) => {
      sum.analysed++;
      if (out.error !== undefined) sum.failed++;
      sum.victims += out.rows.victims.length;
      appendRows(batch, out.rows);
      pending++;
      o.onCapture?.(cap, out.error);
      if (pending >= o.flushEvery || performance.now() - last > FLUSH_MS) await flush();
    },
    o.timeoutMs,
  );
  if (pending) await flush();
  await writing;
  return sum;
}
