// `reaplay fleet <paths or globs...> --out DATASET`: analyse every capture in worker
// threads and append its tables to a Parquet dataset partitioned by kernel family.
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { CliIO } from '../io.ts';
import { UserError } from '../../types/errors.ts';
import { findCaptures } from '../../fleet/capture.ts';
import { DatasetError } from '../../fleet/dataset.ts';
import { runFleet } from '../../fleet/run-fleet.ts';
import { fleetProgress } from '../fleet-progress.ts';

export interface FleetCommandOptions {
  paths: string[];
  out: string;
  jobs?: number;
  labelFrom?: string;
  flushEvery: number;
  timeout: number;
  report?: string;
}

export async function fleetCommand(o: FleetCommandOptions, io: CliIO): Promise<number> {
  const jobs = o.jobs ?? availableParallelism();
  if (!Number.isInteger(jobs) || jobs < 1) throw new UserError(`--jobs ${o.jobs}: expected a whole number of workers, 1 or more`);
  if (!(o.flushEvery >= 1)) throw new UserError(`--flush-every ${o.flushEvery}: expected 1 or more captures`);
  if (!(o.timeout > 0)) throw new UserError(`--timeout ${o.timeout}: expected seconds, more than 0`);
  const specs = findCaptures(o.paths);
  const progress = fleetProgress(io, specs.length);
  const t0 = performance.now();
  let sum;
  try {
    sum = await runFleet(specs, {
      dataset: o.out,
      jobs,
      labelFrom: o.labelFrom,
      flushEvery: o.flushEvery,
      timeoutMs: o.timeout * 1000,
      onCapture: (cap, error) => {
        progress.tick();
        if (error !== undefined) io.stderr.write(`${io.stderr.isTTY ? '\n' : ''}reaplay: ${cap.path}: ${error} (recorded as an error row)\n`);
      },
      onSkip: () => progress.tick(),
    });
  } catch (e) {
    if (e instanceof DatasetError) throw new UserError(e.message);
    throw e;
  } finally {
    progress.stop();
  }
  const secs = (performance.now() - t0) / 1000;
  io.stdout.write(
    `${sum.found} capture(s) found: ${sum.analysed} analysed (${sum.failed} failed, recorded with their error), ${sum.skipped} already in the dataset; ` +
      `${sum.victims} victim(s); ${secs.toFixed(1)} s on ${jobs} worker(s) → ${resolve(o.out)}\n`,
  );
  if (o.report !== undefined) {
    const { writeFleetReport } = await import('../fleet-report.ts');
    io.stdout.write(`${await writeFleetReport(o.out, o.report, io)}\n`);
  }
  return 0;
}
