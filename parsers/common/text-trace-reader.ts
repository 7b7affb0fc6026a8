// The line loop shared by the tracefs text and trace-cmd report readers: event
// lines through the byte scanner, everything else (headers, loss markers) through
// the format's own `other` hook, continuation lines of multi-line messages joined
// to the event they belong to, and per-CPU time order checked.
// Per event line the cost is the head scan and a name lookup by bytes; strings and
// BigInts are made only for events the filter selects.
import { isUtf8 } from 'node:buffer';
import type { DataLoss, StreamMeta, TraceEvent } from '../../src/types/event.ts';
import type { LineReader, ParseContext, ReaderSink } from '../importer.ts';
import { NameCache, type NameSlot } from './name-cache.ts';
import { bufferPrefix, commStart, hasControlBytes, looksLikeHead, newHead, scanHead } from './tracefs-line.ts';
import { tsToNs } from './timestamp.ts';
import type { SourceRef } from '../../src/types/event.ts';

export interface FormatHooks {
  paddedName: boolean;
  /** Lines may start with a buffer's or file's name (`bufferPrefix`): trace-cmd report. */
  bufferPrefix?: boolean;
  /**
   * A non-event line (header, marker). Return true if it was recognised.
   * `line` is the latin1 text of the line.
   */
  other(line: string, src: SourceRef, reader: TextTraceReader): boolean;
}

/**
 * Told of the first event line on each CPU (the first after a new trace header too):
 * a reader that parses one byte range of a file reports what it cannot check alone
 * (time order against the range before, losses left open there).
 */
export type CpuFirstHook = (cpu: number, secs: number, nanos: number, raw: boolean, checkOrder: boolean, src: SourceRef) => void;

export class TextTraceReader implements LineReader {
  private readonly head = newHead();
  private readonly names: NameCache;
  private readonly countOnly: boolean;
  private readonly padded: boolean;
  private pending: TraceEvent | undefined;
  /** The last event line's name, wanted or not, so its continuations are recognised. */
  private lastSlot: NameSlot | undefined;
  private readonly lastSecs: number[] = [];
  private readonly lastNanos: number[] = [];
  /** Losses waiting for the next event on their CPU to give them a time, by CPU. */
  private readonly openLoss: (DataLoss | undefined)[] = [];
  private openLosses = 0;
  /** Span of the selected events when they are only counted (numbers: no BigInt per line). */
  private spanSet = false;
  private firstSecs = 0;
  private firstNanos = 0;
  private firstRaw = false;
  private lastSecsSel = 0;
  private lastNanosSel = 0;
  private lastRaw = false;
  /** Selected events counted but not built (`EventNames.countOnly`). */
  countedOnly = 0;
  eventsSeen = 0;
  /** Set by a range parser; see `CpuFirstHook`. */
  onCpuFirst: CpuFirstHook | undefined;
  private readonly cpuSeen: boolean[] = [];
  /** A new trace header was met: order before it no longer applies. */
  private restarted = false;

  constructor(
    private readonly ctx: ParseContext,
    readonly meta: StreamMeta,
    private readonly sink: ReaderSink,
    private readonly hooks: FormatHooks,
  ) {
    this.names = new NameCache(ctx.names, 'short');
    this.countOnly = ctx.names.countOnly;
    this.padded = hooks.paddedName;
  }

  line(buf: Buffer, start: number, end: number, lineNo: number, offset: number, last: boolean): void {
    if (start === end) return;
    const h = this.head;
    if (scanHead(buf, start, end, h, this.padded)) {
      this.eventLine(buf, end, lineNo, offset);
      return;
    }
    const src = { file: this.meta.file, line: lineNo, offset };
    if (hasControlBytes(buf, start, end)) {
      this.ctx.diag.add('binary_data', src);
      this.lastSlot = undefined;
      return;
    }
    const text = buf.toString('latin1', start, end);
    if (this.hooks.other(text, src, this)) return;
    // A damaged event line after a console message is reported, not glued to the message.
    if (this.lastSlot?.multiline && !looksLikeHead(buf, start, end)) {
      this.ctx.diag.add('continuation_line', src);
      if (this.pending) this.pending.text += '\n' + buf.toString('utf8', start, end);
      return;
    }
    this.ctx.diag.add(last ? 'truncated_line' : 'malformed_line', src, JSON.stringify(text.slice(0, 80)));
  }

  private eventLine(buf: Buffer, end: number, lineNo: number, offset: number): void {
    const h = this.head;
    const slot = this.names.lookup(buf, h.nameStart, h.nameEnd);
    const entry = slot.entry;
    entry.count++;
    this.eventsSeen++;
    this.lastSlot = slot;
    if (this.pending !== undefined) this.flush();
    if (slot.suspect) this.ctx.diag.add('bad_event_name', { file: this.meta.file, line: lineNo, offset }, JSON.stringify(entry.full));
    const cpu = h.cpu;
    const ts = h.ts;
    const secs = ts.secs;
    const nanos = ts.nanos;
    if (this.onCpuFirst !== undefined && this.cpuSeen[cpu] !== true) {
      this.cpuSeen[cpu] = true;
      this.onCpuFirst(cpu, secs, nanos, ts.raw, !this.restarted, { file: this.meta.file, line: lineNo, offset });
    }
    const lastSecs = this.lastSecs;
    const lastNanos = this.lastNanos;
    const ps = lastSecs[cpu];
    if (ps !== undefined && (secs < ps || (secs === ps && nanos < lastNanos[cpu]!))) {
      this.ctx.diag.add('time_backwards', { file: this.meta.file, line: lineNo, offset }, `CPU ${cpu}`);
    }
    lastSecs[cpu] = secs;
    lastNanos[cpu] = nanos;
    if (ts.raw) this.meta.traceClock ??= 'counter';
    if (this.openLosses > 0) this.timeLosses(cpu);
    if (!entry.wanted) return;
    // Console text is still built when only counting: it names the kernel release.
    if (this.countOnly && !slot.multiline) {
      this.countSelected();
      return;
    }
    const p = this.hooks.bufferPrefix ? bufferPrefix(buf, h) : undefined;
    const ev: TraceEvent = {
      ts: tsToNs(ts),
      cpu,
      pid: h.pid,
      comm: this.comm(buf, lineNo, offset, p?.commFrom),
      name: entry.full,
      text: buf.toString('utf8', h.textStart, end),
      src: { file: this.meta.file, line: lineNo, offset },
    };
    // The top buffer's lines (blanks) carry no name, as in a trace.dat.
    if (p?.name) ev.src.instance = p.name;
    if (h.tgid >= 0) ev.tgid = h.tgid;
    if (h.flagsEnd > h.flagsStart) ev.flags = buf.toString('latin1', h.flagsStart, h.flagsEnd);
    this.pending = ev;
  }

  /** Losses waiting for an event on `cpu` (or on any CPU) take its time. */
  private timeLosses(cpu: number): void {
    const ts = this.head.ts;
    const loss = this.openLoss[cpu];
    if (loss) {
      loss.ts = tsToNs(ts);
      this.openLoss[cpu] = undefined;
      this.openLosses--;
    }
    // A loss on no particular CPU (a paste's snip) is timed by the next event of any CPU.
    const any = this.openLoss[-1];
    if (any) {
      any.ts = tsToNs(ts);
      this.openLoss[-1] = undefined;
      this.openLosses--;
    }
  }

  /** Count a selected event without building it, keeping the span `parse --stats` shows. */
  private countSelected(): void {
    const { secs, nanos, raw } = this.head.ts;
    this.countedOnly++;
    if (!this.spanSet || secs < this.firstSecs || (secs === this.firstSecs && nanos < this.firstNanos)) {
      this.firstSecs = secs;
      this.firstNanos = nanos;
      this.firstRaw = raw;
    }
    if (!this.spanSet || secs > this.lastSecsSel || (secs === this.lastSecsSel && nanos > this.lastNanosSel)) {
      this.lastSecsSel = secs;
      this.lastNanosSel = nanos;
      this.lastRaw = raw;
    }
    this.spanSet = true;
  }

  private comm(buf: Buffer, lineNo: number, offset: number, from?: number): string {
    const a = commStart(buf, this.head, from);
    const b = this.head.commEnd;
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
    if (!this.openLoss[cpu]) this.openLosses++;
    this.openLoss[cpu] = l;
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
    this.restarted = true;
    this.ctx.diag.add('second_header', src);
    this.lastSecs.length = 0;
    this.lastNanos.length = 0;
    this.lastSlot = undefined;
  }

  /** Per-CPU time of the last event line, and whether a new trace header restarted the order. */
  orderState(): { last: [number, number, number][]; restarted: boolean } {
    const last: [number, number, number][] = [];
    this.lastSecs.forEach((s, cpu) => last.push([cpu, s, this.lastNanos[cpu]!]));
    return { last, restarted: this.restarted };
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
    if (this.spanSet) {
      const ns = (secs: number, nanos: number, raw: boolean): bigint => tsToNs({ secs, nanos, raw, end: 0 });
      const first = ns(this.firstSecs, this.firstNanos, this.firstRaw);
      const last = ns(this.lastSecsSel, this.lastNanosSel, this.lastRaw);
      if (this.meta.firstTs === undefined || first < this.meta.firstTs) this.meta.firstTs = first;
      if (this.meta.lastTs === undefined || last > this.meta.lastTs) this.meta.lastTs = last;
    }
  }
}
