// The line loop shared by the tracefs text and trace-cmd report readers: event
// lines through the byte scanner, everything else (headers, loss markers) through
// the format's own `other` hook, continuation lines of multi-line messages joined
// to the event they belong to, and per-CPU time order checked.
import { isUtf8 } from 'node:buffer';
import type { DataLoss, StreamMeta, TraceEvent } from '../../src/types/event.ts';
import type { LineReader, ParseContext, ReaderSink } from '../importer.ts';
import type { NameEntry } from './event-names.ts';
import { hasControlBytes, newHead, scanHead } from './tracefs-line.ts';
import { tsToNs } from './timestamp.ts';
import type { SourceRef } from '../../src/types/event.ts';

/** Events whose text may carry newlines: what follows them unparsed is their continuation. */
const MULTILINE = new Set(['printk:console', 'ftrace:print', 'ftrace:bprint', 'ftrace:bputs']);

export interface FormatHooks {
  paddedName: boolean;
  /**
   * A non-event line (header, marker). Return true if it was recognised.
   * `line` is the latin1 text of the line.
   */
  other(line: string, src: SourceRef, reader: TextTraceReader): boolean;
}

export class TextTraceReader implements LineReader {
  private readonly head = newHead();
  private pending: TraceEvent | undefined;
  /** The last event line's entry, wanted or not, so its continuations are recognised. */
  private lastEntry: NameEntry | undefined;
  private readonly lastSecs: number[] = [];
  private readonly lastNanos: number[] = [];
  /** Losses waiting for the next event on their CPU to give them a time. */
  private readonly openLoss = new Map<number, DataLoss>();
  eventsSeen = 0;

  constructor(
    private readonly ctx: ParseContext,
    readonly meta: StreamMeta,
    private readonly sink: ReaderSink,
    private readonly hooks: FormatHooks,
  ) {}

  line(buf: Buffer, start: number, end: number, lineNo: number, offset: number, last: boolean): void {
    if (start === end) return;
    const h = this.head;
    if (scanHead(buf, start, end, h, this.hooks.paddedName)) {
      this.eventLine(buf, end, lineNo, offset);
      return;
    }
    const src = { file: this.meta.file, line: lineNo, offset };
    if (hasControlBytes(buf, start, end)) {
      this.ctx.diag.add('binary_data', src);
      this.lastEntry = undefined;
      return;
    }
    const text = buf.toString('latin1', start, end);
    if (this.hooks.other(text, src, this)) return;
    if (this.lastEntry && MULTILINE.has(this.lastEntry.full)) {
      this.ctx.diag.add('continuation_line', src);
      if (this.pending) this.pending.text += '\n' + buf.toString('utf8', start, end);
      return;
    }
    this.ctx.diag.add(last ? 'truncated_line' : 'malformed_line', src, JSON.stringify(text.slice(0, 80)));
  }

  private eventLine(buf: Buffer, end: number, lineNo: number, offset: number): void {
    const h = this.head;
    const entry = this.ctx.names.byShort(buf.toString('latin1', h.nameStart, h.nameEnd));
    entry.count++;
    this.eventsSeen++;
    this.lastEntry = entry;
    this.flush();
    const cpu = h.cpu;
    const ps = this.lastSecs[cpu];
    if (ps !== undefined && (h.ts.secs < ps || (h.ts.secs === ps && h.ts.nanos < this.lastNanos[cpu]!))) {
      this.ctx.diag.add('time_backwards', { file: this.meta.file, line: lineNo, offset }, `CPU ${cpu}`);
    }
    this.lastSecs[cpu] = h.ts.secs;
    this.lastNanos[cpu] = h.ts.nanos;
    if (h.ts.raw) this.meta.traceClock ??= 'counter';
    const loss = this.openLoss.get(cpu);
    if (loss) {
      loss.ts = tsToNs(h.ts);
      this.openLoss.delete(cpu);
    }
    // A loss on no particular CPU (a paste's snip) is timed by the next event of any CPU.
    const any = this.openLoss.get(-1);
    if (any) {
      any.ts = tsToNs(h.ts);
      this.openLoss.delete(-1);
    }
    if (!entry.wanted) return;
    const ev: TraceEvent = {
      ts: tsToNs(h.ts),
      cpu,
      pid: h.pid,
      comm: this.comm(buf, lineNo, offset),
      name: entry.full,
      text: buf.toString('utf8', h.textStart, end),
      src: { file: this.meta.file, line: lineNo, offset },
    };
    if (h.tgid >= 0) ev.tgid = h.tgid;
    if (h.flagsEnd > h.flagsStart) ev.flags = buf.toString('latin1', h.flagsStart, h.flagsEnd);
    this.pending = ev;
  }

  private comm(buf: Buffer, lineNo: number, offset: number): string {
    const { commStart: a, commEnd: b } = this.head;
    for (let i = a; i < b; i++) {
      if (buf[i]! >= 0x80) {
        if (!isUtf8(buf.subarray(a, b))) this.ctx.diag.add('invalid_utf8', { file: this.meta.file, line: lineNo, offset }, 'comm');
        return buf.toString('utf8', a, b);
      }
    }
    return buf.toString('latin1', a, b);
  }

  /** One ` => frame` line of a stack printed after an event (ftrace `stacktrace` option): kept with that event. */
  stackFrame(frame: string): void {
    if (this.pending) (this.pending.stack ??= []).push(frame);
  }

  /** Record a loss; its time is that of the next event on `cpu`. */
  loss(kind: 'lost_events' | 'buffer_started' | 'events_dropped', cpu: number, src: SourceRef, count?: number): void {
    this.flush();
    const l: DataLoss = { kind, cpu, src, ...(count !== undefined ? { count } : {}) };
    this.openLoss.set(cpu, l);
    this.meta.losses.push(l);
    this.sink.loss(l);
    this.ctx.diag.add(kind, src, `CPU ${cpu}${count !== undefined ? `, ${count} events` : ''}`);
  }

  /** entries-written exceeded entries-in-buffer: the oldest events (CPU unknown) were overwritten. */
  overrun(src: SourceRef, count: number): void {
    const l = { kind: 'overrun' as const, cpu: -1, src, count };
    this.meta.losses.push(l);
    this.sink.loss(l);
    this.ctx.diag.add('overrun', src, `${count} events overwritten`);
  }

  /** A new trace starts (concatenated input): per-CPU order restarts. */
  newSegment(src: SourceRef): void {
    this.flush();
    this.meta.segments++;
    this.ctx.diag.add('second_header', src);
    this.lastSecs.length = 0;
    this.lastNanos.length = 0;
    this.lastEntry = undefined;
  }

  private flush(): void {
    if (this.pending) {
      const ev = this.pending;
      this.pending = undefined;
      this.sink.event(ev);
    }
  }

  end(): void {
    this.flush();
  }
}
