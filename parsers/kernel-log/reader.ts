// Kernel-log reader: every line is one `printk:console` event whose text is the
// message without its prefix.
//
// Time: the printk stamp (`[%5lu.%06lu]`, /dev/kmsg microseconds, the journal's
// source time) is the monotonic clock traces use. A log that has only wall-clock
// times (syslog without printk times, `dmesg -T`, journalctl short) is on a clock of
// its own: its lines get wall-clock nanoseconds and the stream is marked
// `traceClock: 'wall'`, so durations inside the log are right and merging it with a
// trace needs an anchor (src/timeline/wall-clock.ts). In a stream that has printk
// stamps, a line with only a wall time is untimed (ts = -1n). A line with no time
// at all (`dmesg -t`) is untimed.
// cpu and pid are -1 unless a printk caller id (`[T123]`, `[C1]`) names them; comm is ''.
// Kernel logs are in sequence order, not time order (CPUs stamp records a little
// out of order), so no time_backwards check is made.
//
// Pastes: a line without any prefix inside a prefixed log continues the record
// above it (a wrapped line): it is skipped with its record when that record was
// another program's, joined to it when together they make an OOM line, else kept.
// An OOM line cut short that still names a pid and comm is kept and reported.
// `(...snipped...)`, `[...]` and journald's `Missed N kernel messages` are data loss.
import { isUtf8 } from 'node:buffer';
import type { SourceRef, StreamMeta, TraceEvent } from '../../src/types/event.ts';
import type { LineReader, ParseContext, ReaderSink } from '../importer.ts';
import type { NameEntry } from '../common/event-names.ts';
import { decodePrintk } from '../common/printk-line.ts';
import { isAscii, scanControl, stripEscapes, unescapeKmsg, unescapeRsyslog } from './bytes.ts';
import { newPrefix, parsePrefix, type PrefixMode } from './line.ts';
import { isBootBanner, kernelReleaseOf } from './release.ts';
import { EXPORT_FIELD, fromFields, JSON_RECORD, parseJsonLine, type JournalRecord } from './journal-record.ts';
import { FormatHints } from './era.ts';
import { SNIP_RE } from '../ftrace-text/markers.ts';

// ` SUBSYSTEM=pci` / ` DEVICE=+pci:0000:00:01.0`: dictionary lines under a /dev/kmsg record
const KMSG_DICT = /^ [A-Z0-9_]+=/;
// journald: `Missed 4505 kernel messages` (its /dev/kmsg reader fell behind)
const JOURNAL_MISSED = /^(?:\S+ ){1,4}\S*systemd-journal(?:d)?\[\d+\]: Missed (\d+) kernel messages$/;
// The start of an OOM line: when such a message does not decode, it was cut or wrapped.
const OOM_START = /Killed process \d|Kill process \d|oom-kill:constraint=|oom_reaper: (?:reaped|unable)|invoked oom-killer: |callback failed with/;

interface Held {
  ev: TraceEvent;
  /** The wrapped tail may follow. */
  start: string;
}

export class KernelLogReader implements LineReader {
  private readonly entry: NameEntry;
  private readonly prefix = newPrefix();
  private readonly mode: PrefixMode = {};
  private lastWasKmsg = false;
  /** Messages since the current boot's log began (a banner after some starts a new segment). */
  private inSegment = 0;
  /** The stream's lines carry prefixes (syslog, journal, dmesg times). */
  private prefixedStream = false;
  /** The last record's fate: a kernel message, or another program's line (skipped). */
  private last: 'kernel' | 'skipped' | 'none' = 'none';
  private lastTs = -1n;
  /** The stream has printk stamps: wall-only lines are untimed in it. */
  private mono = false;
  private wallUsed = false;
  private held?: Held;
  /** `-o export` mode and the fields of the record being read. */
  private exportFields?: Record<string, string>;
  private exportSrc?: SourceRef;
  readonly hints = new FormatHints();

  constructor(
    private readonly ctx: ParseContext,
    private readonly meta: StreamMeta,
    private readonly sink: ReaderSink,
  ) {
    this.entry = ctx.names.byFull('printk:console');
  }

  line(buf: Buffer, start: number, end: number, lineNo: number, offset: number, last: boolean): void {
    // `\r\r\n` from serial consoles leaves a CR the splitter kept.
    while (end > start && buf[end - 1] === 13) end--;
    const src: SourceRef = { file: this.meta.file, line: lineNo, offset };
    if (this.exportFields !== undefined || (lineNo === 1 && buf.toString('latin1', start, Math.min(end, start + 9)) === '__CURSOR=')) {
      this.exportLine(buf, start, end, src);
      return;
    }
    if (start === end) return;
    const ctl = scanControl(buf, start, end);
    if (ctl === 'binary') {
      this.flush();
      this.ctx.diag.add('binary_data', src);
      this.lastWasKmsg = false;
      return;
    }
    if (ctl === 'escapes') {
      buf = stripEscapes(buf, start, end);
      start = 0;
      end = buf.length;
    }
    const s = buf.toString('latin1', start, end);
    if (this.lastWasKmsg && KMSG_DICT.test(s)) return;
    if (s.charCodeAt(0) === 123 && JSON_RECORD.test(s)) {
      const r = parseJsonLine(s);
      if (r) {
        this.record(r, src);
        return;
      }
    }
    if (SNIP_RE.test(s)) {
      this.flush();
      this.ctx.diag.add('events_dropped', src, 'lines cut out of the paste');
      this.sink.loss({ kind: 'events_dropped', cpu: -1, src, ...(this.lastTs >= 0n ? { ts: this.lastTs } : {}) });
      return;
    }
    const p = this.prefix;
    const kind = parsePrefix(s, p, this.mode);
    if (kind === 'skip') {
      this.flush();
      this.last = 'skipped';
      this.prefixedStream = true;
      const missed = JOURNAL_MISSED.exec(s);
      if (missed) {
        this.ctx.diag.add('events_dropped', src, `${missed[1]} kernel messages missed by journald`);
        this.sink.loss({ kind: 'events_dropped', cpu: -1, count: Number(missed[1]), src });
      }
      return;
    }
    if (kind === 'boot') {
      this.flush();
      this.boundary(src);
      return;
    }
    if (kind === 'partial' && last) {
      this.flush();
      this.ctx.diag.add('truncated_line', src, JSON.stringify(s.slice(0, 80)));
      return;
    }
    this.lastWasKmsg = p.kmsg;
    if (p.cutStamp) this.ctx.diag.add('continuation_line', src, 'time stamp without its "[" (paste cut at the line start)');
    let text: string;
    if (p.kmsg) {
      const u = unescapeKmsg(buf, start + p.start, end);
      text = this.text(u, 0, u.length, src);
    } else {
      text = this.text(buf, start + p.start, end, src);
      if (text.includes('#0')) text = unescapeRsyslog(text);
    }
    if (p.prefixed) {
      this.prefixedStream = true;
    } else if (this.prefixedStream) {
      // A line without a prefix in a prefixed log continues the record above it.
      if (this.last === 'skipped') return;
      if (this.rejoin(text, src)) return;
      this.flush();
      if (this.last === 'kernel') this.ctx.diag.add('continuation_line', src);
      this.message(text, src, this.lastTs);
      return;
    } else if (this.held && this.rejoin(text, src)) {
      return;
    }
    this.flush();
    this.message(text, src, this.timeOf(p.ts, p.wall, src));
  }

  /** The event time: printk stamp, else the wall clock unless the stream has printk stamps. */
  private timeOf(mono: bigint, wall: bigint, src: SourceRef): bigint {
    if (mono >= 0n) {
      if (this.wallUsed && !this.mono) this.ctx.diag.add('continuation_line', src, 'printk times after wall-clock-only lines: the log mixes clocks');
      this.mono = true;
      return mono;
    }
    if (wall >= 0n && !this.mono) {
      this.wallUsed = true;
      this.meta.traceClock = 'wall';
      return wall;
    }
    return -1n;
  }

  private record(r: JournalRecord, src: SourceRef): void {
    this.flush();
    this.prefixedStream = true;
    if (r.message === undefined) {
      this.last = 'skipped';
      return;
    }
    for (const part of r.message.split('\n')) if (part) this.message(part, src, this.timeOf(r.mono, r.wall, src));
  }

  private exportLine(buf: Buffer, start: number, end: number, src: SourceRef): void {
    const f = (this.exportFields ??= {});
    if (start === end) {
      if (Object.keys(f).length) this.record(fromFields(f), this.exportSrc ?? src);
      this.exportFields = {};
      this.exportSrc = undefined;
      return;
    }
    const m = EXPORT_FIELD.exec(buf.toString('utf8', start, end));
    if (!m) {
      // A binary field (name, then a 64-bit length and the bytes) is not read.
      this.ctx.diag.add('malformed_line', src, 'journal export field that is not KEY=value (binary field?)');
      return;
    }
    this.exportSrc ??= src;
    f[m.groups!.k!] = m.groups!.v!;
  }

  /** Joins `text` to a held OOM line cut short when together they decode. */
  private rejoin(text: string, src: SourceRef): boolean {
    const h = this.held;
    if (!h) return false;
    for (const sep of ['', ' ']) {
      const joined = h.ev.text + sep + text.trimStart();
      const f = decodePrintk(joined);
      if (f && f.kind !== 'other' && !f.cut) {
        this.held = undefined;
        this.ctx.diag.add('continuation_line', src, 'wrapped OOM line joined to the line above');
        this.emit({ ...h.ev, text: joined });
        return true;
      }
    }
    return false;
  }

  private message(text: string, src: SourceRef, ts: bigint): void {
    if (isBootBanner(text)) this.boundary(src);
    if (this.meta.kernelRelease === undefined) {
      const r = kernelReleaseOf(text);
      if (r !== undefined) this.meta.kernelRelease = r;
    }
    this.hints.see(text);
    this.inSegment++;
    this.last = 'kernel';
    if (ts >= 0n) this.lastTs = ts;
    this.entry.count++;
    if (!this.entry.wanted) return;
    const p = this.prefix;
    const ev: TraceEvent = { ts, cpu: p.cpu, pid: p.pid, comm: '', name: this.entry.full, text, src };
    if (OOM_START.test(text)) {
      const f = decodePrintk(text);
      if (f?.kind === 'other' || f?.cut) {
        // Cut or wrapped: its tail may be on the next line.
        this.held = { ev, start: text };
        return;
      }
    }
    this.emit(ev);
  }

  private emit(ev: TraceEvent): void {
    this.sink.event(ev);
  }

  /** Emits a held line as it is; a cut OOM line is reported. */
  private flush(): void {
    const h = this.held;
    if (!h) return;
    this.held = undefined;
    this.ctx.diag.add('truncated_line', h.ev.src, `OOM line cut short: ${JSON.stringify(h.ev.text.slice(-60))}`);
    this.emit(h.ev);
  }

  /** Decoded message text; bytes that are not UTF-8 become U+FFFD and are reported. */
  private text(buf: Buffer, start: number, end: number, src: SourceRef): string {
    if (isAscii(buf, start, end)) return buf.toString('latin1', start, end);
    if (!isUtf8(buf.subarray(start, end))) this.ctx.diag.add('invalid_utf8', src);
    return buf.toString('utf8', start, end);
  }

  /** A new boot's log starts (journal `-- Boot` line or banner) after messages of another. */
  private boundary(src: SourceRef): void {
    if (this.inSegment === 0) return;
    this.inSegment = 0;
    this.meta.segments++;
    this.ctx.diag.add('second_header', src);
  }

  end(): void {
    if (this.exportFields && Object.keys(this.exportFields).length) this.record(fromFields(this.exportFields), this.exportSrc!);
    this.flush();
    const family = this.hints.family();
    if (this.meta.kernelRelease === undefined && family) this.meta.kernelFamily = family;
  }
}
