// Command-line entry: yargs parses the words, each command does the work and
// returns an exit code (0 ok, 1 findings or unparsed lines, 2 bad input or usage).
import yargs from 'yargs';
import type { FormatName } from '../types/event.ts';
import { FORMAT_NAMES } from '../../parsers/registry.ts';
import type { CliIO } from './io.ts';
import { EXIT_CODES, errorCodeOf, UserError, type ErrorCode } from '../types/errors.ts';
import type { InputError } from '../../parsers/common/input.ts';

// An input error's code must be one of the table's: tsc fails here if the parsers add one.
const INPUT_CODES_KNOWN: InputError['code'] extends ErrorCode ? true : never = true;
void INPUT_CODES_KNOWN;
// Each command's module (and its dependencies) is imported only when that command runs:
// startup pays for yargs and the format names, not for every command.
import { parseCapability, type Capabilities } from '../replay/capabilities.ts';
import type { Argv } from 'yargs';
import { terminalSafe } from '../types/escape-terminal.ts';
import { isBrokenPipe } from './output.ts';
import { skipHelpCache } from './help-cache.ts';

function capabilities(v: unknown): Partial<Capabilities> {
  const specs = v === undefined ? [] : Array.isArray(v) ? (v as string[]) : [String(v)];
  const out: Partial<Capabilities> = {};
  for (const spec of specs) {
    Object.assign(out, parseCapability(spec));
  }
  return out;
}

/** Options every model command takes. */
function modelOptions<T>(y: Argv<T>) {
  return y
    .positional('files', { type: 'string', array: true, demandOption: true, describe: 'one capture: a trace, plus its kernel log and kprobe_events if you have them' })
    .option('kernel', { type: 'string', describe: 'the kernel that recorded the trace (e.g. 5.4 or 6.1.192), when the inputs do not say' })
    .option('capability', { type: 'string', describe: 'override one capability of the kernel profile: NAME=VALUE (repeatable)' })
    .option('format', { type: 'string', choices: FORMAT_NAMES, describe: 'skip sniffing: every input is this format' });
}

const list = (v: string | string[] | undefined): string[] | undefined =>
  v === undefined ? undefined : (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);

// yargs drops a lone `-`; carry it through as a token no file name can hold.
const STDIN_TOKEN = '\u0000stdin';
function files(v: unknown): string[] {
  const out = (v as string[]).map((f) => (f === STDIN_TOKEN ? '-' : f));
  // Two readers of one stdin would each get an arbitrary part of it.
  if (out.filter((f) => f === '-').length > 1) throw new UserError('- (stdin) can be given only once');
  return out;
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  let code = 0;
  let usage: string | undefined;
  const parser = yargs(argv.map((a) => (a === '-' ? STDIN_TOKEN : a)))
    .scriptName('reaplay')
    .strict()
    .help()
    .version(false)
    .exitProcess(false)
    .option('jobs', { type: 'number', global: true, describe: 'parser threads for large plain text traces (default: REAPLAY_JOBS, else 1; 0: one per core)' })
    .middleware(async (a) => {
      if (a.jobs === undefined) return;
      const { JOBS_ENV } = await import('../../parsers/common/parallel-text.ts');
      process.env[JOBS_ENV] = String(a.jobs);
    })
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
        const { parseCommand } = await import('./commands/parse.ts');
        code = await parseCommand(
          { files: files(a.files), format: a.format as FormatName | undefined, events: list(a.events), out: a.out, stats: a.stats },
          io,
        );
      },
    )
    .command(
      'check <files..>',
      'replay a capture through the kernel model: per victim what happened, unpaired invalidates, premature victim selection',
      (y) => modelOptions(y).option('json', { type: 'boolean', default: false, describe: 'one JSON document: kernel, victims, findings' }),
      async (a) => {
        const { checkCommand } = await import('./commands/check.ts');
        code = await checkCommand({ files: files(a.files), kernel: a.kernel, capabilities: capabilities(a.capability), format: a.format as FormatName | undefined, json: a.json }, io);
      },
    )
    .command(
      'timeline <files..>',
      "print one victim address space's timeline",
      (y) => modelOptions(y).option('pid', { type: 'number', describe: 'victim or task pid' }).option('mm', { type: 'string', describe: 'mm pointer (0xffff...) or rss_stat mm_id' }),
      async (a) => {
        const { timelineCommand } = await import('./commands/timeline.ts');
        code = await timelineCommand({ files: files(a.files), kernel: a.kernel, capabilities: capabilities(a.capability), format: a.format as FormatName | undefined, pid: a.pid, mm: a.mm }, io);
      },
    )
    .command(
      'replay <files..>',
      'counterfactual: replay the observed sequence as another kernel family would have run it',
      (y) =>
        modelOptions(y)
          .option('as-kernel', { type: 'string', demandOption: true, describe: 'the kernel family to replay as, e.g. 4.19 or 5.4' })
          .option('json', { type: 'boolean', default: false }),
      async (a) => {
        const { replayCommand } = await import('./commands/replay.ts');
        code = await replayCommand({ files: files(a.files), kernel: a.kernel, capabilities: capabilities(a.capability), format: a.format as FormatName | undefined, asKernel: a.asKernel as string, json: a.json }, io);
      },
    )
    .command(
      'report <files..>',
      'write one capture as a self-contained HTML page (stories, findings, charts; works offline) and its JSON, into a folder',
      (y) => modelOptions(y).option('out', { type: 'string', demandOption: true, describe: 'folder to write index.html and report.json into' }).option('force', { type: 'boolean', default: false, describe: 'write into an existing folder that reaplay did not make' }),
      async (a) => {
        const { reportCommand } = await import('./commands/report.ts');
        code = await reportCommand({ files: files(a.files), kernel: a.kernel, capabilities: capabilities(a.capability), format: a.format as FormatName | undefined, out: a.out, force: a.force }, io);
      },
    )
    .command(
      'chart <files..>',
      'draw the charts of a capture (victim lifecycle, notifier pairing, memory teardown, distributions, findings) as Vega-Lite, SVG and PNG',
      (y) =>
        modelOptions(y)
          .option('out', { type: 'string', demandOption: true, describe: 'directory to write the charts to (created if missing)' })
          .option('as', { type: 'string', describe: 'outputs, comma separated: vl (Vega-Lite JSON), svg, png (default: all three)' })
          .option('force', { type: 'boolean', default: false, describe: 'write into an existing folder that reaplay did not make' }),
      async (a) => {
        // Loaded here: vega and resvg are only needed by this command.
        const { chartCommand } = await import('./commands/chart.ts');
        code = await chartCommand(
          { files: files(a.files), kernel: a.kernel, capabilities: capabilities(a.capability), format: a.format as FormatName | undefined, out: a.out, as: list(a.as), force: a.force },
          io,
        );
      },
    )
    .command(
      'compare [paths..]',
      'compare captures or groups of captures: victim latencies, attempts, give-ups, unpaired invalidates, premature selections (with tests), apart from the differences the kernel model predicts',
      (y) =>
        y
          .positional('paths', { type: 'string', array: true, describe: 'two captures A B: capture folders, trace files, or globs of either (quoted)' })
          .option('group', { type: 'string', describe: 'LABEL=PATH[,PATH...]: one group of captures (repeat; the first is the baseline)' })
          .option('kernel', { type: 'string', describe: 'the kernel that recorded the traces (e.g. 5.4 or 6.1.192), when the inputs do not say' })
          .option('capability', { type: 'string', describe: 'override one capability of the kernel profile of every capture: NAME=VALUE (repeatable)' })
          .option('json', { type: 'boolean', default: false, describe: 'one JSON document: groups, victims, metrics, verdicts, expected differences' })
          .option('out', { type: 'string', describe: 'folder to write the comparison page (index.html) and compare.json into' })
          .option('dataset', { type: 'string', describe: 'compare groups of a fleet dataset (reaplay fleet --out) instead of captures' })
          .option('group-by', { type: 'string', describe: 'with --dataset: kernel (default), release, family or label:NAME' })
          .option('baseline', { type: 'string', describe: 'with --dataset: the group to compare the others with (default: the first in version order)' })
          .option('force', { type: 'boolean', default: false, describe: 'write into an existing folder that reaplay did not make' }),
      async (a) => {
        const { compareCommand } = await import('./commands/compare.ts');
        const groups = a.group === undefined ? undefined : (Array.isArray(a.group) ? a.group : [a.group]).map(String);
        code = await compareCommand({ paths: a.paths === undefined ? undefined : (a.paths as string[]).map(String), groups, kernel: a.kernel, capabilities: capabilities(a.capability), json: a.json, out: a.out, force: a.force, dataset: a.dataset, groupBy: a.groupBy, baseline: a.baseline }, io);
      },
    )
    .command(
      'export <paths..>',
      'write the fleet tables (captures, victims, attempts, notifier_calls, findings, evidence, metrics) of captures as Parquet, CSV or JSON lines',
      (y) =>
        y
          .positional('paths', { type: 'string', array: true, demandOption: true, describe: 'captures: capture folders, trace files, or globs of either (quoted)' })
          .option('out', { type: 'string', demandOption: true, describe: 'folder to write one file per table into' })
          .option('as', { type: 'string', choices: ['parquet', 'csv', 'jsonl'] as const, default: 'parquet' as const, describe: 'file format' })
          .option('label-from', { type: 'string', describe: "labels from the path, e.g. 'fleet/{host}/{kernel}/...'" }),
      async (a) => {
        const { exportCommand } = await import('./commands/export.ts');
        code = await exportCommand({ paths: (a.paths as string[]).map(String), out: a.out, as: a.as, labelFrom: a.labelFrom }, io);
      },
    )
    .command(
      'fleet <paths..>',
      'analyse many captures in worker threads and append their tables to a Parquet dataset (partitioned by kernel family; resumable)',
      (y) =>
        y
          .positional('paths', { type: 'string', array: true, demandOption: true, describe: 'capture folders, trace files, or globs of either (quoted)' })
          .option('out', { type: 'string', demandOption: true, describe: 'the dataset folder (created, or appended to)' })
          .option('jobs', { type: 'number', describe: 'worker threads (default: all cores)' })
          .option('label-from', { type: 'string', describe: "labels from the path, e.g. 'fleet/{host}/{kernel}/...'" })
          .option('flush-every', { type: 'number', default: 100, describe: 'captures per batch written to the dataset' })
          .option('timeout', { type: 'number', default: 600, describe: 'seconds one capture may take before it is recorded as failed' })
          .option('report', { type: 'string', describe: 'also write the fleet page (index.html) into this folder' }),
      async (a) => {
        const { fleetCommand } = await import('./commands/fleet.ts');
        code = await fleetCommand({ paths: (a.paths as string[]).map(String), out: a.out, jobs: a.jobs, labelFrom: a.labelFrom, flushEvery: a.flushEvery, timeout: a.timeout, report: a.report }, io);
      },
    )
    .command(
      'sql [dataset] [query]',
      'run SQL (or a shipped query of queries/ by name) on a fleet dataset: DuckDB embedded, or ClickHouse (--engine clickhouse --url); --load puts a dataset into ClickHouse',
      (y) =>
        y
          .positional('dataset', { type: 'string', describe: 'the dataset folder (reaplay fleet --out); not needed for --engine clickhouse without --load' })
          .positional('query', { type: 'string', describe: 'SQL text, a .sql file, or a shipped query name (none: list the shipped queries)' })
          .option('engine', { type: 'string', choices: ['duckdb', 'clickhouse'] as const, default: 'duckdb' as const })
          .option('url', { type: 'string', describe: 'ClickHouse HTTP URL, e.g. http://127.0.0.1:8123' })
          .option('load', { type: 'boolean', default: false, describe: 'create the tables in ClickHouse (MergeTree per shard, Distributed over the cluster) and insert the dataset' })
          .option('shard', { type: 'string', describe: 'HTTP URL of one shard of the cluster, for --load (repeat; default: --url)' })
          .option('cluster', { type: 'string', default: 'reaplay', describe: 'ClickHouse cluster (remote_servers) of the Distributed tables' })
          .option('database', { type: 'string', default: 'default' })
          .option('json', { type: 'boolean', default: false })
          .option('csv', { type: 'boolean', default: false }),
      async (a) => {
        const { sqlCommand } = await import('./commands/sql.ts');
        const shards = a.shard === undefined ? [] : (Array.isArray(a.shard) ? a.shard : [a.shard]).map(String);
        // With --engine clickhouse and no --load, a single positional is the query.
        const [dataset, query] = a.engine === 'clickhouse' && !a.load && a.query === undefined ? [undefined, a.dataset] : [a.dataset, a.query];
        code = await sqlCommand({ dataset, query, engine: a.engine, url: a.url, shards, cluster: a.cluster, database: a.database, load: a.load, json: a.json, csv: a.csv }, io);
      },
    )
    .command(
      'recipe',
      'what to record on a kernel so check can judge it (tracepoints, kprobes with offsets from BTF), and how; --apply sets it up in tracefs',
      (y) =>
        y
          .option('kernel', { type: 'string', describe: 'a kernel release other than the running one (offline), e.g. 6.1 or 5.10.0-32-amd64' })
          .option('btf', { type: 'string', describe: "that kernel's BTF (its /sys/kernel/btf/vmlinux) for the struct offsets" })
          .option('notifiers', { type: 'string', describe: 'notifiers whose callbacks to probe, comma separated: kvm,amdgpu,i915,ib_umem,hmm,nouveau,gru,mntest (default: those whose modules are loaded; offline: kvm)' })
          .option('format', { type: 'string', choices: ['tracefs', 'trace-cmd', 'perf', 'kprobe-events'], default: 'tracefs', describe: 'a tracefs shell script, one trace-cmd or perf record line, or the kprobe definitions alone' })
          .option('apply', { type: 'boolean', default: false, describe: 'set the recipe up in tracefs (a dry run unless --yes)' })
          .option('remove', { type: 'boolean', default: false, describe: 'undo what --apply set, from its state file (a dry run unless --yes)' })
          .option('yes', { type: 'boolean', default: false, describe: 'with --apply/--remove: really write' })
          .option('tracefs', { type: 'string', describe: 'tracefs mount (default /sys/kernel/tracing)' })
          .option('state', { type: 'string', describe: 'file where --apply records what it set (default reaplay-recipe.state.json)' })
          .option('instance', { type: 'string', describe: 'tracefs instance name (default reaplay)' })
          .option('group', { type: 'string', describe: 'kprobe group name (default reaplay)' })
          .option('buffer-kb', { type: 'number', describe: 'ring buffer per CPU in KiB (default 16384)' }),
      async (a) => {
        const { recipeCommand } = await import('./commands/recipe.ts');
        code = await recipeCommand(
          {
            kernel: a.kernel, btf: a.btf, notifiers: list(a.notifiers), format: a.format as 'tracefs',
            apply: a.apply, remove: a.remove, yes: a.yes, tracefs: a.tracefs, state: a.state, instance: a.instance, group: a.group, bufferKb: a.bufferKb,
          },
          io,
        );
      },
    )
    .command(
      'watch <source>',
      'analyse a live trace as it runs (trace_pipe, - for stdin, or a file with --follow): victims when settled, findings when decided',
      (y) =>
        y
          .positional('source', { type: 'string', demandOption: true, describe: '/sys/kernel/tracing/trace_pipe (or an instance\'s), a trace file, or - for stdin' })
          .option('follow', { type: 'boolean', default: false, describe: 'follow a file as it grows, like tail -F (survives rotation and truncation)' })
          .option('kernel-log', { type: 'string', describe: 'the kernel log as it is written (dmesg -w, journalctl -kf; FILE or -), merged on the same clock' })
          .option('kprobes', { type: 'string', array: true, describe: 'kprobe_events definitions (default: the tracefs kprobe_events beside a trace_pipe)' })
          .option('json', { type: 'boolean', default: false, describe: 'one JSON line per victim and per finding' })
          .option('exit-on', { type: 'string', choices: ['proven', 'suggested'], describe: 'exit 1 at the first finding of this level (or higher) the model does not expect' })
          .option('summary-every', { type: 'number', default: 10, describe: 'minutes between summary lines on a terminal (0: none)' })
          .option('poll-ms', { type: 'number', default: 250, describe: 'with --follow: poll interval when no file change is notified' })
          .option('kernel', { type: 'string', describe: 'the kernel that records the trace, when the inputs do not say' })
          .option('capability', { type: 'string', describe: 'override one capability of the kernel profile: NAME=VALUE (repeatable)' })
          .option('format', { type: 'string', choices: FORMAT_NAMES, describe: 'skip sniffing the trace' }),
      async (a) => {
        const { watchCommand } = await import('./commands/watch.ts');
        code = await watchCommand(
          {
            source: a.source === STDIN_TOKEN ? '-' : String(a.source), kernelLog: a.kernelLog === STDIN_TOKEN ? '-' : a.kernelLog,
            kprobes: a.kprobes?.map(String), follow: a.follow, pollMs: a.pollMs, json: a.json, exitOn: a.exitOn as 'proven' | undefined,
            summaryEvery: a.summaryEvery, kernel: a.kernel, capabilities: capabilities(a.capability), format: a.format as FormatName | undefined,
          },
          io,
        );
      },
    )
    .demandCommand(1, 'name a command: parse, check, timeline, replay, chart, report, compare, recipe or watch');
  skipHelpCache(parser);
  try {
    await parser.parseAsync();
  } catch (e) {
    // The reader of stdout went away (`parse … | head -1`): nothing more to say.
    if (isBrokenPipe(e)) return 0;
    // The exit code comes from the error's code (InputError's codes are in the same table).
    const code = errorCodeOf(e);
    if (code !== undefined) {
      io.stderr.write(`reaplay: ${terminalSafe((e as Error).message)}\n`);
      return EXIT_CODES[code];
    }
    // Anything else is a message too, never a stack trace (REAPLAY_DEBUG=1 shows it).
    const err = e as NodeJS.ErrnoException;
    if (process.env.REAPLAY_DEBUG) io.stderr.write(`${err?.stack ?? String(e)}\n`);
    io.stderr.write(`reaplay: ${terminalSafe(err?.message ?? String(e))}${err?.code ? ` (${err.code})` : ''}\n`);
    return 2;
  }
  if (usage !== undefined) {
    io.stderr.write(`reaplay: ${terminalSafe(usage)}\n(see reaplay --help)\n`);
    return 2;
  }
  return code;
}
