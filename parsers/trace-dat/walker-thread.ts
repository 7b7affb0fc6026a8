// Walker thread body: opens the trace.dat itself, decodes and walks its CPUs' chunks
// (the same CpuStream as the main thread's), and sends each CPU's wanted records,
// losses and damage in batches. At most MAX_OUT batches of a CPU wait unread at the
// main thread: memory stays bounded when the main thread is the slower one.
import { parentPort } from 'node:worker_threads';
import type { DataLoss } from '../../src/types/event.ts';
import { FileSource } from '../common/byte-source.ts';
import { zstdReady } from '../common/zstd.ts';
import { CpuStream, type Item, type RecordTarget } from './cpu-stream.ts';
import { warmWalk } from './walk-warmup.ts';
import { DAMAGE, EVENT, LOST, MAX_OUT, RESOLVE, ROW, type WalkerBatch, type WalkerStart } from './walker-protocol.ts';

const MAX_ITEMS = 4096;
const MAX_PAYLOAD = 256 << 10;
/** A batch with items goes once its stream has loaded this many chunks since it began. */
const FILLS_PER_BATCH = 32;

class Batch {
  items = new Float64Array(256 * ROW);
  n = 0;
  payload = new Uint8Array(16 << 10);
  used = 0;
  notes: string[] = [];
  constructor(readonly fills: number) {}

  row(kind: number, ts: number, a: number, at: number, b: number, record: number, page: number, offset: number): void {
    const r = this.n++ * ROW;
    if (r === this.items.length) {
      const grown = new Float64Array(this.items.length * 2);
      grown.set(this.items);
      this.items = grown;
    }
    const it = this.items;
    it[r] = kind;
    it[r + 1] = ts;
    it[r + 2] = a;
    it[r + 3] = at;
    it[r + 4] = b;
    it[r + 5] = record;
    it[r + 6] = page;
    it[r + 7] = offset;
  }

  bytes(b: Uint8Array, base: number, len: number): number {
    if (this.used + len > this.payload.length) {
      const grown = new Uint8Array(Math.max(this.payload.length * 2, this.used + len));
      grown.set(this.payload.subarray(0, this.used));
      this.payload = grown;
    }
    const at = this.used;
    const out = this.payload;
    // Most payloads are a few dozen bytes (rss_stat's 40): a loop costs less than a subarray and a set.
    if (len <= 64) for (let i = 0; i < len; i++) out[at + i] = b[base + i]!;
    else out.set(b.subarray(base, base + len), at);
    this.used += len;
    return at;
  }

  get full(): boolean {
    return this.n === MAX_ITEMS || this.used >= MAX_PAYLOAD;
  }
}

const NO_ITEM: Item = { ts: 0 };

/** Atomics.waitAsync (Node 16+; in TypeScript's lib from ES2024 on). */
interface AtomicsWaitAsync {
  waitAsync(a: Int32Array, index: number, value: number): { value: Promise<string> | string };
}

class PackTarget implements RecordTarget {
  readonly counts = new Uint32Array(65536);
  batch!: Batch;
  private unresolved = false;
  constructor(readonly state: Uint8Array) {}

  wanted(): boolean {
    // Resolved by the main thread, which counts the record then.
    this.unresolved = true;
    return true;
  }

  item(type: number, b: Uint8Array, _v: DataView, base: number, len: number, ts: number, _cpu: number, offset: number, record: number, page: number): Item {
    const batch = this.batch;
    const at = batch.bytes(b, base, len);
    batch.row(this.unresolved ? RESOLVE : EVENT, ts, type, at, len, record, page, offset);
    this.unresolved = false;
    return NO_ITEM;
  }

  lost(ts: number, _cpu: number, offset: number, record: number, page: number, count: number): Item {
    this.batch.row(LOST, ts, count, 0, 0, record, page, offset);
    return NO_ITEM;
  }
}

const port = parentPort!;
// zstd starts while the thread waits for its plan (it may be started before the header is read).
const ready = zstdReady();
const planned = new Promise<WalkerStart>((resolve) => port.once('message', resolve));
// While the plan is on its way: the walk meets each kind of record once (walk-warmup.ts).
const warm = new PackTarget(new Uint8Array(new SharedArrayBuffer(65536)));
warm.batch = new Batch(0);
await warmWalk(warm);
const start = await planned;
await ready;
const src = await FileSource.open(start.path);
if (src.size !== start.size) throw new Error(`${start.path} changed while it was read (${start.size} bytes, now ${src.size})`);
const target = new PackTarget(new Uint8Array(start.state));
// Ended by the main thread (terminate), never by itself: a thread's exit can overtake its last messages.
port.on('message', () => undefined);
const taken = new Int32Array(start.taken);
const bell = taken.length - 1;
/** Batches sent, by stream id. */
const sent = new Map<number, number>();
const waiting = (id: number): number => sent.get(id)! - Atomics.load(taken, id);

const streams = start.streams.map((s) => {
  const cpu = s.data.cpu;
  const stream = new CpuStream({
    src, file: start.path, target, page: start.page, pageSize: s.pageSize, compression: s.compression,
    // Times are made on the main thread, from the raw ones sent.
    time: () => 0n,
    // Reported and worded by the main thread, in the merge's order.
    damage(_cpu, offset, expected, ts, ends): DataLoss {
      const b = target.batch;
      b.row(DAMAGE, ts ?? 0, b.notes.push(expected) - 1, ends ? 1 : 0, ts !== undefined ? 1 : 0, 0, 0, offset);
      return { kind: 'events_dropped', cpu, src: { file: start.path, line: 0, offset, cpu } };
    },
  }, s.data);
  sent.set(s.id, 0);
  return { id: s.id, stream, batch: new Batch(0), ended: false };
});

function send(s: (typeof streams)[number], done: boolean): void {
  const b = s.batch;
  const msg: WalkerBatch = { id: s.id, items: b.items.subarray(0, b.n * ROW), n: b.n, payload: b.payload.subarray(0, b.used), notes: b.notes };
  if (done) {
    const counts: number[] = [];
    target.counts.forEach((c, type) => {
      if (c) counts.push(type, c);
    });
    target.counts.fill(0);
    msg.done = { spanFirst: s.stream.spanFirst, spanLast: s.stream.spanLast, counts };
  }
  port.postMessage(msg, [b.items.buffer, b.payload.buffer]);
  sent.set(s.id, sent.get(s.id)! + 1);
  s.batch = new Batch(s.stream.fills);
}

/** Walks one stream until its batch is due (full, or a new chunk began) or it ends. */
async function step(s: (typeof streams)[number]): Promise<void> {
  target.batch = s.batch;
  for (;;) {
    const n = s.stream.next();
    const it = n instanceof Promise ? await n : n;
    const b = s.batch;
    if (!it) {
      s.ended = true;
      send(s, true);
      return;
    }
    if (b.full || (b.n > 0 && s.stream.fills - b.fills >= FILLS_PER_BATCH)) {
      send(s, false);
      return;
    }
  }
}

for (;;) {
  const open = streams.filter((s) => !s.ended);
  if (open.length === 0) break;
  const ring = Atomics.load(taken, bell);
  const ready = open.filter((s) => waiting(s.id) < MAX_OUT);
  if (ready.length === 0) {
    // Every stream here is far ahead of the main thread: wait for it to take a batch.
    await (Atomics as unknown as AtomicsWaitAsync).waitAsync(taken, bell, ring).value;
    continue;
  }
  for (const s of ready) await step(s);
}
await src.close();
