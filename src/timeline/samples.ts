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

/**
 * A list of samples. Either its own (`push`), or a selection of another list's samples
 * (`pushLastOf`: a victim's held samples are some of its anon samples, kept once), until
 * that list goes (`detach`).
 */
export class Samples implements Iterable<Sample> {
  private events = new EventColumns();
  private source?: EventColumns;
  private picked: number[] = [];

  /** A sample's event: one whose `size` field is a number (an rss_stat). */
  push(ev: TraceEvent): void {
    if (typeof ev.fields?.size !== 'number') throw new TypeError(`${ev.name} is not a memory sample`);
    if (this.source) throw new Error('a selection of samples takes no samples of its own');
    this.events.push(ev);
  }

  /** The sample `from` took last is one of these too: referred to, not copied (copied when this list is its own or selects from another). */
  pushLastOf(from: Samples): void {
    const last = from.length - 1;
    if (from.source || (this.source !== from.events && (this.source !== undefined || this.events.length))) {
      this.detach();
      this.push(from.at(last)!.ev);
      return;
    }
    this.source = from.events;
    this.picked.push(last);
  }

  /** The list this one selects from goes: keep the samples it selected. */
  detach(): void {
    const source = this.source;
    if (!source) return;
    this.source = undefined;
    for (const i of this.picked) this.events.push(source.at(i));
    this.picked = [];
  }

  /** No more samples will come: give back the room kept for them. */
  trim(): void {
    this.events.trim();
  }

  get length(): number {
    return this.source ? this.picked.length : this.events.length;
  }

  /** Sample `i`, from the end when negative (as Array.prototype.at). */
  at(i: number): Sample | undefined {
    const k = i < 0 ? this.length + i : i;
    if (k < 0 || k >= this.length) return undefined;
    const ev = this.source ? this.source.at(this.picked[k]!) : this.events.at(k);
    return { ts: ev.ts, bytes: ev.fields!.size as number, ev };
  }

  *[Symbol.iterator](): Iterator<Sample> {
    const source = this.source;
    if (source) {
      for (const i of this.picked) {
        const [ts, bytes] = source.sample(i);
        yield new PackedSample(ts, bytes, source, i);
      }
      return;
    }
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
}
