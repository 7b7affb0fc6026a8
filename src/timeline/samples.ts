// Memory samples of an address space (kmem:rss_stat), kept packed (event-columns.ts):
// an open victim's samples since its selection can run to the end of a long trace.
// Read like the array of samples they replace: find, filter, at, length, in order;
// a sample's line is built again only when its `ev` is read.
import type { TraceEvent } from '../types/event.ts';
import { EventColumns } from './event-columns.ts';

/** One sample: when, the counter's size in bytes, and the line that printed it. */
export interface Sample {
  readonly ts: bigint;
  readonly bytes: number;
  readonly ev: TraceEvent;
}

class PackedSample implements Sample {
  constructor(
    readonly ts: bigint,
    readonly bytes: number,
    private readonly events: EventColumns,
    private readonly i: number,
  ) {}

  get ev(): TraceEvent {
    return this.events.at(this.i);
  }
}

export class Samples implements Iterable<Sample> {
  private readonly events = new EventColumns();

  /** A sample's event: one whose `size` field is a number (an rss_stat). */
  push(ev: TraceEvent): void {
    if (typeof ev.fields?.size !== 'number') throw new TypeError(`${ev.name} is not a memory sample`);
    this.events.push(ev);
  }

  /** No more samples will come: give back the room kept for them. */
  trim(): void {
    this.events.trim();
  }

  get length(): number {
    return this.events.length;
  }

  /** Sample `i`, from the end when negative (as Array.prototype.at). */
  at(i: number): Sample | undefined {
    const k = i < 0 ? this.events.length + i : i;
    if (k < 0 || k >= this.events.length) return undefined;
    const ev = this.events.at(k);
    return { ts: ev.ts, bytes: ev.fields!.size as number, ev };
  }

  *[Symbol.iterator](): Iterator<Sample> {
    for (const r of this.events.scan()) yield new PackedSample(r.ts, r.size, this.events, r.i);
  }

  find(pred: (s: Sample) => boolean): Sample | undefined {
    for (const s of this) if (pred(s)) return s;
    return undefined;
  }

  filter(pred: (s: Sample) => boolean): Sample[] {
    const out: Sample[] = [];
    for (const s of this) if (pred(s)) out.push(s);
    return out;
  }

  static of(events: Iterable<TraceEvent>): Samples {
    const s = new Samples();
    for (const e of events) s.push(e);
    return s;
  }
}
