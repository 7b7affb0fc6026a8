// `reaplay watch`: a live trace (and kernel log) read as it arrives, replayed
// through the model as it goes; each victim's story is printed when it is settled
// and each finding once its level is decided.
import type { DataLoss, FormatName, SourceRef, StreamMeta, TraceEvent } from '../types/event.ts';
import { UserError } from '../types/errors.ts';
import { formatSourceRef } from '../types/source-ref.ts';
import type { Finding, Level } from '../findings/finding.ts';
import type { Capabilities } from '../replay/capabilities.ts';
import { newContext, parseInputs } from '../ingest/parse-inputs.ts';
import { ingestFilter } from '../replay/needs.ts';
import { detectorNeeds } from '../replay/detectors/index.ts';
import { LineSource } from './line-source.ts';
import { TimeMerge } from './merge.ts';
import { createWatchModel, type Decided, type SettledVictim } from './model-adapter.ts';
import { findingLines } from '../report/story.ts';
import { formatNs } from '../../parsers/common/timestamp.ts';

export interface WatchInput {
  /** Name used in evidence (`file:line`). */
  name: string;
  chunks: AsyncIterable<Buffer>;
  /** False for a finished file read to its end: the other inputs wait for it, it is never taken as quiet. */
  live?: boolean;
}

export type Emitted = { type: 'victim'; victim: SettledVictim } | { type: 'finding'; finding: Finding };

export interface WatchOptions {
  trace: WatchInput;
  kernelLog?: WatchInput;
  /** kprobe_events files: read first, they name the kprobe events of the trace. */
  kprobeDefs?: string[];
  format?: FormatName;
  kernel?: string;
  capabilities?: Partial<Capabilities>;
  json?: boolean;
  /** Stop with exit code 1 at the first finding of this level or higher the model does not expect. */
  exitOn?: 'proven' | 'suggested';
  out: NodeJS.WritableStream & { isTTY?: boolean };
  /** Minutes between summary lines (only when `out` is a TTY); 0 for none. */
  summaryEveryMin?: number;
  /** Told of every emission with the trace input's byte position at that moment. */
  onEmit?: (e: Emitted, tracePosition: number) => void;
  /** Stops the inputs (follow, stdin) when aborted. */
  signal?: AbortSignal;
  /** Told of the model's figures after each judgement (events held, victims open). */
  onStats?: (s: ReturnType<ReturnType<typeof createWatchModel>['stats']>) => void;
  /** Events held at most, and how far back other tasks' events are kept when that is reached (see model-adapter.ts). */
  windowLimits?: { maxEvents?: number; keepRecentNs?: bigint };
}

/** `dmesg -w` prints a line within milliseconds of it: past this, a quiet kernel log holds the trace back no longer. */
const KERNEL_LOG_LAG_NS = 1_000_000_000n;
/** ... once it has delivered nothing for this long on the wall clock (a recorded log replayed beside its trace is waited for). */
const KERNEL_LOG_QUIET_MS = 1000;
/** Bytes of input handed on between two judgements at most. */
const PUMP_BYTES = 256 * 1024;
/** Wall-clock wait before judging what a quiet input left pending. */
const IDLE_JUDGE_MS = 100;
const RANK: Record<Level, number> = { inconclusive: 0, suggested: 1, proven: 2 };
const json = (v: unknown): string => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));

export async function runWatch(o: WatchOptions): Promise<number> {
  const ctx = newContext(ingestFilter(detectorNeeds()));
  const inputs: StreamMeta[] = [];
  if (o.kprobeDefs?.length) inputs.push(...(await parseInputs(o.kprobeDefs, { context: ctx, format: 'kprobe-events', onEvent: () => undefined })).inputs);
  const model = createWatchModel({ ctx, inputs, kernel: o.kernel, capabilities: o.capabilities, maxWindowEvents: o.windowLimits?.maxEvents, keepRecentNs: o.windowLimits?.keepRecentNs });
  const merge = new TimeMerge();
  let exitCode = 0;
  let stopped = false;
  const stop = new AbortController();
  o.signal?.addEventListener('abort', () => stop.abort());

  /** Where an input began another trace (a second header, a new boot): watch judges one capture and stops there. */
  let cutAt: SourceRef | undefined;
  const sources: { src: LineSource; lane: number; input: WatchInput; format?: FormatName }[] = [];
  const addSource = (input: WatchInput, format?: FormatName, maxLag?: bigint): LineSource => {
    const lane = input.live === false ? merge.addLane() : merge.addLane(maxLag, KERNEL_LOG_QUIET_MS);
    const src = new LineSource(input.name, ctx, {
      event: (ev: TraceEvent) => {
        if (cutAt) return;
        // Its events are on another clock, maybe another kernel's: never merged with the capture above.
        if (src.meta.segments > 1) cutAt = [...ctx.diag.kept].reverse().find((d) => d.code === 'second_header' && d.src?.file === input.name)?.src ?? ev.src;
        else merge.push(lane, ev);
      },
      loss: (l: DataLoss) => model.loss(l),
    }, format);
    inputs.push(src.meta);
    sources.push({ src, lane, input, format });
    return src;
  };
  const traceSrc = addSource(o.trace, o.format);
  if (o.kernelLog) addSource(o.kernelLog, 'kernel-log', KERNEL_LOG_LAG_NS);

  const emit = (d: Decided): void => {
    for (const v of d.victims) {
      o.onEmit?.({ type: 'victim', victim: v }, traceSrc.position);
      o.out.write(o.json ? json({ type: 'victim', settledBy: v.settledBy, ...(v.update ? { update: true } : {}), ...v.summary }) + '\n' : [...(v.update ? [`update of victim ${v.pid}:`] : []), ...v.story, ''].join('\n') + '\n');
    }
    for (const f of d.findings) {
      o.onEmit?.({ type: 'finding', finding: f }, traceSrc.position);
      o.out.write(o.json ? json({ type: 'finding', ...f }) + '\n' : [...findingLines(f), ''].join('\n') + '\n');
      if (o.exitOn && !f.expected && RANK[f.level] >= RANK[o.exitOn] && !stopped) {
        stopped = true;
        exitCode = 1;
        stop.abort();
      }
    }
  };
  // When judging waits for more events and none come (a live input gone quiet), judge anyway.
  let idle: NodeJS.Timeout | undefined;
  /** Events held for a kernel log that may go quiet: drained again once it has been quiet long enough. */
  let held: NodeJS.Timeout | undefined;
  let lastPump = performance.now();
  const pump = (): void => {
    lastPump = performance.now();
    for (const ev of merge.drain()) model.feed(ev);
    if (merge.pending > 0 && !held && !stopped) {
      held = setTimeout(() => {
        held = undefined;
        pump();
      }, KERNEL_LOG_QUIET_MS);
      held.unref();
    }
    if (model.due && !stopped) {
      emit(model.settle());
      o.onStats?.(model.stats());
    }
    if (model.waiting && !idle && !stopped) {
      idle = setTimeout(() => {
        idle = undefined;
        if (!model.waiting || stopped) return;
        // Only an input quiet for that long has its held-back events stepped (a busy one sends more).
        if (performance.now() - lastPump >= IDLE_JUDGE_MS / 2) model.flush();
        emit(model.settle());
      }, IDLE_JUDGE_MS);
      idle.unref();
    }
  };

  let timer: NodeJS.Timeout | undefined;
  if (o.out.isTTY && (o.summaryEveryMin ?? 0) > 0) {
    timer = setInterval(() => o.out.write(summaryLine(model.stats(), inputs) + '\n'), o.summaryEveryMin! * 60_000);
    timer.unref();
  }
  try {
    await Promise.all(
      sources.map(async (s) => {
        const it = s.input.chunks[Symbol.asyncIterator]();
        for (;;) {
          const r = await nextOrStop(it, stop.signal);
          if (r.done || stopped || cutAt) break;
          merge.touch(s.lane);
          // A large chunk (a reader that fell behind gets everything buffered at once) is
          // judged piece by piece: what it decides is told at the point it is decided.
          for (let i = 0; i < r.value.length && !stopped && !cutAt; i += PUMP_BYTES) {
            s.src.write(i === 0 && r.value.length <= PUMP_BYTES ? r.value : r.value.subarray(i, i + PUMP_BYTES));
            pump();
          }
        }
        void it.return?.(undefined);
        s.src.end();
        merge.close(s.lane);
        pump();
      }),
    );
    if (!stopped) {
      for (const ev of merge.drain()) model.feed(ev);
      emit(model.end());
    }
    if (cutAt && !stopped) {
      throw new UserError(
        `${formatSourceRef(cutAt)} begins another trace (a second header or a new boot): watch judges one capture, and what came before was judged as a whole trace; run reaplay check on the file, which replays each capture apart`,
        'mixed_captures',
      );
    }
  } finally {
    if (timer) clearInterval(timer);
    if (idle) clearTimeout(idle);
    if (held) clearTimeout(held);
  }
  return exitCode;
}

/**
 * The next chunk, or done when `signal` aborts first. The abort listener is removed
 * after each chunk: a Promise.race against one long-lived promise would keep every
 * chunk reachable from it for the whole run.
 */
function nextOrStop(it: AsyncIterator<Buffer>, signal: AbortSignal): Promise<IteratorResult<Buffer>> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return resolve({ done: true, value: undefined });
    const onAbort = (): void => resolve({ done: true, value: undefined });
    signal.addEventListener('abort', onAbort, { once: true });
    it.next().then(
      (r) => {
        signal.removeEventListener('abort', onAbort);
        resolve(r);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

export function summaryLine(s: ReturnType<ReturnType<typeof createWatchModel>['stats']>, inputs: StreamMeta[]): string {
  const lost = inputs.reduce((n, m) => n + m.losses.length, 0);
  const rss = Math.round(process.memoryUsage().rss / 1e6);
  return `watch: trace time ${s.lastTs !== undefined ? formatNs(s.lastTs) : '-'}, ${inputs.reduce((n, m) => n + m.lines, 0)} lines, ${s.victims} victim(s) settled, ${s.openVictims} open, ${s.findings} finding(s), ${s.windowEvents} events held${lost ? `, ${lost} data-loss marker(s)` : ''}, RSS ${rss} MB`;
}
