// Both cores on one plain text trace: the file is cut into byte ranges at the start
// of event lines, the ranges are parsed in worker threads and in this thread
// (between merges: `jobs` threads start `jobs - 1` workers), and their records are
// replayed in file order (range-merge.ts), so events, line numbers, offsets and
// diagnostics are exactly those of one reader over the whole file. Stdin,
// compressed input, small files and formats other than tracefs text and
// trace-cmd report are parsed on one thread.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { StreamMeta } from '../../src/types/event.ts';
import type { ParseContext, ReaderSink } from '../importer.ts';
import { compressionOf, InputError } from './input.ts';
import { RangeMerger } from './range-merge.ts';
import { parseRange, RANGE_FORMATS, type RangeResult, type RangeTask } from './range-parse.ts';
import { newHead, scanHead } from './tracefs-line.ts';

/** Environment variable giving the number of parser threads (1: no workers). */
export const JOBS_ENV = 'REAPLAY_JOBS';

export interface SplitOptions {
  /** Parser threads; default `REAPLAY_JOBS`, else 1 (the main thread alone). */
  jobs?: number;
  /** Bytes per range (default 32 MB). */
  rangeBytes?: number;
  /** Smaller files are parsed on one thread (default 64 MB): starting workers costs more. */
  minBytes?: number;
  /** Parse the ranges on the main thread (tests: the merge without workers). */
  inThread?: boolean;
}

/**
 * One thread unless asked: each worker costs a start-up (~0.4 s of CPU loading the
 * TypeScript sources) that only pays off on a machine whose cores are free.
 * `REAPLAY_JOBS=0` means one per core.
 */
export function defaultJobs(): number {
  const env = Number(process.env[JOBS_ENV]);
  if (env === 0 && process.env[JOBS_ENV]!.trim() !== '') return availableParallelism();
  return Number.isInteger(env) && env >= 1 ? env : 1;
}

/** Window read at a nominal cut to find the next event line. */
const PROBE = 1 << 20;

/**
 * Start offsets of the ranges of `file` (the first is 0), or undefined when the file
 * is parsed on one thread.
 */
export function planRanges(file: string, format: string, maxLine: number, opts: SplitOptions = {}): number[] | undefined {
  const jobs = opts.jobs ?? defaultJobs();
  const fmt = RANGE_FORMATS[format];
  if (file === '-' || jobs < 2 || !fmt) return undefined;
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) return undefined;
    size = st.size;
  } catch {
    return undefined;
  }
  if (size < (opts.minBytes ?? 64e6)) return undefined;
  const rangeBytes = Math.max(1, opts.rangeBytes ?? 32e6);
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(PROBE);
    if (compressionOf(buf.subarray(0, readSync(fd, buf, 0, 4, 0))) !== 'none') return undefined;
    const starts = [0];
    const h = newHead();
    for (let nominal = rangeBytes; nominal < size; nominal += rangeBytes) {
      if (nominal <= starts[starts.length - 1]!) continue;
      // The first byte after a newline at or after `nominal - 1`.
      const got = readSync(fd, buf, 0, PROBE, nominal - 1);
      let i = buf.subarray(0, got).indexOf(10);
      while (i >= 0 && i + 1 < got) {
        const s = i + 1;
        const nl = buf.subarray(0, got).indexOf(10, s);
        if (nl < 0 || nl - s > maxLine) break;
        const e = nl > s && buf[nl - 1] === 13 ? nl - 1 : nl;
        // A range starts with an event line: no continuation of the range before can follow.
        if (e > s && scanHead(buf, s, e, h, fmt.paddedName)) {
          starts.push(nominal - 1 + s);
          break;
        }
        i = nl;
      }
    }
    return starts.length > 1 ? starts : undefined;
  } finally {
    closeSync(fd);
  }
}

interface Reply {
  result?: RangeResult;
  id?: number;
  error?: string;
}

/**
 * Parse `file` by the ranges starting at `starts`, handing events and losses to
 * `sink` in file order and filling `meta` (bytes and lines included).
 */
export async function parseRanges(
  file: string,
  format: string,
  starts: readonly number[],
  ctx: ParseContext,
  meta: StreamMeta,
  sink: ReaderSink,
  maxLine: number,
  opts: SplitOptions & { onRange?: (endOffset: number) => Promise<void> | void } = {},
): Promise<void> {
  const size = statSync(file).size;
  const tasks: RangeTask[] = starts.map((start, id) => ({
    id, file, format, start, end: starts[id + 1] ?? size,
    filter: ctx.names.filter, countOnly: ctx.names.countOnly, kprobes: ctx.names.kprobeDefs(), maxLine,
  }));
  const merger = new RangeMerger(ctx, meta, sink);
  if (opts.inThread) {
    for (const t of tasks) {
      merger.apply(await parseRange(t));
      await opts.onRange?.(t.end);
    }
    return;
  }
  // This thread parses ranges too, between merges: `jobs` threads in all, one worker fewer.
  const jobs = Math.min(opts.jobs ?? defaultJobs(), tasks.length);
  const workers = Array.from({ length: jobs - 1 }, () => new Worker(new URL('./range-worker.mjs', import.meta.url)));
  const done = new Map<number, RangeResult>();
  let next = 0;
  let sent = 0;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  // At most two ranges per thread wait unmerged: memory stays bounded.
  const take = (): number | undefined => (sent < tasks.length && sent < next + 2 * jobs ? sent++ : undefined);
  const idle: Worker[] = [];
  const feed = (): void => {
    while (idle.length) {
      const id = take();
      if (id === undefined) return;
      idle.pop()!.postMessage(tasks[id]);
    }
  };
  const fail = (msg: string): void => {
    failure ??= new InputError(file, `cannot read: ${msg}`, 'read_failed');
    notify();
  };
  for (const w of workers) {
    w.on('message', (m: Reply) => {
      if (m.error !== undefined || !m.result) return fail(m.error ?? 'worker failed');
      done.set(m.result.id, m.result);
      idle.push(w);
      feed();
      notify();
    });
    w.on('error', (e) => fail(e.message));
    idle.push(w);
  }
  try {
    while (next < tasks.length) {
      if (failure) throw failure;
      const r = done.get(next);
      if (r) {
        done.delete(next);
        merger.apply(r);
        await opts.onRange?.(tasks[next]!.end);
        next++;
        feed();
        continue;
      }
      const id = take();
      if (id !== undefined) {
        // The workers take the ranges after this one (they start while this thread parses).
        feed();
        done.set(id, await parseHere(tasks[id]!, file));
        // Let the workers' replies in before the next range.
        await new Promise<void>((res) => setImmediate(res));
        continue;
      }
      await new Promise<void>((res) => (wake = res));
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

async function parseHere(task: RangeTask, file: string): Promise<RangeResult> {
  try {
    return await parseRange(task);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(file, `cannot read: ${(e as Error).message}`, 'read_failed');
  }
}
