// Kernel-log reader: every line is one `printk:console` event whose text is the
// message without its prefix. Time comes only from a monotonic stamp
// (`[%5lu.%06lu]`, /dev/kmsg microseconds); a line without one (plain `dmesg -t`,
// `dmesg -T`, `journalctl -k` short) gets ts = -1n, meaning "untimed": wall-clock
// times are not on the trace clock and are never converted to it.
// cpu and pid are -1 unless a printk caller id (`[T123]`, `[C1]`) names them; comm is ''.
// Kernel logs are in sequence order, not time order (CPUs stamp records a little
// out of order), so no time_backwards check is made.
import { isUtf8 } from 'node:buffer';
import type { SourceRef, StreamMeta, TraceEvent } from '../../src/types/event.ts';
import type { LineReader, ParseContext, ReaderSink } from '../importer.ts';
import type { NameEntry } from '../common/event-names.ts';
import { isAscii, scanControl, stripEscapes, unescapeKmsg } from './bytes.ts';
import { newPrefix, parsePrefix, type PrefixMode } from './line.ts';
import { isBootBanner, kernelReleaseOf } from './release.ts';

// ` SUBSYSTEM=pci` / ` DEVICE=+pci:0000:00:01.0`: dictionary lines under a /dev/kmsg record
const KMSG_DICT = /^ [A-Z0-9_]+=/;

export class KernelLogReader implements LineReader {
  private readonly entry: NameEntry;
  private readonly prefix = newPrefix();
  private readonly mode: PrefixMode = {};
  private lastWasKmsg = false;
  /** Messages since the current boot's log began (a banner after some starts a new segment). */
  private inSegment = 0;

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
    if (start === end) return;
    const src: SourceRef = { file: this.meta.file, line: lineNo, offset };
    const ctl = scanControl(buf, start, end);
    if (ctl === 'binary') {
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
    const p = this.prefix;
    const kind = parsePrefix(s, p, this.mode);
    if (kind === 'skip') return;
    if (kind === 'boot') {
      this.boundary(src);
      return;
    }
    if (kind === 'partial' && last) {
      this.ctx.diag.add('truncated_line', src, JSON.stringify(s.slice(0, 80)));
      return;
    }
    this.lastWasKmsg = p.kmsg;
    if (p.kmsg) {
      const u = unescapeKmsg(buf, start + p.start, end);
      this.message(this.text(u, 0, u.length, src), src);
    } else {
      this.message(this.text(buf, start + p.start, end, src), src);
    }
  }

  private message(text: string, src: SourceRef): void {
    if (isBootBanner(text)) this.boundary(src);
    if (this.meta.kernelRelease === undefined) {
      const r = kernelReleaseOf(text);
      if (r !== undefined) this.meta.kernelRelease = r;
    }
    this.inSegment++;
    this.entry.count++;
    if (!this.entry.wanted) return;
    const p = this.prefix;
    const ev: TraceEvent = { ts: p.ts, cpu: p.cpu, pid: p.pid, comm: '', name: this.entry.full, text, src };
    this.sink.event(ev);
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

  end(): void {}
}
