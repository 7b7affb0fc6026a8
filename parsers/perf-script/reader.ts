// Line reader for `perf script` text. Event lines go through the byte scanner and
// only wanted events become strings. A wanted event is held back until the next
// line shows it is complete: printk:console text can run on over raw lines.
import { isUtf8 } from 'node:buffer';
import type { DataLoss, SourceRef, StreamMeta, TraceEvent } from '../../src/types/event.ts';
import type { LineReader, ParseContext, ReaderSink } from '../importer.ts';
import { tsToNs } from '../common/timestamp.ts';
import { hasControlBytes, LineKind, newPerfLine, scanPerfLine, startsWith } from './line.ts';
import { NameCache, type NameSlot } from '../common/name-cache.ts';
import { isSnipLine } from '../ftrace-text/markers.ts';

const LOST = Buffer.from('PERF_RECORD_LOST', 'latin1');
const LOST_COUNT = Buffer.from(' lost ', 'latin1');
const SP = 32;

export class PerfScriptReader implements LineReader {
  private readonly h = newPerfLine();
  private readonly names: NameCache;
  private pending: TraceEvent | undefined;
  /** The last event line (wanted or not) is of a kind whose text may go on over raw lines. */
  private multiline = false;
  /** Indented lines after an event line may be its callchain (`perf script` of samples, `-G`). */
  private chain = false;
  /** Empty lines inside a possible continuation: kept only if more of its text follows. */
  private blanks = 0;
  private readonly lastSecs: number[] = [];
  private readonly lastNanos: number[] = [];
  /** Losses waiting for the next event on their CPU to give them a time. */
  private readonly openLoss = new Map<number, DataLoss>();

  constructor(
    private readonly ctx: ParseContext,
    private readonly meta: StreamMeta,
    private readonly sink: ReaderSink,
  ) {
    this.names = new NameCache(ctx.names, 'full');
  }

  line(buf: Buffer, start: number, end: number, lineNo: number, offset: number, last: boolean): void {
    if (start === end) {
      // A blank line ends a sample's callchain.
      this.chain = false;
      if (this.multiline) this.blanks++;
      return;
    }
    const kind = scanPerfLine(buf, start, end, this.h);
    if (kind === LineKind.Event) this.event(buf, end, lineNo, offset);
    else if (kind === LineKind.Record) this.record(buf, this.h.nameStart, end, this.h.cpu, lineNo, offset);
    else this.other(buf, start, end, lineNo, offset, last);
  }

  end(): void {
    this.flush();
  }

  //           victim   384 [001]    12.455582:           oom:mark_victim: pid=384
  private event(buf: Buffer, end: number, lineNo: number, offset: number): void {
    const slot = this.names.lookup(buf, this.h.nameStart, this.h.nameEnd);
    let ev: TraceEvent | undefined;
    if (slot.entry.wanted) {
      ev = this.build(buf, end, slot, lineNo, offset);
      if (!ev) return;
    }
    slot.entry.count++;
    this.flush();
    this.chain = true;
    this.multiline = slot.multiline;
    this.blanks = 0;
    this.checkOrder(lineNo, offset);
    this.pending = ev;
  }

  /** The TraceEvent of a wanted line; undefined (and `binary_data`) if the line holds NUL bytes. */
  private build(buf: Buffer, end: number, slot: NameSlot, lineNo: number, offset: number): TraceEvent | undefined {
    const h = this.h;
    const src = this.src(lineNo, offset);
    const comm = buf.toString('utf8', h.commStart, h.commEnd);
    const text = buf.toString('utf8', h.textStart, end);
    // perf prints comm and text with %s, so a NUL can only come from damage. Other control
    // bytes are kept: comm is attacker-controlled and must not be able to hide its events.
    if (comm.includes('\0') || text.includes('\0')) {
      this.flush();
      this.binary(src);
      return undefined;
    }
    if (comm.includes('\uFFFD') && !isUtf8(buf.subarray(h.commStart, h.commEnd))) {
      this.ctx.diag.add('invalid_utf8', src, 'comm');
    }
    if (text.includes('\uFFFD') && !isUtf8(buf.subarray(h.textStart, end))) {
      this.ctx.diag.add('invalid_utf8', src, 'text');
    }
    const ev: TraceEvent = { ts: tsToNs(h.ts), cpu: h.cpu, pid: h.tid, comm, name: slot.entry.full, text, src };
    if (h.hasTgid) ev.tgid = h.tgid;
    return ev;
  }

  /** Per-CPU time order (numbers, not bigints: this runs for every event line). */
  private checkOrder(lineNo: number, offset: number): void {
    const { cpu, ts } = this.h;
    // A loss on no particular CPU (a paste's snip) is timed by the next event of any CPU.
    const any = this.openLoss.get(-1);
    if (any) {
      any.ts = tsToNs(ts);
      this.openLoss.delete(-1);
    }
    if (cpu < 0) return;
    const ps = this.lastSecs[cpu];
    if (ps !== undefined && (ts.secs < ps || (ts.secs === ps && ts.nanos < this.lastNanos[cpu]!))) {
      this.ctx.diag.add('time_backwards', this.src(lineNo, offset), `CPU ${cpu}`);
    }
    this.lastSecs[cpu] = ts.secs;
    this.lastNanos[cpu] = ts.nanos;
    if (this.openLoss.size > 0) {
      const loss = this.openLoss.get(cpu);
      if (loss) {
        loss.ts = tsToNs(ts);
        this.openLoss.delete(cpu);
      }
    }
  }

  //             perf  1234 [002]  1234.567890: PERF_RECORD_LOST lost 17   (--show-lost-events)
  private record(buf: Buffer, i: number, end: number, cpu: number, lineNo: number, offset: number): void {
    this.flush();
    this.multiline = false;
    this.blanks = 0;
    // Other side records (task and mmap events) carry no trace event.
    if (!startsWith(buf, i, end, LOST)) return;
    const src = this.src(lineNo, offset);
    let count: number | undefined;
    const at = buf.subarray(i, end).indexOf(LOST_COUNT);
    if (at >= 0) {
      let n = 0;
      let k = i + at + LOST_COUNT.length;
      const d0 = k;
      for (; k < end && buf[k]! >= 48 && buf[k]! <= 57; k++) n = n * 10 + (buf[k]! - 48);
      if (k > d0) count = n;
    }
    const loss: DataLoss = { kind: 'lost_events', cpu, src };
    if (count !== undefined) loss.count = count;
    if (cpu >= 0) this.openLoss.set(cpu, loss);
    this.meta.losses.push(loss);
    this.sink.loss(loss);
    this.ctx.diag.add('lost_events', src, `CPU ${cpu}${count !== undefined ? `, ${count} events` : ''}`);
  }

  // Not an event line, e.g. a continuation of `printk:console: anon 66625536`:
  // file 0
  private other(buf: Buffer, start: number, end: number, lineNo: number, offset: number, last: boolean): void {
    const src = this.src(lineNo, offset);
    if (hasControlBytes(buf, start, end)) {
      this.flush();
      this.binary(src);
      return;
    }
    let i = start;
    while (i < end && (buf[i] === SP || buf[i] === 9)) i++;
    // `# ========` header of `perf script --header`, and other comment lines.
    if (i === start && buf[i] === 35) return;
    // A callchain frame under a sample event: `\tffffffff8123abcd clear_page_erms+0x7 ([kernel.kallsyms])`.
    if (i > start && this.chain && isFrame(buf, i, end)) {
      const frame = buf.toString('utf8', i, end);
      if (this.pending) (this.pending.stack ??= []).push(frame);
      return;
    }
    if (i === start && isSnipLine(buf.toString('latin1', start, end))) {
      // Lines cut out of a paste: events of every CPU may be missing here.
      this.flush();
      const loss: DataLoss = { kind: 'events_dropped', cpu: -1, src };
      this.openLoss.set(-1, loss);
      this.meta.losses.push(loss);
      this.sink.loss(loss);
      this.ctx.diag.add('events_dropped', src, 'lines cut out of the paste');
      return;
    }
    // perf prints a lost record bare when it cannot tell which event it belongs to.
    if (startsWith(buf, i, end, LOST)) {
      this.record(buf, i, end, -1, lineNo, offset);
      return;
    }
    // perf ends every line with a newline: an unterminated one is cut, not a continuation.
    if (!last && this.multiline) {
      this.ctx.diag.add('continuation_line', src);
      const text = buf.toString('utf8', start, end);
      if (text.includes('\uFFFD') && !isUtf8(buf.subarray(start, end))) this.ctx.diag.add('invalid_utf8', src, 'text');
      if (this.pending) this.pending.text += '\n'.repeat(this.blanks + 1) + text;
      this.blanks = 0;
      return;
    }
    this.flush();
    this.multiline = false;
    this.blanks = 0;
    const shown = JSON.stringify(buf.toString('latin1', start, Math.min(end, start + 80)));
    this.ctx.diag.add(last ? 'truncated_line' : 'malformed_line', src, shown);
  }

  private binary(src: SourceRef): void {
    this.multiline = false;
    this.blanks = 0;
    this.ctx.diag.add('binary_data', src);
  }

  private src(line: number, offset: number): SourceRef {
    return { file: this.meta.file, line, offset };
  }

  private flush(): void {
    const ev = this.pending;
    if (ev) {
      this.pending = undefined;
      this.sink.event(ev);
    }
  }
}

/** A callchain frame: a hex address, then a space (symbol and dso follow) or the end. */
function isFrame(buf: Buffer, i: number, end: number): boolean {
  let k = i;
  while (k < end) {
    const c = buf[k]!;
    if ((c >= 48 && c <= 57) || (c >= 97 && c <= 102)) k++;
    else break;
  }
  return k - i >= 4 && (k === end || buf[k] === SP);
}
