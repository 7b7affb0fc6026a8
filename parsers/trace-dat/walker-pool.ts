// The main thread's side of the walker threads: starts them (a large trace.dat read
// from a file), hands each a share of the CPUs, and turns their batches back into the
// items the merge takes, building the events here (names, kprobe sites, comms and
// times are resolved in this thread, as when it walks the pages itself).
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { DataLoss } from '../../src/types/event.ts';
import type { PageLayout } from '../common/tracing-data.ts';
import type { Item, RecordTarget } from './cpu-stream.ts';
import type { Compression, CpuData } from './header.ts';
import { DAMAGE, EVENT, LOST, RESOLVE, ROW, type WalkerBatch, type WalkerStart, type WalkerStream } from './walker-protocol.ts';

/** CPU data bytes from which the pages are walked in other threads (below, a thread's start costs more than it saves). */
let walkerMinBytes = 4 << 20;

/** Tests: walk in threads from this many bytes (0: always; Infinity: never). */
export function setWalkerMinBytes(n: number): void {
  walkerMinBytes = n;
}

export function useWalkers(dataBytes: number): boolean {
  return dataBytes >= walkerMinBytes;
}

const MAX_WALKERS = 4;

/**
 * Walkers beside this thread. When it builds and judges events, one core is left to it
 * (on 2 cores, a second walker took the same wall time for 0.2 s more CPU and 20 MB);
 * when it only merges what the walkers count (`parse --stats`), every core walks.
 */
const walkerThreads = (mainIdle: boolean): number => Math.max(1, Math.min(availableParallelism() - (mainIdle ? 0 : 1), MAX_WALKERS));
const walkerUrl = new URL('./walker-thread.mjs', import.meta.url);

/** A thread started ahead of its plan; what befell it while it waited. */
interface Warm {
  w: Worker;
  broken: boolean;
}

let warm: Warm[] = [];

/**
 * Starts walker threads for a file of `size` bytes before its header is read (a thread
 * takes ~50 ms to load): the next startWalkers takes them. Idle, they do not keep the
 * process alive. `mainIdle` as startWalkers will be told; called again with more
 * threads to come, it starts the rest.
 */
export function warmWalkers(size: number, mainIdle: boolean): void {
  // Twice the threshold: a file's metadata (kallsyms alone is ~4 MB) is not CPU data, and a
  // thread started for nothing costs a small file its load time.
  if (size < 2 * walkerMinBytes) return;
  const n = walkerThreads(mainIdle) - warm.length;
  for (let i = 0; i < n; i++) {
    const t: Warm = { w: new Worker(walkerUrl), broken: false };
    const broke = (): void => {
      t.broken = true;
    };
    t.w.once('error', broke);
    t.w.once('exit', broke);
    t.w.unref();
    warm.push(t);
  }
}

/** Threads started ahead and not taken yet (tests). */
export function warmCount(): number {
  return warm.length;
}

/** A warm thread if one is sound, else a new one; warm ones left over are stopped. */
function takeWorker(last: boolean): Worker {
  let w: Worker | undefined;
  while (!w && warm.length > 0) {
    const t = warm.shift()!;
    t.w.removeAllListeners();
    if (t.broken) void t.w.terminate();
    else w = t.w;
  }
  if (last) {
    for (const t of warm) void t.w.terminate();
    warm = [];
  }
  w ??= new Worker(walkerUrl);
  w.ref();
  return w;
}

/** What the merge needs of a stream. */
export interface ItemStream {
  /** At once when the item is at hand, a promise when it must wait (for a read, or for a walker). */
  next(): Item | undefined | Promise<Item | undefined>;
  spanFirst: number;
  spanLast: number;
}

export interface RemoteEnv {
  /** Builds the items, as for pages walked in this thread. */
  target: RecordTarget;
  damage(cpu: number, offset: number, expected: string, ts: number | undefined, ends: boolean): DataLoss;
}

/** One CPU's items as a walker thread sends them. */
class RemoteStream implements ItemStream {
  spanFirst = -1;
  spanLast = -1;
  private queue: WalkerBatch[] = [];
  private cur: WalkerBatch | undefined;
  private i = 0;
  private waiting: { resolve(b: WalkerBatch): void; reject(e: Error): void } | undefined;
  private failed: Error | undefined;
  private readonly view: { bytes: Uint8Array; dv: DataView } = { bytes: new Uint8Array(0), dv: new DataView(new ArrayBuffer(0)) };

  constructor(private readonly env: RemoteEnv, readonly cpu: number, private readonly ack: () => void) {}

  push(b: WalkerBatch): void {
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w.resolve(b);
    } else this.queue.push(b);
  }

  fail(e: Error): void {
    this.failed ??= e;
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(this.failed);
  }

  /** The walker's next batch, once it comes (next() takes those already queued). */
  private arrival(): Promise<WalkerBatch> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  next(): Item | undefined | Promise<Item | undefined> {
    for (;;) {
      const cur = this.cur;
      if (cur && this.i < cur.n) {
        const it = this.decode(cur, this.i++ * ROW);
        if (it) return it;
        continue;
      }
      if (cur?.done) {
        this.finish(cur.done);
        this.cur = undefined;
        return undefined;
      }
      if (cur === undefined && this.ended) return undefined;
      const b = this.queue.shift();
      if (!b) return this.nextBatch();
      this.open(b);
    }
  }

  /** Waits for the walker's next batch, then goes on. */
  private async nextBatch(): Promise<Item | undefined> {
    this.open(await this.arrival());
    return this.next();
  }

  private open(b: WalkerBatch): void {
    this.ack();
    this.cur = b;
    this.i = 0;
    this.view.bytes = b.payload;
    this.view.dv = new DataView(b.payload.buffer, b.payload.byteOffset, b.payload.byteLength);
  }

  private ended = false;

  private finish(done: NonNullable<WalkerBatch['done']>): void {
    this.ended = true;
    const c = this.env.target.counts;
    for (let k = 0; k < done.counts.length; k += 2) c[done.counts[k]!]! += done.counts[k + 1]!;
    // The walker's span of only-counted records, with those resolved here.
    if (done.spanFirst >= 0) {
      if (this.spanFirst < 0 || done.spanFirst < this.spanFirst) this.spanFirst = done.spanFirst;
      if (this.spanLast < 0 || done.spanLast > this.spanLast) this.spanLast = done.spanLast;
    }
  }

  private decode(b: WalkerBatch, r: number): Item | undefined {
    const it = b.items;
    const kind = it[r]!;
    const ts = it[r + 1]!;
    const target = this.env.target;
    if (kind === EVENT || kind === RESOLVE) {
      const type = it[r + 2]!;
      const at = it[r + 3]!;
      const len = it[r + 4]!;
      const { bytes, dv } = this.view;
      if (kind === RESOLVE && !target.wanted(type, bytes, at, len)) {
        if (target.state[type] === 3) {
          if (this.spanFirst < 0) this.spanFirst = ts;
          this.spanLast = ts;
        }
        return undefined;
      }
      return target.item(type, bytes, dv, at, len, ts, this.cpu, it[r + 7]!, it[r + 5]!, it[r + 6]!, true);
    }
    if (kind === LOST) return target.lost(ts, this.cpu, it[r + 7]!, it[r + 5]!, it[r + 6]!, it[r + 2]!);
    if (kind === DAMAGE) return { ts, loss: this.env.damage(this.cpu, it[r + 7]!, b.notes[it[r + 2]!]!, it[r + 4] ? ts : undefined, it[r + 3] === 1) };
    throw new Error(`walker item of unknown kind ${kind}`);
  }
}

export interface WalkerPlan {
  path: string;
  /** The size this thread saw: a walker that finds another (the file changed) stops. */
  size: number;
  page: PageLayout;
  streams: { data: CpuData; pageSize: number; compression: Compression | undefined; env: RemoteEnv }[];
  /** This thread builds no event from the walkers' records: it merges their counts. */
  onlyCounts: boolean;
}

/** Walker threads for `plan.streams` (in merge order); their streams, and a close that stops them. */
export function startWalkers(plan: WalkerPlan, state: Uint8Array): { streams: ItemStream[]; close(): Promise<void> } {
  const n = Math.min(plan.streams.length, walkerThreads(plan.onlyCounts));
  const shares: WalkerStream[][] = Array.from({ length: n }, () => []);
  plan.streams.forEach((s, id) => shares[id % n]!.push({ id, data: s.data, pageSize: s.pageSize, compression: s.compression }));
  const workers: Worker[] = [];
  const remotes: RemoteStream[] = new Array(plan.streams.length);
  const taken = new Int32Array(new SharedArrayBuffer(4 * (plan.streams.length + 1)));
  const bell = plan.streams.length;
  const ack = (id: number) => (): void => {
    Atomics.add(taken, id, 1);
    Atomics.add(taken, bell, 1);
    Atomics.notify(taken, bell);
  };
  for (const [k, share] of shares.entries()) {
    const w = takeWorker(k === shares.length - 1);
    workers.push(w);
    for (const s of share) remotes[s.id] = new RemoteStream(plan.streams[s.id]!.env, s.data.cpu, ack(s.id));
    const fail = (e: Error): void => share.forEach((s) => remotes[s.id]!.fail(e));
    w.on('message', (b: WalkerBatch) => remotes[b.id]!.push(b));
    w.on('error', fail);
    w.on('exit', () => fail(new Error('a trace.dat walker thread stopped')));
    const start: WalkerStart = { path: plan.path, size: plan.size, page: plan.page, state: state.buffer as SharedArrayBuffer, streams: share, taken: taken.buffer as SharedArrayBuffer };
    w.postMessage(start);
  }
  return {
    streams: remotes,
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
