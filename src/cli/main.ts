// Command-line entry: yargs parses the words, each command does the work and
// returns an exit code (0 ok, 1 findings or unparsed lines, 2 bad input or usage).
import yargs from 'yargs';
import type { FormatName } from '../types/event.ts';
import { InputError } from '../../parsers/common/input.ts';
import { FORMAT_NAMES } from '../../parsers/registry.ts';
import type { CliIO } from './io.ts';
import { UserError } from './io.ts';
import { parseCommand } from './commands/parse.ts';

const list = (v: string | string[] | undefined): string[] | undefined =>
  v === undefined ? undefined : (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);

// yargs drops a lone `-`; carry it through as a token no file name can hold.
const STDIN_TOKEN = '\u0000stdin';
const files = (v: unknown): string[] => (v as string[]).map((f) => (f === STDIN_TOKEN ? '-' : f));

export async function run(argv: string[], io: CliIO): Promise<number> {
  let code = 0;
  let usage: string | undefined;
  const parser = yargs(argv.map((a) => (a === '-' ? STDIN_TOKEN : a)))
    .scriptName('reaplay')
    .strict()
    .help()
    .version(false)
    .exitProcess(false)
    .fail((msg, err) => {
      usage = msg ?? err?.message ?? 'bad usage';
    })
    .command(
      'parse <files..>',
      'read traces (tracefs text, trace-cmd report, perf script, kernel log, CSV, kprobe_events) and write normalized events',
      (y) =>
        y
          .positional('files', { type: 'string', array: true, demandOption: true, describe: 'inputs (gzip/zstd ok; - for stdin)' })
          .option('format', { type: 'string', choices: FORMAT_NAMES, describe: 'skip sniffing: every input is this format' })
          .option('events', { type: 'string', describe: 'only these events: system:name globs, comma separated (oom:*,*:mn_*)' })
          .option('out', { type: 'string', describe: 'write events to FILE.jsonl or FILE.csv instead of JSONL on stdout' })
          .option('stats', { type: 'boolean', default: false, describe: 'print counts per event, data loss and diagnostics' }),
      async (a) => {
        code = await parseCommand(
          { files: files(a.files), format: a.format as FormatName | undefined, events: list(a.events), out: a.out, stats: a.stats },
          io,
        );
      },
    )
    .demandCommand(1, 'name a command: parse');
  try {
    await parser.parseAsync();
  } catch (e) {
    if (e instanceof InputError || e instanceof UserError) {
      io.stderr.write(`reaplay: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (usage !== undefined) {
    io.stderr.write(`reaplay: ${usage}\n(see reaplay --help)\n`);
    return 2;
  }
  return code;
}
