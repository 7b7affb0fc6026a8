// Replays the records of parsed byte ranges in file order into the run's sink,
// context and stream metadata, settling what one range could not see of the ones
// before it: line numbers, per-CPU time order at the range start, losses left open
// until the next event on their CPU, and the name counts.
import type { DataLoss, SourceRef, StreamMeta } from '../../src/types/event.ts';
import type { ParseContext, ReaderSink } from '../importer.ts';
import { EventColumnReader } from './range-events.ts';
import { Rec, type RangeResult } from './range-parse.ts';
import { tsToNs } from './timestamp.ts';

export class RangeMerger {
  private lineBase = 0;
  private readonly lastSecs: number[] = [];
  private readonly lastNanos: number[] = [];
  private readonly openLoss: (DataLoss | undefined)[] = [];

  constructor(
    private readonly ctx: ParseContext,
    private readonly meta: StreamMeta,
    private readonly sink: ReaderSink,
  ) {}

  /**
   * Source refs already moved: a loss and its diagnostic share one. An event's own is
   * made for it alone and moved directly (a weak set entry per event cost more than the
   * rest of the merge, in time and in collections).
   */
  private moved = new WeakSet<SourceRef>();

  private rebase(src: SourceRef): SourceRef {
    if (!this.moved.has(src)) {
      this.moved.add(src);
      src.line += this.lineBase;
    }
    return src;
  }

  /** Apply the next range (ranges must come in file order). */
  apply(r: RangeResult): void {
    const { ctx, meta } = this;
    for (const [full, n] of r.names) ctx.names.byFull(full).count += n;
    const cols = r.events && new EventColumnReader(r.events);
    for (const rec of r.records) {
      switch (rec.t) {
        case Rec.Events:
          for (let k = 0; k < rec.n; k++) {
            const ev = cols!.next();
            ev.src.line += this.lineBase;
            this.sink.event(ev);
          }
          break;
        case Rec.Event:
          rec.ev.src.line += this.lineBase;
          this.sink.event(rec.ev);
          break;
        case Rec.Diag:
          ctx.diag.add(rec.code, rec.src && this.rebase(rec.src), rec.detail);
          for (let k = 1; k < rec.n; k++) ctx.diag.add(rec.code);
          break;
        case Rec.Loss: {
          const l = rec.loss;
          this.rebase(l.src);
          // A loss still open at its range's end waits for the next event on its CPU.
          if (l.cpu >= 0) this.openLoss[l.cpu] = l.ts === undefined ? l : undefined;
          meta.losses.push(l);
          this.sink.loss(l);
          break;
        }
        case Rec.CpuFirst: {
          const { cpu, secs, nanos } = rec;
          const ps = this.lastSecs[cpu];
          if (rec.check && ps !== undefined && (secs < ps || (secs === ps && nanos < this.lastNanos[cpu]!))) {
            ctx.diag.add('time_backwards', this.rebase(rec.src), `CPU ${cpu}`);
          }
          const open = this.openLoss[cpu];
          if (open) {
            open.ts = tsToNs({ secs, nanos, raw: rec.raw, end: 0 });
            this.openLoss[cpu] = undefined;
          }
          break;
        }
      }
    }
    if (r.restarted) {
      this.lastSecs.length = 0;
      this.lastNanos.length = 0;
    }
    for (const [cpu, s, n] of r.lastTimes) {
      this.lastSecs[cpu] = s;
      this.lastNanos[cpu] = n;
    }
    const m = r.meta;
    meta.segments += m.segments - 1;
    meta.traceClock ??= m.traceClock;
    meta.kernelRelease ??= m.kernelRelease;
    if (m.cpus !== undefined) meta.cpus = m.cpus;
    if (m.entries !== undefined) meta.entries = m.entries;
    if (m.firstTs !== undefined && (meta.firstTs === undefined || m.firstTs < meta.firstTs)) meta.firstTs = m.firstTs;
    if (m.lastTs !== undefined && (meta.lastTs === undefined || m.lastTs > meta.lastTs)) meta.lastTs = m.lastTs;
    meta.lines += r.lines;
    meta.bytes += r.bytes;
    this.lineBase += r.lines;
  }
}
