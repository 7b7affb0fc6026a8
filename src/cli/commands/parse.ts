// `reaplay parse <file...>`: read traces in any supported format and write the
// normalized events (JSONL on stdout by default, or --out FILE.jsonl|FILE.csv),
// or with --stats a summary of what the inputs hold.
import { createWriteStream } from 'node:fs';
import type { FormatName, TraceEvent } from '../../types/event.ts';
import { newContext, parseInputs } from '../../ingest/parse-inputs.ts';
import { createCsvWriter } from '../../export/csv.ts';
import { createJsonlWriter } from '../../export/jsonl.ts';
import type { EventWriter } from '../../export/writer.ts';
import { formatDiagnostic } from '../../../parsers/common/diagnostics.ts';
import type { CliIO } from '../io.ts';
import { UserError } from '../io.ts';
import { createProgress } from '../progress.ts';
import { formatStats } from './parse-stats.ts';

export interface ParseArgs {
  files: string[];
  format?: FormatName;
  events?: string[];
  out?: string;
  stats: boolean;
}

function openWriter(args: ParseArgs, io: CliIO): EventWriter | undefined {
  if (!args.out) return args.stats ? undefined : createJsonlWriter(io.stdout);
  if (args.out.endsWith('.csv')) return createCsvWriter(createWriteStream(args.out));
  if (args.out.endsWith('.jsonl') || args.out.endsWith('.json')) return createJsonlWriter(createWriteStream(args.out));
  throw new UserError(`--out ${args.out}: expected a file name ending in .jsonl or .csv`);
}

export async function parseCommand(args: ParseArgs, io: CliIO): Promise<number> {
  const writer = openWriter(args, io);
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
  } finally {
    progress.stop();
    await writer?.end();
  }
  if (args.stats) io.stdout.write(formatStats(result.inputs, result.ctx, emitted));
  const errors = result.ctx.diag.bySeverity('error');
  if (errors > 0) {
    const first = result.ctx.diag.kept.find((d) => d.severity === 'error');
    io.stderr.write(`reaplay: ${errors} line(s) could not be parsed${first ? `; first: ${formatDiagnostic(first)}` : ''}\n`);
    return 1;
  }
  return 0;
}
