// Address spaces, tracked as the events go by (docs/model.md#mm). One address space goes
// by three names: the tasks that share it, the `mm` pointer the probes print and the
// `mm_id` hash kmem:rss_stat prints. The tracker binds them once, here, and gives each
// tracked address space one MmTimeline that the replay, `reaplay timeline`, the facts
// and the charts read. It is fed one event at a time and keeps only a window of the
// past (the reuse window below) for address spaces not yet tracked, so a stream can be
// replayed without keeping every event.
import type { TraceEvent } from '../types/event.ts';
import { asNs, type Ns } from '../types/time.ts';
import { EventColumns } from './event-columns.ts';

/**
 * An rss_stat mm_id hashes an address a later mm may reuse: its samples count for an
 * address space only from this long before it is tracked to this long after its release.
 */
export const MM_ID_REUSE_WINDOW_NS = 1_000_000_000n;

/**
 * A tracked address space whose mm_id is not known yet (its tasks reported none before
 * it was tracked) may learn it later, from the reaper's updates of it: until then, and
 * for at most this long, the samples of every untracked mm_id are kept from its start.
 */
const MAX_BIND_DELAY_NS = 30_000_000_000n;

/** How often (in events) the lines remembered for untracked address spaces are swept. */
const SWEEP_EVERY = 1 << 16;

/** An anon memory sample's time and size (its line is in `MmTimeline.events`). */
export interface AnonSize {
  ts: Ns;
  bytes: number;
}

const RSS = 'kmem:rss_stat';
/** Lines about a task by its pid field: the OOM killer's, the kill signal, the kernel log's. */
const aboutPid = (ev: TraceEvent): boolean => ev.name.startsWith('oom:') || ev.name === 'signal:signal_generate' || ev.name === 'printk:console';
const pidField = (ev: TraceEvent): number | undefined => (typeof ev.fields?.pid === 'number' ? ev.fields.pid : undefined);

/** One address space: its names and its events, in time order, as they were fed. */
export class MmTimeline {
  /** Every task known to share the address space (the same set the replay reads). */
  readonly tasks: Set<number>;
  mmId?: number;
  mmPtr?: string;
  /** Its events: rss_stat samples of its mm_id (packed), lines about its task, its tasks' exits. */
  events = new EventColumns();
  /** No longer collecting (MmTracker.retire): its memory went, and the reuse window after it passed. */
  retired = false;

  constructor(
    /** The task it is tracked for (a victim). */
    readonly pid: number,
    /** When it began to be tracked (the selection). */
    readonly since: bigint,
  ) {
    this.tasks = new Set([pid]);
  }

  /** Whether an event of this time and name counts, given when its memory went (if it did): samples only inside the reuse window of its mm_id. */
  private inWindow(ts: bigint, name: string, releasedAt?: bigint): boolean {
    return name !== RSS || (ts >= this.since - MM_ID_REUSE_WINDOW_NS && (releasedAt === undefined || ts <= releasedAt + MM_ID_REUSE_WINDOW_NS));
  }

  /** Its events inside the reuse window of its mm_id, given when its memory went (if it did). */
  within(releasedAt?: bigint): TraceEvent[] {
    const out: TraceEvent[] = [];
    for (const r of this.events.scan()) if (this.inWindow(r.ts, r.name, releasedAt)) out.push(this.events.at(r.i));
    return out;
  }

  /** Its anon memory sizes inside the reuse window (read without building their lines). */
  anon(releasedAt?: bigint): AnonSize[] {
    const out: AnonSize[] = [];
    for (const r of this.events.scan()) {
      if (r.name === RSS && r.type === 'MM_ANONPAGES' && !Number.isNaN(r.size) && this.inWindow(r.ts, r.name, releasedAt)) out.push({ ts: asNs(r.ts), bytes: r.size });
    }
    return out;
  }
}

export class MmTracker {
  /** Task → the mm_id it last reported as its own (rss_stat curr=1). */
  private readonly taskMm = new Map<number, number>();
  private readonly tasksByMm = new Map<number, Set<number>>();
  /** Per mm_id, and per pid, the recent lines not yet claimed by a tracked address space. */
  private readonly recentByMm = new Map<number, TraceEvent[]>();
  private readonly recentByPid = new Map<number, TraceEvent[]>();
  /** The latest tracked address space per mm_id, per task, per pid it was tracked for. */
  private readonly byMmId = new Map<number, MmTimeline>();
  private readonly byTask = new Map<number, MmTimeline[]>();
  private readonly byPid = new Map<number, MmTimeline>();
  /** Every tracked address space each task was ever part of, retired ones too, in the order tracked. */
  private readonly everByTask = new Map<number, MmTimeline[]>();
  /** Every tracked address space, in the order they were tracked. */
  readonly all: MmTimeline[] = [];
  private seen = 0;
  /** Tracked address spaces without an mm_id yet (see MAX_BIND_DELAY_NS). */
  private unbound: MmTimeline[] = [];

  /** One event, in time order: binds tasks to mm_ids and appends it where it belongs. */
  observe(ev: TraceEvent): void {
    if (++this.seen % SWEEP_EVERY === 0) this.sweep(ev.ts);
    if (ev.name === 'kmem:rss_stat') return this.onRss(ev);
    if (aboutPid(ev)) {
      const pid = pidField(ev);
      if (pid === undefined) return;
      const tl = this.byPid.get(pid);
      if (tl) tl.events.push(ev);
      else {
        const due = remember(this.recentByPid, pid, ev);
        if (due) trimBefore(due, ev.ts - MM_ID_REUSE_WINDOW_NS);
      }
      return;
    }
    if (ev.name === 'sched:sched_process_exit' || ev.name === 'mmap:exit_mmap') {
      const task = ev.name === 'sched:sched_process_exit' ? (pidField(ev) ?? ev.pid) : ev.pid;
      for (const tl of this.byTask.get(task) ?? []) tl.events.push(ev);
    }
  }

  private onRss(ev: TraceEvent): void {
    const id = ev.fields?.mm_id;
    if (typeof id !== 'number') return;
    if (ev.fields?.curr === true && ev.pid > 0) this.bindTask(ev.pid, id);
    const tl = this.byMmId.get(id);
    if (tl) tl.events.push(ev);
    else {
      const due = remember(this.recentByMm, id, ev);
      if (due) trimBefore(due, this.keepFrom(ev.ts));
    }
  }

  /** The oldest sample an untracked mm_id keeps: the reuse window, or back to an unbound address space's start. */
  private keepFrom(now: bigint): bigint {
    let from = now - MM_ID_REUSE_WINDOW_NS;
    if (this.unbound.length) this.unbound = this.unbound.filter((tl) => tl.mmId === undefined && now - tl.since <= MAX_BIND_DELAY_NS);
    for (const tl of this.unbound) if (tl.since - MM_ID_REUSE_WINDOW_NS < from) from = tl.since - MM_ID_REUSE_WINDOW_NS;
    return from;
  }

  private bindTask(task: number, id: number): void {
    const was = this.taskMm.get(task);
    if (was === id) return;
    if (was !== undefined) this.tasksByMm.get(was)?.delete(task);
    this.taskMm.set(task, id);
    let set = this.tasksByMm.get(id);
    if (!set) this.tasksByMm.set(id, (set = new Set()));
    set.add(task);
    const tl = this.byMmId.get(id);
    if (tl) this.addTask(tl, task);
  }

  private addTask(tl: MmTimeline, task: number): void {
    if (tl.tasks.has(task)) return;
    tl.tasks.add(task);
    this.index(tl, task);
  }

  /** `task` is one of `tl`'s: its exits are `tl`'s events (`byTask`), and `withTask` finds `tl`. */
  private index(tl: MmTimeline, task: number): void {
    for (const m of [this.byTask, this.everByTask]) {
      const l = m.get(task);
      if (l) l.push(tl);
      else m.set(task, [tl]);
    }
  }

  /** Track the address space of `pid` from `at` on (a selection): its mm_id and the tasks sharing it. */
  track(pid: number, at: bigint): MmTimeline {
    const tl = new MmTimeline(pid, at);
    this.all.push(tl);
    // Its own pid is among its tasks from the start (MmTimeline): indexed here, not by addTask.
    this.index(tl, pid);
    this.byPid.set(pid, tl);
    for (const e of claim(this.recentByPid, pid, at)) tl.events.push(e);
    const id = this.taskMm.get(pid);
    if (id !== undefined) this.bindMmId(tl, id);
    else this.unbound.push(tl);
    return tl;
  }

  /** Bind an mm_id to a tracked address space (its tasks' own samples, or the reaper's updates of it). */
  bindMmId(tl: MmTimeline, id: number): void {
    if (tl.mmId !== undefined) return;
    tl.mmId = id;
    this.byMmId.set(id, tl);
    for (const task of this.tasksByMm.get(id) ?? []) if (this.taskMm.get(task) === id) this.addTask(tl, task);
    const recent = claim(this.recentByMm, id, tl.since);
    if (recent.length) tl.events = EventColumns.of([...tl.events, ...recent].sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0)));
  }

  /**
   * Stop collecting for an address space whose memory went at `releasedAt`, once the trace
   * is past the reuse window after it: a later sample of its mm_id, line about its pid or
   * exit of one of its tasks is another address space's (or nothing anyone reads), so it is
   * remembered as untracked again, and the events outside the window are dropped.
   */
  retire(tl: MmTimeline, releasedAt: bigint): void {
    if (tl.retired) return;
    tl.retired = true;
    if (tl.mmId !== undefined && this.byMmId.get(tl.mmId) === tl) this.byMmId.delete(tl.mmId);
    if (this.byPid.get(tl.pid) === tl) this.byPid.delete(tl.pid);
    for (const task of tl.tasks) {
      const l = this.byTask.get(task)?.filter((x) => x !== tl);
      if (l?.length) this.byTask.set(task, l);
      else this.byTask.delete(task);
    }
    this.unbound = this.unbound.filter((x) => x !== tl);
    dropLateSamples(tl, releasedAt);
    tl.events.trim();
  }

  /** Forget remembered lines past the reuse window (tasks never tracked keep nothing). */
  private sweep(now: bigint): void {
    const byMm = this.keepFrom(now);
    for (const [k, l] of this.recentByMm) if (l[l.length - 1]!.ts < byMm) this.recentByMm.delete(k);
    for (const [k, l] of this.recentByPid) if (now - l[l.length - 1]!.ts > MM_ID_REUSE_WINDOW_NS) this.recentByPid.delete(k);
  }

  /**
   * The tracked address spaces whose tasks include `task`, retired ones too (what a loop
   * over every one would find), but those `settled` says no later event of the task can
   * concern: they leave the index for good (a pid reused by thousands of victims would
   * otherwise make each exit visit them all).
   */
  withTask(task: number, settled: (tl: MmTimeline) => boolean): readonly MmTimeline[] {
    const l = this.everByTask.get(task);
    if (!l) return [];
    let n = 0;
    for (const tl of l) if (!settled(tl)) l[n++] = tl;
    l.length = n;
    if (n === 0) this.everByTask.delete(task);
    return l;
  }

  /** The mm_id a task last reported as its own. */
  mmIdOf(task: number): number | undefined {
    return this.taskMm.get(task);
  }

  /** The latest address space tracked with this mm_id. */
  ofMmId(id: number): MmTimeline | undefined {
    return this.byMmId.get(id);
  }
}

/**
 * Keep a line for an address space not tracked yet; returns its lines when those before the
 * window are due to be dropped (trimBefore). These stay events (not packed): the window
 * bounds them, and most are dropped unread.
 */
function remember<K>(m: Map<K, TraceEvent[]>, k: K, ev: TraceEvent): TraceEvent[] | undefined {
  let l = m.get(k);
  if (!l) m.set(k, (l = []));
  l.push(ev);
  // Dropped in batches (a busy mm emits samples by the thousand per second).
  return (l.length & 63) === 0 ? l : undefined;
}

/** Drops the remembered lines before `from`. */
function trimBefore(l: TraceEvent[], from: bigint): void {
  if (l[0]!.ts >= from) return;
  let old = 0;
  while (old < l.length && l[old]!.ts < from) old++;
  l.splice(0, old);
}

/** The remembered lines of `k` inside the reuse window before `at`, taken out of the map. */
function claim<K>(m: Map<K, TraceEvent[]>, k: K, at: bigint): TraceEvent[] {
  const l = m.get(k);
  if (!l) return [];
  m.delete(k);
  return l.filter((e) => e.ts >= at - MM_ID_REUSE_WINDOW_NS);
}

/**
 * A retired address space keeps its events inside the reuse window: samples can only
 * fall outside it at the end (none came before the window when it was tracked, and it
 * is retired a little past the window after its release), so only that tail is read.
 */
function dropLateSamples(tl: MmTimeline, releasedAt: bigint): void {
  const to = releasedAt + MM_ID_REUSE_WINDOW_NS;
  let first = -1;
  for (const r of tl.events.scan()) if (r.ts > to) { first = r.i; break; }
  if (first < 0) return;
  const tail: TraceEvent[] = [];
  for (let i = first; i < tl.events.length; i++) tail.push(tl.events.at(i));
  tl.events.truncate(first);
  for (const e of tail) if (e.name !== RSS || e.ts <= to) tl.events.push(e);
}
