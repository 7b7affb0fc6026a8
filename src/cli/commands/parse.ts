// `reaplay parse <file...>`: read traces in any supported format and write the
// normalized events (JSONL on stdout by default, or --out FILE.jsonl|FILE.csv),
// or with --stats a summary of what the inputs hold.
import type { FormatName, TraceEvent } from '../../types/event.ts';
import { newContext, parseInputs } from '../../ingest/parse-inputs.ts';
import { createCsvWriter } from '../../export/csv.ts';
import { createJsonlWriter } from '../../export/jsonl.ts';
import type { EventWriter } from '../../export/writer.ts';
import { formatDiagnostic } from '../../../parsers/common/diagnostics.ts';
import type { CliIO } from '../io.ts';
import { UserError } from '../../types/errors.ts';
import { openOutputFile, OutputError, type OutputFile } from '../output.ts';
import { terminalSafe } from '../../types/escape-terminal.ts';
import { createProgress } from '../progress.ts';
import { formatStats } from './parse-stats.ts';

export interface ParseArgs {
  files: string[];
  format?: FormatName;
  events?: string[];
  out?: string;
  stats: boolean;
}

async function openWriter(args: ParseArgs, io: CliIO): Promise<{ writer?: EventWriter; file?: OutputFile }> {
  if (!args.out) return { writer: args.stats ? undefined : createJsonlWriter(io.stdout) };
  const csv = args.out.endsWith('.csv');
  if (!csv && !args.out.endsWith('.jsonl') && !args.out.endsWith('.json')) {
    throw new UserError(`--out ${terminalSafe(args.out)}: expected a file name ending in .jsonl or .csv`);
  }
  // Opened before any input is read: a bad --out fails at once, with nothing half-written.
  const file = await openOutputFile(args.out, `--out ${args.out}`);
  return { writer: csv ? createCsvWriter(file.stream) : createJsonlWriter(file.stream), file };
}

/** Flushes the events and puts the output file in place; a failure to write is an OutputError. */
async function finish(writer: EventWriter | undefined, file: OutputFile | undefined, out: string | undefined): Promise<void> {
  try {
    await writer?.end();
  } catch (e) {
    await file?.abort();
    if (!file) throw e;
    throw new OutputError(`--out ${terminalSafe(out!)}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  await file?.commit();
}

export async function parseCommand(args: ParseArgs, io: CliIO): Promise<number> {
  const { writer, file } = await openWriter(args, io);
  const progress = createProgress(io, args.files);
  // `--stats` alone writes no events: they are counted from their names, never built.
  const ctx = newContext(args.events, args.stats && !writer);
  let emitted = 0;
  let result;
  try {
    result = await parseInputs(args.files, {
      format: args.format,
      context: ctx,
      pace: () => writer?.drained(),
      onProgress: (f, n) => progress.update(f, n),
      onEvent: (ev: TraceEvent) => {
        emitted++;
        writer?.write(ev);
      },
    });
  } catch (e) {
    // An input that breaks off (a truncated gzip): what was read before the break is kept.
    progress.stop();
    await finish(writer, file, args.out);
    throw e;
  }
  progress.stop();
  await finish(writer, file, args.out);
  if (args.stats) io.stdout.write(formatStats(result.inputs, result.ctx, emitted));
  const errors = result.ctx.diag.bySeverity('error');
  if (errors > 0) {
    const first = result.ctx.diag.kept.find((d) => d.severity === 'error');
    io.stderr.write(`reaplay: ${errors} error(s) reading the input (lines, or bytes of a binary trace, that could not be read)${first ? `; first: ${formatDiagnostic(first)}` : ''}\n`);
    return 1;
  }
  return 0;
}
