// `reaplay watch [SOURCE]`: a live trace (trace_pipe, stdin, or a file followed as it
// grows) analysed as it runs; each victim's story once settled, each finding once
// its level is decided; `--exit-on` turns the first such finding into exit code 1.
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { FormatName } from '../../types/event.ts';
import type { Capabilities } from '../../replay/capabilities.ts';
import { openInput } from '../../../parsers/common/input.ts';
import { followFile } from '../../watch/follow.ts';
import { runWatch, type WatchInput } from '../../watch/watch.ts';
import type { CliIO } from '../io.ts';
import { UserError } from '../../types/errors.ts';

export interface WatchArgs {
  source: string;
  kernelLog?: string;
  kprobes?: string[];
  follow: boolean;
  pollMs: number;
  json: boolean;
  exitOn?: 'proven' | 'suggested';
  summaryEvery: number;
  kernel?: string;
  capabilities?: Partial<Capabilities>;
  format?: FormatName;
}

function input(path: string, follow: boolean, pollMs: number, signal: AbortSignal): WatchInput {
  if (path === '-') return { name: '<stdin>', chunks: openInput('-') };
  if (follow) return { name: path, chunks: followFile(path, { pollMs, signal }) };
  if (!existsSync(path)) throw new UserError(`${path}: no such file (give trace_pipe, a trace file, or - for stdin)`);
  // A regular file is read to its end (waited for); a pipe (`<(dmesg -w)`), FIFO or tracefs file is live.
  return { name: path, chunks: openInput(path), live: !(statSync(path).isFile() && !isTracefs(path)) };
}

/** trace_pipe and the like are regular files to stat() but never end. */
const isTracefs = (path: string): boolean => basename(path) === 'trace_pipe' || /\/tracing\//.test(path);

/** The kprobe definitions beside a tracefs trace_pipe (its own, or its instance's tracefs root). */
function tracefsDefs(source: string): string | undefined {
  if (basename(source) !== 'trace_pipe') return undefined;
  const dir = dirname(source);
  const root = basename(dirname(dir)) === 'instances' ? dirname(dirname(dir)) : dir;
  const f = join(root, 'kprobe_events');
  return existsSync(f) ? f : undefined;
}

export async function watchCommand(args: WatchArgs, io: CliIO): Promise<number> {
  if (args.source === '-' && args.kernelLog === '-') throw new UserError('the trace and --kernel-log cannot both be stdin');
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const defs = args.kprobes ?? [];
    const beside = defs.length ? undefined : tracefsDefs(args.source);
    if (beside) defs.push(beside);
    return await runWatch({
      trace: input(args.source, args.follow, args.pollMs, stop.signal),
      kernelLog: args.kernelLog ? input(args.kernelLog, args.follow && args.kernelLog !== '-', args.pollMs, stop.signal) : undefined,
      kprobeDefs: defs,
      format: args.format,
      kernel: args.kernel,
      capabilities: args.capabilities,
      json: args.json,
      exitOn: args.exitOn,
      out: io.stdout,
      summaryEveryMin: args.summaryEvery,
      signal: stop.signal,
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
