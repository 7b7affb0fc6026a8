// The time-ordered stream of one trace and its kernel logs, handed out while the trace
// is read: the same order and the same records as `buildLogRecords` + `mergeByTime` over
// the whole capture, with only a short window of trace time held back:
// - a trace event waits while a kernel-log line before it is still undecided (a log line
//   is a duplicate when the trace's own console copy lies within DUPLICATE_NS of it, and
//   the trace is read in time order up to REORDER_NS, so that is decided once the trace is
//   DUPLICATE_NS + REORDER_NS on);
// - a message the trace prints in KERN_CONT fragments waits for its last fragment (or
//   FRAGMENT_GAP_NS + REORDER_NS of silence; another message's first fragment ends it too),
//   and everything after it waits for the joined message;
// - a trace event out of order by less than REORDER_NS is put back in its place.
// At equal times the trace's events come first, then log records (the trace's copy
// before the log's), as the buffered merge orders them.
import type { TraceEvent } from '../types/event.ts';
import { DUPLICATE_NS, FRAGMENT_GAP_NS, isRecord, joinFragments, joined, key, startsJoin } from './log-records.ts';

/**
 * How long the trace's copies of kernel-log lines are remembered past what went out: a
 * log line drains in time order, so it can match no older copy (a live log may lag a
 * little; far more than DUPLICATE_NS is kept).
 */
const SEEN_KEEP_NS = 10_000_000_000n;

/** How far back in time a trace event may arrive and still take its place. */
export const REORDER_NS = 100_000_000n;

/** How long a kernel log's line waits for the trace's copy of it. */
const LOG_WAIT_NS = DUPLICATE_NS + REORDER_NS;

interface LogItem {
  ev: TraceEvent;
  /** The trace's own copy (kept) or a kernel log's (dropped when the trace has it too). */
  fromTrace: boolean;
  seq: number;
}

const before = (a: LogItem, b: LogItem): boolean =>
  a.ev.ts < b.ev.ts || (a.ev.ts === b.ev.ts && (a.fromTrace !== b.fromTrace ? a.fromTrace : a.seq < b.seq));

export class StreamMerger {
  /** Trace events not yet handed out, in time order from `head`. */
  private trace: TraceEvent[] = [];
  private head = 0;
  /** Log records not yet handed out, in merge order. */
  private logs: LogItem[] = [];
  private logHead = 0;
  private seq = 0;
  /** A message of the trace whose fragments are still arriving. */
  private join?: { ev: TraceEvent; text: string; lastTs: bigint };
  /** Times of the trace's copies per message, for the duplicates of the kernel logs. */
  private readonly seen = new Map<string, bigint[]>();
  /** Latest time the trace has reached. */
  private mark: bigint | undefined;
  private lastOut: bigint | undefined;
  private ended = false;
  private flushing = false;
  /** Events handed out since the trace's old copies were last forgotten. */
  private sinceForget = 0;
  /** Trace events that came later than REORDER_NS out of order (handed out late, counted). */
  lateEvents = 0;
  /** Log lines without a time (plain dmesg): kept for the story, never merged. */
  readonly untimed: TraceEvent[] = [];

  constructor(private readonly out: (ev: TraceEvent) => void) {}

  /** The kernel logs' lines (all of them, read before the trace), per file in their order. */
  setLogs(printk: readonly TraceEvent[]): void {
    const byFile = new Map<string, TraceEvent[]>();
    for (const ev of printk) {
      let l = byFile.get(ev.src.file);
      if (!l) byFile.set(ev.src.file, (l = []));
      l.push(ev);
    }
    const items: LogItem[] = [];
    for (const list of byFile.values()) {
      for (const ev of joinFragments(list)) {
        if (!isRecord(ev)) continue;
        if (ev.ts < 0n) this.untimed.push(ev);
        else items.push({ ev, fromTrace: false, seq: this.seq++ });
      }
    }
    items.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
    this.logs = items;
  }

  /** A kernel log line arriving while the trace is read (a live log, in time order). */
  pushLog(ev: TraceEvent): void {
    if (!isRecord(ev)) return;
    if (ev.ts < 0n) {
      this.untimed.push(ev);
      return;
    }
    const item: LogItem = { ev, fromTrace: false, seq: this.seq++ };
    let i = this.logs.length;
    while (i > this.logHead && before(item, this.logs[i - 1]!)) i--;
    this.logs.splice(i, 0, item);
    this.drain();
  }

  /** One event of the trace, as read. */
  push(ev: TraceEvent): void {
    if (this.mark === undefined || ev.ts > this.mark) this.mark = ev.ts;
    if (ev.name === 'printk:console') this.console(ev);
    else this.traceEvent(ev);
    // A fragment may still come out of order (REORDER_NS) after the trace moved past its gap.
    if (this.join && this.mark - this.join.lastTs > FRAGMENT_GAP_NS + REORDER_NS) this.completeJoin();
    this.drain();
  }

  /**
   * A live input gone quiet: hand out the trace's events held for late ones, then go on
   * merging. A kernel log's line still waits for the trace's copy of it (and what follows it).
   */
  flush(): void {
    if (this.join) this.completeJoin();
    this.flushing = true;
    this.drain();
    this.flushing = false;
  }

  /** Whether an event held back passes `test` (a caller asking if what it has received is complete). */
  holds(test: (ev: TraceEvent) => boolean): boolean {
    for (let i = this.head; i < this.trace.length; i++) if (test(this.trace[i]!)) return true;
    for (let i = this.logHead; i < this.logs.length; i++) if (test(this.logs[i]!.ev)) return true;
    return this.join !== undefined && test(this.join.ev);
  }

  end(): void {
    if (this.join) this.completeJoin();
    this.ended = true;
    this.drain();
  }

  private traceEvent(ev: TraceEvent): void {
    const l = this.trace;
    if (l.length === this.head || l[l.length - 1]!.ts <= ev.ts) {
      l.push(ev);
      return;
    }
    // Out of order: after the last pending event not later than it (stable, as a sort).
    let i = l.length;
    while (i > this.head && l[i - 1]!.ts > ev.ts) i--;
    if (i === this.head && this.lastOut !== undefined && ev.ts < this.lastOut) this.lateEvents++;
    l.splice(i, 0, ev);
  }

  private console(ev: TraceEvent): void {
    const j = this.join;
    if (j) {
      if (ev.pid === j.ev.pid && ev.ts - j.lastTs <= FRAGMENT_GAP_NS && !startsJoin(ev)) {
        j.text += ev.text;
        j.lastTs = ev.ts;
        if (ev.text.startsWith(',task=')) this.completeJoin();
        return;
      }
      this.completeJoin();
    }
    if (startsJoin(ev)) this.join = { ev, text: ev.text, lastTs: ev.ts };
    else this.traceRecord(ev);
  }

  private completeJoin(): void {
    const j = this.join!;
    this.join = undefined;
    this.traceRecord(joined(j.ev, j.text));
  }

  private traceRecord(ev: TraceEvent): void {
    if (!isRecord(ev)) return;
    const k = key(ev);
    const times = this.seen.get(k);
    if (times) times.push(ev.ts);
    else this.seen.set(k, [ev.ts]);
    const item: LogItem = { ev, fromTrace: true, seq: this.seq++ };
    let i = this.logs.length;
    while (i > this.logHead && before(item, this.logs[i - 1]!)) i--;
    this.logs.splice(i, 0, item);
  }

  private duplicate(ev: TraceEvent): boolean {
    const times = this.seen.get(key(ev));
    return times !== undefined && times.some((t) => (t > ev.ts ? t - ev.ts : ev.ts - t) < DUPLICATE_NS);
  }

  /** The trace's copies before `before` can match no log line still to come: forgotten (a stream of days stays bounded). */
  private forget(before: bigint): void {
    this.sinceForget = 0;
    for (const [k, times] of this.seen) {
      const keep = times.filter((t) => t >= before);
      if (!keep.length) this.seen.delete(k);
      else if (keep.length < times.length) this.seen.set(k, keep);
    }
  }

  private emit(ev: TraceEvent): void {
    this.sinceForget++;
    this.lastOut = ev.ts;
    this.out(ev);
  }

  private drain(): void {
    const mark = this.mark;
    // What came after these times may still be followed by an earlier event or a log line's
    // copy (below); each computed once, when first needed: BigInt arithmetic allocates.
    let traceEdge: bigint | undefined;
    let logEdge: bigint | undefined;
    for (;;) {
      const t = this.head < this.trace.length ? this.trace[this.head] : undefined;
      const l = this.logHead < this.logs.length ? this.logs[this.logHead] : undefined;
      const joinTs = this.join?.ev.ts;
      if (t && (!l || t.ts <= l.ev.ts)) {
        // An event may still arrive out of order before this one: wait REORDER_NS.
        if (!this.ended && !this.flushing && mark !== undefined && t.ts > (traceEdge ??= mark - REORDER_NS)) break;
        if (joinTs !== undefined && joinTs < t.ts) break;
        this.trace[this.head++] = undefined as unknown as TraceEvent;
        this.emit(t);
        continue;
      }
      if (!l) break;
      // A message still joining may be this log line's copy in the trace, or come before it.
      if (joinTs !== undefined && (joinTs < l.ev.ts || (!l.fromTrace && joinTs < l.ev.ts + DUPLICATE_NS))) break;
      // A log line waits until its copy in the trace can no longer come, even out of order.
      if (!this.ended && !(this.flushing && l.fromTrace) && (mark === undefined || l.ev.ts > (l.fromTrace ? (traceEdge ??= mark - REORDER_NS) : (logEdge ??= mark - LOG_WAIT_NS)))) break;
      this.logs[this.logHead++] = undefined as unknown as LogItem;
      if (l.fromTrace || !this.duplicate(l.ev)) this.emit(l.ev);
    }
    if (this.head > 4096 && this.head * 2 > this.trace.length) {
      this.trace = this.trace.slice(this.head);
      this.head = 0;
    }
    if (this.sinceForget > 4096 && this.lastOut !== undefined) this.forget(this.lastOut - SEEN_KEEP_NS);
    if (this.logHead > 1024 && this.logHead * 2 > this.logs.length) {
      this.logs = this.logs.slice(this.logHead);
      this.logHead = 0;
    }
  }
}
