// One byte range of a plain text trace parsed on its own (in a worker thread), its
// output kept as an ordered record of everything the reader told: events, losses,
// diagnostics, and the first event line on each CPU, which is where the reader
// would have consulted state from the ranges before (time order, open losses).
// `range-merge.ts` replays the records in range order and settles that state, so
// the result is exactly that of one reader over the whole file.
import type { DataLoss, SourceRef, StreamMeta, TraceEvent } from '../../src/types/event.ts';
import type { KprobeDef } from '../../src/types/kprobe.ts';
import type { FormatImporter, ParseContext } from '../importer.ts';
import { ftraceImporter } from '../ftrace-text/index.ts';
import { traceCmdReportImporter } from '../trace-cmd-report/index.ts';
import { DiagnosticSink, type DiagnosticCode } from './diagnostics.ts';
import { READ_CHUNK, RING, ringChunks } from './input.ts';
import { EventNames } from './event-names.ts';
import { EventColumnWriter, type EventColumns } from './range-events.ts';
import { LineSplitter } from './line-splitter.ts';
import { TextTraceReader } from './text-trace-reader.ts';

/** Formats read by `TextTraceReader`, whose lines can be split into ranges. */
export const RANGE_FORMATS: Record<string, { importer: FormatImporter; paddedName: boolean }> = {
  ftrace: { importer: ftraceImporter, paddedName: false },
  'trace-cmd-report': { importer: traceCmdReportImporter, paddedName: true },
};

export interface RangeTask {
  id: number;
  file: string;
  format: string;
  /** Byte range [start, end) of the file; `start` is the start of an event line (or 0). */
  start: number;
  end: number;
  filter?: readonly string[];
  countOnly: boolean;
  kprobes: KprobeDef[];
  maxLine: number;
}

export enum Rec {
  Event,
  /** The next `n` events of the range's columns. */
  Events,
  Diag,
  Loss,
  CpuFirst,
}

export type RangeRecord =
  | { t: Rec.Event; ev: TraceEvent }
  | { t: Rec.Events; n: number }
  /** A diagnostic; `n` > 1: that many more of `code` past the kept ones (counted only). */
  | { t: Rec.Diag; code: DiagnosticCode; src?: SourceRef; detail?: string; n: number }
  | { t: Rec.Loss; loss: DataLoss }
  | { t: Rec.CpuFirst; cpu: number; secs: number; nanos: number; raw: boolean; check: boolean; src: SourceRef };

export interface RangeResult {
  id: number;
  records: RangeRecord[];
  /** With `columns`: the events (`Rec.Events` records say where they fall among the others). */
  events?: EventColumns;
  /** Lines and bytes of the range; line numbers in `records` count from 1 within it. */
  lines: number;
  bytes: number;
  /** Events per name (`system:name`), in order of first appearance. */
  names: [string, number][];
  meta: Pick<StreamMeta, 'traceClock' | 'cpus' | 'entries' | 'kernelRelease' | 'segments' | 'firstTs' | 'lastTs'>;
  /** Per-CPU time of the last event line, and whether a new trace header reset the order. */
  lastTimes: [number, number, number][];
  restarted: boolean;
}

/** Records diagnostics in order; past `keep` per code only counts go on. */
class RecordingSink extends DiagnosticSink {
  private readonly seen = new Map<DiagnosticCode, number>();

  constructor(
    private readonly out: RangeRecord[],
    private readonly keepPerCode = 20,
  ) {
    super(keepPerCode);
  }

  override add(code: DiagnosticCode, src?: SourceRef, detail?: string): void {
    const n = (this.seen.get(code) ?? 0) + 1;
    this.seen.set(code, n);
    if (n <= this.keepPerCode) {
      this.out.push({ t: Rec.Diag, code, src, detail, n: 1 });
      return;
    }
    const prev = this.out[this.out.length - 1];
    if (prev && prev.t === Rec.Diag && prev.code === code && prev.src === undefined) prev.n++;
    else this.out.push({ t: Rec.Diag, code, n: 1 });
  }
}

/** Read buffers kept for the ranges this thread parses one after another. */
let threadRing: Buffer[] | undefined;
let ringBusy = false;

/** `columns`: events go into `EventColumns` (to be posted from a worker), else stay objects. */
export async function parseRange(task: RangeTask, columns = false): Promise<RangeResult> {
  const fmt = RANGE_FORMATS[task.format];
  if (!fmt) throw new Error(`format ${task.format} cannot be parsed by ranges`);
  const records: RangeRecord[] = [];
  const names = new EventNames(task.filter, task.countOnly);
  for (const k of task.kprobes) names.addKprobe(k);
  const ctx: ParseContext = { names, diag: new RecordingSink(records) };
  const meta: StreamMeta = { file: task.file, format: fmt.importer.name, losses: [], segments: 1, bytes: 0, lines: 0 };
  const cols = columns ? new EventColumnWriter(task.file) : undefined;
  const reader = fmt.importer.createReader(ctx, meta, {
    event: cols
      ? (ev) => {
          cols.add(ev);
          const last = records[records.length - 1];
          if (last?.t === Rec.Events) last.n++;
          else records.push({ t: Rec.Events, n: 1 });
        }
      : (ev) => records.push({ t: Rec.Event, ev }),
    loss: (loss) => records.push({ t: Rec.Loss, loss }),
  });
  if (!(reader instanceof TextTraceReader)) throw new Error(`format ${task.format}: not a text trace reader`);
  reader.onCpuFirst = (cpu, secs, nanos, raw, check, src) => records.push({ t: Rec.CpuFirst, cpu, secs, nanos, raw, check, src });
  const splitter = new LineSplitter(
    {
      line: (buf, s, e, n, off, last) => reader.line(buf, s, e, n, off, last),
      tooLong: (n, off, len) => ctx.diag.add('line_too_long', { file: task.file, line: n, offset: off }, `${len} bytes`),
    },
    task.maxLine,
    task.start,
  );
  // The next chunk is read while this one is parsed (the splitter copies what it carries),
  // into this thread's buffers unless another range is being read here.
  const own = !ringBusy;
  ringBusy = true;
  try {
    for await (const chunk of ringChunks(task.file, task.start, undefined, task.end, own ? (threadRing ??= Array.from({ length: RING }, () => Buffer.allocUnsafe(READ_CHUNK))) : undefined)) splitter.write(chunk);
  } finally {
    if (own) ringBusy = false;
  }
  splitter.end();
  reader.end();
  const order = reader.orderState();
  return {
    id: task.id,
    records,
    ...(cols ? { events: cols.finish() } : {}),
    lines: splitter.lines,
    bytes: splitter.bytes,
    names: names.entries().map((e) => [e.full, e.count]),
    meta: {
      traceClock: meta.traceClock, cpus: meta.cpus, entries: meta.entries, kernelRelease: meta.kernelRelease,
      segments: meta.segments, firstTs: meta.firstTs, lastTs: meta.lastTs,
    },
    lastTimes: order.last,
    restarted: order.restarted,
  };
}
