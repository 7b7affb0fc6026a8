// The fleet tables: one declaration per column, from which the DuckDB and ClickHouse
// DDL, the CSV/JSONL headers and docs/schema.md are all made. Bump SCHEMA_VERSION on
// any change that is not a new trailing nullable column.
import { modelRef } from '../types/model-doc.ts';

export const SCHEMA_VERSION = 1;

/** `int` is 32-bit, `bigint` 64-bit (nanoseconds), `flag` 0/1 (no boolean type in ClickHouse 18.16). */
export type ColumnType = 'string' | 'int' | 'bigint' | 'double' | 'flag';

export interface Column {
  name: string;
  type: ColumnType;
  /** May be absent (NULL). */
  null?: boolean;
  doc: string;
}

export interface TableDef {
  name: TableName;
  doc: string;
  columns: Column[];
}

const c = (name: string, type: ColumnType, doc: string, nullable = false): Column => ({ name, type, doc, ...(nullable ? { null: true } : {}) });
const n = (name: string, type: ColumnType, doc: string): Column => c(name, type, doc, true);

/** Columns every per-capture table repeats, so the shipped queries need no join (a Distributed join would not fan out). */
const CAPTURE_KEY = [
  c('capture_id', 'string', 'sha256 of the capture\'s input files\' bytes, in order'),
  c('family', 'string', 'kernel family of the profile the capture was replayed under (e.g. 6.1-6.8)'),
  n('release', 'string', 'kernel release the inputs print (uname -r)'),
];

export const TABLES = {
  captures: {
    name: 'captures',
    doc: 'One row per capture, including captures that failed (error set, no other rows).',
    columns: [
      ...CAPTURE_KEY,
      c('schema_version', 'int', 'SCHEMA_VERSION of the writer'),
      c('path', 'string', 'the capture folder or trace file as found'),
      c('name', 'string', 'short name: parent/name'),
      c('files', 'string', 'JSON array of the input files, trace first'),
      c('labels', 'string', 'JSON object of labels taken from the path (--label-from); {} when none'),
      n('upstream', 'string', 'upstream version the kernel prints (x.y.z)'),
      n('profile', 'string', 'id of the kernel profile'),
      n('profile_why', 'string', 'JSON array: how the profile was arrived at'),
      n('capabilities', 'string', 'JSON object: the resolved capabilities'),
      n('observations', 'string', 'JSON object: what the trace shows of the kernel\'s formats (compare\'s expected differences)'),
      n('formats', 'string', 'input formats, comma separated, in input order'),
      n('first_ns', 'bigint', 'earliest selected event (ns)'),
      n('last_ns', 'bigint', 'latest selected event (ns)'),
      n('span_ns', 'bigint', 'last_ns - first_ns'),
      c('bytes', 'bigint', 'decompressed bytes read'),
      c('lines', 'bigint', 'lines read'),
      c('data_loss', 'int', 'data-loss markers (lost events, overruns, dropped)'),
      n('lost_events', 'bigint', 'events the recorders said they lost (sum of the counts printed)'),
      c('diag_error', 'int', 'diagnostics of severity error'),
      c('diag_warning', 'int', 'diagnostics of severity warning'),
      c('diag_notice', 'int', 'diagnostics of severity notice'),
      c('diag_info', 'int', 'diagnostics of severity info'),
      c('diag_data_loss', 'int', 'diagnostics of severity data_loss'),
      c('victims', 'int', 'victims selected'),
      c('findings', 'int', 'findings'),
      c('findings_proven', 'int', 'findings at level proven'),
      c('findings_lowered', 'int', 'findings whose why names data loss (their level was lowered by it)'),
      c('violations', 'int', 'proven findings the model does not expect on this kernel'),
      n('error', 'string', 'why the capture could not be analysed (bad input, timeout); NULL when it was'),
      c('analysed_ms', 'double', 'wall time of the analysis'),
    ],
  },
  victims: {
    name: 'victims',
    doc: 'One row per selected victim (oom:mark_victim or the kernel log\'s kill line), as `check --json` prints it.',
    columns: [
      ...CAPTURE_KEY,
      c('victim', 'int', 'index of the victim in the capture, in selection order'),
      c('pid', 'int', 'victim pid'),
      c('comm', 'string', 'process name (from the traced system: escape before display)'),
      n('mm', 'string', 'mm pointer'),
      n('mm_id', 'bigint', 'rss_stat mm_id'),
      c('domain', 'string', 'OOM domain: global or memcg:<path>'),
      c('selected_ns', 'bigint', 'time of the selection'),
      c('selected_file', 'string', 'file of the selection line'),
      c('selected_line', 'int', 'line of the selection'),
      c('outcome', 'string', 'reap outcome'),
      c('attempts', 'int', 'reaper attempts'),
      c('reap_calls', 'int', 'calls of the reap routine seen by probe'),
      n('kill_ns', 'bigint', 'selection → SIGKILL (ns)'),
      n('wake_ns', 'bigint', 'selection → oom_reaper woken (ns)'),
      n('first_attempt_ns', 'bigint', 'selection → first attempt (ns)'),
      n('oom_skip_ns', 'bigint', 'selection → MMF_OOM_SKIP (ns)'),
      n('release_ns', 'bigint', 'selection → memory released (ns)'),
      n('oom_skip_cause', 'string', 'why MMF_OOM_SKIP was set'),
      n('release_how', 'string', 'how the memory was released'),
      n('next_pid', 'int', 'next victim selected in the same OOM domain'),
      c('core_starts', 'int', 'invalidate_range_start calls on its mm'),
      c('core_failed', 'int', 'of those, failed'),
      c('core_unpaired', 'int', 'of those, never ended'),
      c('reaper_worked', 'flag', 'the oom_reaper worked on it'),
      c('gave_up', 'flag', 'the oom_reaper gave up'),
      c('later_selection', 'flag', 'selected after an earlier victim of its OOM domain'),
      c('premature', 'flag', 'a PVS-PREMATURE finding names it'),
    ],
  },
  attempts: {
    name: 'attempts',
    doc: 'One row per oom_reaper attempt on a victim.',
    columns: [
      ...CAPTURE_KEY,
      c('victim', 'int', 'victim index'),
      c('pid', 'int', 'victim pid'),
      c('attempt', 'int', 'attempt index (0-based)'),
      n('result', 'string', 'ok, failed, lock_busy, already_skipped'),
      n('start_ns', 'bigint', 'start (or skip) time'),
      n('end_ns', 'bigint', 'finish (or reap return) time'),
      c('calls', 'int', 'invalidate_range_start calls inside it'),
      c('failed_calls', 'int', 'of those, failed'),
      n('decided_by', 'string', 'what decided the result'),
    ],
  },
  notifier_calls: {
    name: 'notifier_calls',
    doc: 'Per victim and notifier: the invalidate starts and ends on its mm. scope `core` is the mmu_notifier core call, `instance` one notifier.',
    columns: [
      ...CAPTURE_KEY,
      c('victim', 'int', 'victim index'),
      c('pid', 'int', 'victim pid'),
      c('scope', 'string', 'core or instance'),
      c('notifier', 'string', 'notifier instance (module or callback symbol); mmu_notifier for the core'),
      c('starts', 'int', 'start calls'),
      c('starts_failed', 'int', 'failed starts'),
      c('ends', 'int', 'end calls'),
      c('unended', 'int', 'starts never ended (core: unpaired calls; instance: the leak findings\' count)'),
    ],
  },
  findings: {
    name: 'findings',
    doc: 'One row per finding, as `check --json` prints it.',
    columns: [
      ...CAPTURE_KEY,
      c('finding', 'int', 'index of the finding in the capture'),
      c('kind', 'string', 'finding kind'),
      c('rule', 'string', `rule of the kernel model (${modelRef('rules')})`),
      c('level', 'string', 'proven, suggested or inconclusive'),
      c('expected', 'flag', 'the model predicts it on this kernel'),
      n('victim_pid', 'int', 'the victim it names'),
      n('victim_mm', 'string', 'that victim\'s mm pointer'),
      n('notifier', 'string', 'the notifier it is about'),
      n('occurrences', 'int', 'occurrences it stands for'),
      c('message', 'string', 'what it says'),
      n('why', 'string', 'why the level is not higher'),
    ],
  },
  evidence: {
    name: 'evidence',
    doc: 'The lines a finding rests on.',
    columns: [
      ...CAPTURE_KEY,
      c('finding', 'int', 'finding index'),
      c('item', 'int', 'index of the evidence in the finding'),
      c('file', 'string', 'input file'),
      c('line', 'int', 'line (1-based; 0 for binary inputs)'),
      n('byte_offset', 'bigint', 'byte offset'),
      n('ts_ns', 'bigint', 'event time'),
      c('what', 'string', 'what this line shows'),
    ],
  },
  metrics: {
    name: 'metrics',
    doc: 'Per victim, the values `reaplay compare` tests (src/compare/facts.ts); durations in seconds.',
    columns: [
      ...CAPTURE_KEY,
      c('victim', 'int', 'victim index'),
      c('pid', 'int', 'victim pid'),
      c('comm', 'string', 'process name'),
      c('domain', 'string', 'OOM domain'),
      c('outcome', 'string', 'reap outcome'),
      n('wake_s', 'double', 'selection → oom_reaper woken (s)'),
      n('first_attempt_s', 'double', 'selection → first attempt (s)'),
      n('oom_skip_s', 'double', 'selection → MMF_OOM_SKIP (s)'),
      n('oom_skip_cause', 'string', 'why MMF_OOM_SKIP was set'),
      n('release_s', 'double', 'selection → memory released (s)'),
      n('release_how', 'string', 'how the memory was released'),
      c('attempts', 'int', 'reaper attempts'),
      c('attempts_run', 'int', 'attempts that ran the reap routine'),
      c('reaper_worked', 'flag', 'the oom_reaper worked on it'),
      c('gave_up', 'flag', 'the oom_reaper gave up'),
      c('lock_busy', 'int', 'attempts skipped because the mmap lock was busy'),
      c('core_starts', 'int', 'invalidate_range_start calls seen by probe'),
      c('core_failed', 'int', 'failed non-blocking starts'),
      c('notifiers', 'string', 'JSON array of notifier instances called on its mm'),
      c('leaks', 'string', 'JSON object: per notifier, starts never ended'),
      n('callback_failures', 'int', 'failed notifier start callbacks in its attempts'),
      n('callback_source', 'string', 'probes or kernel log'),
      c('later_selection', 'flag', 'selected after an earlier victim of its OOM domain'),
      c('premature', 'flag', 'PVS-PREMATURE names it'),
      c('self_reaps', 'int', 'exit_mmap ran the reap routine on its mm'),
      c('mark_extended', 'flag', 'mark_victim printed the extended format'),
    ],
  },
} as const satisfies Record<string, Omit<TableDef, 'name'> & { name: string }>;

export type TableName = keyof typeof TABLES;
export const TABLE_NAMES = Object.keys(TABLES) as TableName[];

/** One row: column name → value (bigint for `bigint` columns, 0/1 for flags, undefined/null for absent). */
export type Row = Record<string, string | number | bigint | null | undefined>;
export type Rows = Record<TableName, Row[]>;

export const emptyRows = (): Rows => Object.fromEntries(TABLE_NAMES.map((t) => [t, []])) as unknown as Rows;

export const columnsOf = (t: TableName): readonly Column[] => TABLES[t].columns;

const DUCK: Record<ColumnType, string> = { string: 'VARCHAR', int: 'INTEGER', bigint: 'BIGINT', double: 'DOUBLE', flag: 'INTEGER' };
const CLICK: Record<ColumnType, string> = { string: 'String', int: 'Int32', bigint: 'Int64', double: 'Float64', flag: 'UInt8' };

export const duckType = (col: Column): string => DUCK[col.type];
export const clickhouseType = (col: Column): string => (col.null ? `Nullable(${CLICK[col.type]})` : CLICK[col.type]);

/** `CREATE TABLE` body for DuckDB: `(a VARCHAR NOT NULL, ...)`. */
export function duckColumns(t: TableName): string {
  return `(${columnsOf(t).map((col) => `${col.name} ${duckType(col)}${col.null ? '' : ' NOT NULL'}`).join(', ')})`;
}

export function clickhouseColumns(t: TableName): string {
  return `(${columnsOf(t).map((col) => `${col.name} ${clickhouseType(col)}`).join(', ')})`;
}
