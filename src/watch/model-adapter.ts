// Every call `watch` makes into the model goes through this file. One replay runs
// for as long as the stream does: each event is stepped once as it arrives (through
// the same time-ordered merge `check` streams through, src/timeline/stream-merge.ts),
// and at settle points the stepped state is judged as it stands (the profile resolved
// again from it, which is cheap), without re-reading any event. When a victim is settled
// is the model's rule (src/replay/settle-victim.ts). Judging a replay that goes on must
// leave it as it was: what finish() decides is put back afterwards. Once every victim
// is settled with its memory gone the replay starts afresh, which keeps memory bounded.
import type { DataLoss, StreamMeta, TraceEvent } from '../types/event.ts';
import type { Finding } from '../findings/finding.ts';
import type { ParseContext } from '../../parsers/importer.ts';
import { judge, resolve, startReplay, stepEvent, type Analysis, type AnalyzeOptions, type Replay } from '../pipeline.ts';
import type { LoadedCapture } from '../timeline/load.ts';
import type { ModelState, VictimState } from '../replay/state.ts';
import type { EventTally } from '../types/coverage.ts';
import { callOpen as openOn, settleVictim } from '../replay/settle-victim.ts';
import { finish } from '../replay/finish.ts';
import { Retention } from '../replay/retention.ts';
import { StreamMerger } from '../timeline/stream-merge.ts';
import type { VictimFacts as VictimSummary } from '../facts/types.ts';
import { victimStory } from '../report/story.ts';

export interface SettledVictim {
  pid: number;
  /** Why it is settled now: released, given up with the next selection decided, or input over. */
  settledBy: 'released' | 'gave_up_next_selected' | 'input_over' | 'window_full';
  /** A victim printed before: later events changed its story (e.g. the memory of one given up went at last). */
  update?: boolean;
  summary: Omit<VictimSummary, 'next' | 'earlier' | 'anon'>;
  /** The lines `check` prints for this victim. */
  story: string[];
}

export interface Decided {
  victims: SettledVictim[];
  findings: Finding[];
}

export interface WatchModel {
  feed(ev: TraceEvent): void;
  loss(l: DataLoss): void;
  /**
   * True when the events fed since the last settle() may settle something and enough
   * came since the last judgement (a sixteenth of the window: judging stays linear in
   * the input however large the window grows), or one second of trace time after it
   * became due (with a 256th of the window fed), or at once when the trace time a victim
   * waited for to settle is reached.
   */
  readonly due: boolean;
  /** Something may be settled, or events are held back, but judging waits for more: the caller flushes and settles later anyway (input idle). */
  readonly waiting: boolean;
  /** The input went quiet: step what the time-ordered merge holds back for late events. */
  flush(): void;
  /** Judge now: victims settled and findings decided since the last call. */
  settle(): Decided;
  /** The input is over: everything left, judged as `check` judges a whole trace. */
  end(): Decided;
  stats(): { windowEvents: number; openVictims: number; victims: number; findings: number; lastTs?: bigint };
}

/** Events that can settle a victim or decide a finding. */
const TRIGGERS = /^(oom:|sched:sched_process_(exit|free)$|mmap:exit_mmap$|printk:console$|signal:signal_generate$)/;
/** Without any victim, events older than this are dropped (rss bindings, pending kill lines need only the recent past). */
const IDLE_KEEP_NS = 60_000_000_000n;
/** Judging waits for more events this long in trace time at most. */
const DECIDE_WITHIN_NS = 1_000_000_000n;

const srcKey = (s: { file: string; line: number }): string => `${s.file}:${s.line}`;
const victimKey = (v: VictimState): string => `${v.pid}|${srcKey(v.mark.src)}`;
const findingKey = (f: Finding): string =>
  `${f.rule}|${f.victim?.pid ?? ''}|${f.notifier ?? ''}|${f.evidence[0] ? srcKey(f.evidence[0].src) : ''}`;

export interface ModelAdapterOptions extends Pick<AnalyzeOptions, 'kernel' | 'capabilities'> {
  ctx: ParseContext;
  inputs: StreamMeta[];
  /**
   * Events held at most: past this (a victim whose memory is never seen going keeps its
   * window open) everything held is judged as at the end of a trace and dropped.
   */
  maxWindowEvents?: number;
  /** When the window is full, events of other tasks are kept this far back (default one minute). */
  keepRecentNs?: bigint;
}

const MAX_WINDOW_EVENTS = 1_000_000;

/** The replay since it last started afresh, and what the phases after it read. */
interface Run {
  /** Until a readable mark_victim is stepped, one replay for each answer to "was it traced" (as the streaming check does). */
  replays: Replay[];
  retained: Retention;
  delivered: Map<string, EventTally>;
  /** The events stepped, kept only to start afresh from part of them (a full window, an idle stream). */
  events: TraceEvent[];
  /** Kernel log lines without a time: stepped when the input ends, as `check` steps them. */
  untimed: TraceEvent[];
  marks: number;
}

const TRACED: Pick<LoadedCapture, 'delivered'>['delivered'] = new Map([['oom:mark_victim', { delivered: 1, undecodable: 0 }]]);

/** A selection: a victim begins. */
const isMark = (ev: TraceEvent): boolean => ev.name === 'oom:mark_victim' || (ev.name === 'printk:console' && ev.fields?.kind === 'oom_kill');

/** What finish() decides on a replay that goes on, put back once it has been judged. */
function keepUnsettled(s: ModelState): () => void {
  const caps = s.caps;
  const saved = s.victims.map((v) => ({ v, open: v.open, release: v.release, outcome: v.outcome, oomSkip: v.oomSkip, attempts: v.attempts.map((a) => ({ a, result: a.result, decidedBy: a.decidedBy })) }));
  return () => {
    s.caps = caps;
    for (const x of saved) {
      x.v.open = x.open;
      x.v.release = x.release;
      x.v.outcome = x.outcome;
      x.v.oomSkip = x.oomSkip;
      for (const y of x.attempts) {
        y.a.result = y.result;
        y.a.decidedBy = y.decidedBy;
      }
    }
  };
}

export function createWatchModel(opts: ModelAdapterOptions): WatchModel {
  let losses: DataLoss[] = [];
  /** The kernel's version line, kept when the replay starts afresh: the profile depends on it. */
  let versionLine: TraceEvent | undefined;
  let due = false;
  /** A victim's settle time was reached: judge at once (once per such time, so still linear). */
  let settleTimeReached = false;
  /** Trace time at which judging became due (a decision waits one second of trace time at most). */
  let dueSince: bigint | undefined;
  let fedSinceJudge = 0;
  /** Events handed to the merge since it was last flushed. */
  let fedSinceFlush = 0;
  let deadline: bigint | undefined;
  let lastTs: bigint | undefined;
  /** Victims printed, with their summary as printed (a change is printed as an update). */
  const doneVictims = new Map<string, string>();
  const doneFindings = new Set<string>();
  let victimsOut = 0;
  let findingsOut = 0;
  let openVictims = 0;
  const cap = opts.maxWindowEvents ?? MAX_WINDOW_EVENTS;
  const present = (): Set<string> => new Set(opts.ctx.names.entries().map((e) => e.full));

  function newRun(): Run {
    const retained = new Retention();
    if (versionLine) retained.versionLines.push(versionLine);
    return { replays: [startReplay({ ctx: opts.ctx, delivered: TRACED }), startReplay({ ctx: opts.ctx, delivered: new Map() })], retained, delivered: new Map(), events: [], untimed: [], marks: 0 };
  }
  let run = newRun();

  function stepInto(r: Run, ev: TraceEvent): void {
    r.events.push(ev);
    let t = r.delivered.get(ev.name);
    if (!t) r.delivered.set(ev.name, (t = { delivered: 0, undecodable: 0 }));
    t.delivered++;
    if (!ev.fields) t.undecodable++;
    if (r.replays.length > 1 && ev.name === 'oom:mark_victim' && ev.fields) r.replays.length = 1;
    for (const x of r.replays) stepEvent(x, ev);
    r.retained.add(ev);
    if (isMark(ev)) r.marks++;
  }

  /** One event out of the merge, in time order: stepped, and whether it may settle something noted. */
  function onMerged(ev: TraceEvent): void {
    // The trace time stepped so far (the merge holds a short window back for late events).
    if (ev.ts >= 0n && (lastTs === undefined || ev.ts > lastTs)) lastTs = ev.ts;
    stepInto(run, ev);
    if (deadline !== undefined && lastTs !== undefined && lastTs >= deadline) due = settleTimeReached = true;
    if (TRIGGERS.test(ev.name)) due = true;
    if (due) dueSince ??= lastTs;
    if (run.marks > 0 && run.events.length > cap) {
      due = true;
      fedSinceJudge = Math.max(fedSinceJudge, cap);
    }
    trimIdle();
  }
  const merger = new StreamMerger(onMerged);
  /** Names of the kernel-log inputs (their lines are joined with the trace's own copies). */
  const isLog = (file: string): boolean => opts.inputs.some((m) => m.format === 'kernel-log' && m.file === file);

  /** The replay started afresh from `keep` (events it still rests on). */
  function restart(keep: TraceEvent[]): void {
    const untimed = run.untimed;
    run = newRun();
    run.untimed = untimed;
    for (const ev of keep) stepInto(run, ev);
  }

  /**
   * The window is full while victims stay open: keep what the open victims' stories and
   * findings rest on (OOM and kernel log lines, signals, their own tasks' and the reaper's
   * events) and the last minute, and step them again; drop the rest. If that is still too
   * much, everything is judged as at the end of a trace and dropped.
   */
  function compact(a: Analysis): void {
    const pids = new Set<number>();
    for (const v of a.state.victims) {
      pids.add(v.pid);
      for (const t of v.mm.tasks) pids.add(t);
    }
    if (a.state.reaperPid !== undefined) pids.add(a.state.reaperPid);
    const recent = (lastTs ?? 0n) - (opts.keepRecentNs ?? IDLE_KEEP_NS);
    const keep = run.events.filter((e) => e.ts >= recent || pids.has(e.pid) || e.name.startsWith('oom:') || e.name.startsWith('signal:') || e.name === 'printk:console');
    if (keep.length > (cap * 9) / 10) {
      pendingJudge = due = true;
      fedSinceJudge = Math.max(fedSinceJudge, cap);
      return;
    }
    restart(keep);
  }
  /** The window stayed full after compaction: judged as at the end of a trace with the next settle(). */
  let pendingJudge = false;

  function capture(): LoadedCapture {
    return { events: [], untimed: [], inputs: opts.inputs, losses, ctx: opts.ctx, present: present(), delivered: run.delivered, kprobes: opts.ctx.names.kprobeDefs() };
  }

  /** The replay judged as it stands; `final`: settled for good (the input is over, or it is dropped after). */
  function analysis(final: boolean): { a: Analysis; restore?: () => void } {
    const traced = run.delivered.get('oom:mark_victim');
    const r = run.replays.length === 1 ? run.replays[0]! : run.replays[traced && traced.delivered > traced.undecodable ? 0 : 1]!;
    const c = capture();
    const profile = resolve(c, r, { kernel: opts.kernel, capabilities: opts.capabilities }, run.retained);
    if (final) return { a: judge(c, r, profile, run.retained) };
    let restore: (() => void) | undefined;
    const a = judge(c, r, profile, run.retained, (x, caps) => {
      restore = keepUnsettled(x.state);
      x.state.caps = caps;
      return finish(x.state);
    });
    return { a, restore };
  }

  const teardownProbed = (): boolean => opts.ctx.names.kprobeDefs().some((d) => d.func === '__mmu_notifier_release');

  /** When the victim is settled (src/replay/settle-victim.ts); otherwise the trace time to judge again at. */
  function settledBy(a: Analysis, v: VictimState): SettledVictim['settledBy'] | undefined {
    const check = settleVictim(a.state, v, { teardownProbed: teardownProbed(), now: lastTs });
    if (check.settled) return check.settled;
    if (check.recheckAt !== undefined && (deadline === undefined || check.recheckAt < deadline)) deadline = check.recheckAt;
    return undefined;
  }

  /** The victim the `i`th finding is about (the one the facts name), and for a selection the earlier victim it was judged against. */
  function subjects(a: Analysis, f: Finding, i: number): VictimState[] | undefined {
    const vs = a.state.victims;
    if (f.kind === 'premature_victim' || f.kind === 'gate_breach') {
      const first = f.evidence[0] && srcKey(f.evidence[0].src);
      const earlier = vs.find((v) => srcKey(v.mark.src) === first);
      return earlier ? [earlier] : undefined;
    }
    const named = a.facts.findingVictims[i];
    return named !== undefined ? [vs[named]!] : undefined;
  }

  function collect(final: boolean, full = false): Decided {
    due = false;
    settleTimeReached = false;
    dueSince = undefined;
    fedSinceJudge = 0;
    deadline = undefined;
    const out: Decided = { victims: [], findings: [] };
    if (!final && run.marks === 0) return out;
    if (full) final = true;
    const { a, restore } = analysis(final);
    try {
      decide(a, final, full, out);
    } finally {
      restore?.();
    }
    victimsOut += out.victims.length;
    findingsOut += out.findings.length;
    if (full) {
      dropWindow();
      return out;
    }
    if (final) return out;
    if (run.events.length > cap) compact(a);
    // A selection still held back by the merge belongs to this replay: it waits for it.
    if (a.state.victims.every((v) => doneVictims.has(victimKey(v)) && quietReleased.has(v)) && !merger.holds(isMark)) {
      // Every victim of the replay is settled and its memory gone: nothing later can change them.
      const pending = a.findings.filter((f) => !doneFindings.has(findingKey(f)) && f.kind !== 'missing_events');
      for (const f of pending) {
        doneFindings.add(findingKey(f));
        out.findings.push(f);
      }
      findingsOut += pending.length;
      dropWindow(contextOf(run.events));
    }
    return out;
  }
  /** Victims settled as released at the last judgement. */
  let quietReleased = new Set<VictimState>();

  function decide(a: Analysis, final: boolean, full: boolean, out: Decided): void {
    const settled = new Map<VictimState, SettledVictim['settledBy']>();
    const released = new Set<VictimState>();
    /** Settled victims with no invalidate call in flight: their pairing is decided. */
    const quiet = new Set<VictimState>();
    quietReleased = new Set();
    a.state.victims.forEach((v, i) => {
      const by = full ? 'window_full' : final ? 'input_over' : settledBy(a, v);
      if (by) settled.set(v, by);
      if (by === 'released') quietReleased.add(v);
      if (by && !openOn(a.state, v)) quiet.add(v);
      if (v.release && v.release.how !== 'task_exit') released.add(v);
      const key = victimKey(v);
      if (!by) return;
      // `next` points at a later selection, unknown when the victim settles: the next
      // victim's own line and the premature findings say it instead.
      // Left out: relations to other victims (`next`, `earlier`: the other may be outside the
      // replay) and the anon rss series (a chart's data, cut when the replay starts afresh).
      const { next: _next, earlier: _earlier, anon: _anon, ...summary } = a.victims[i]!;
      const printed = JSON.stringify(summary, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
      const before = doneVictims.get(key);
      if (before === printed) return;
      doneVictims.set(key, printed);
      out.victims.push({ pid: v.pid, settledBy: by, summary, story: victimStory(a.victims[i]!), ...(before !== undefined ? { update: true } : {}) });
    });
    for (const [i, f] of a.findings.entries()) {
      const key = findingKey(f);
      if (doneFindings.has(key)) continue;
      let decided = final;
      if (!decided && f.kind !== 'missing_events') {
        const subj = subjects(a, f, i);
        // A selection is judged for good once the earlier victim's memory is seen gone.
        if (f.kind === 'premature_victim' || f.kind === 'gate_breach') decided = !!subj?.every((v) => released.has(v));
        else decided = !!subj?.every((v) => quiet.has(v));
      }
      if (!decided) continue;
      doneFindings.add(key);
      out.findings.push(f);
    }
    openVictims = a.state.victims.filter((v) => !doneVictims.has(victimKey(v))).length;
  }

  /**
   * What a victim selected after a window is dropped may rest on from before it: the last
   * minute's rss_stat lines (a task's mm_id, bound from its own samples, and its memory going
   * to zero), forks and exits (who is whose child, which tasks are gone) and KVM lines (a
   * notifier on a task's mm). Without them a victim whose task ran before the drop was never
   * seen released, its window was never dropped again, and every later judgement went over
   * all the victims since. None of them tells a victim's story, so no victim of the dropped
   * window comes back.
   */
  function contextOf(events: readonly TraceEvent[]): TraceEvent[] {
    const from = (lastTs ?? 0n) - IDLE_KEEP_NS;
    return events.filter((e) => e.ts >= from && (e.name === 'kmem:rss_stat' || e.name === 'sched:sched_process_fork' || e.name === 'sched:sched_process_exit' || e.name.startsWith('kvm:')));
  }

  function dropWindow(context: readonly TraceEvent[] = []): void {
    run = newRun();
    for (const ev of context) stepInto(run, ev);
    losses = losses.filter((l) => l.ts === undefined);
    doneVictims.clear();
    quietReleased = new Set();
    for (const k of [...doneFindings]) if (!k.includes(':requires|')) doneFindings.delete(k);
  }

  /** Without any victim, the replay starts afresh from the last minute once it holds twice that. */
  function trimIdle(): void {
    if (run.marks > 0 || lastTs === undefined || run.events.length < 4096) return;
    if (run.events[0]!.ts >= lastTs - 2n * IDLE_KEEP_NS) return;
    const keepFrom = lastTs - IDLE_KEEP_NS;
    restart(run.events.filter((e) => e.ts >= keepFrom));
  }

  return {
    feed(ev) {
      fedSinceJudge++;
      fedSinceFlush++;
      if (!versionLine && ev.fields?.kind === 'kernel_version') {
        // Known at once (an untimed line is stepped only at the end): the profile depends on it.
        versionLine = ev;
        run.retained.versionLines.push(ev);
      }
      if (ev.name === 'printk:console' && isLog(ev.src.file)) merger.pushLog(ev);
      else merger.push(ev);
    },
    loss(l) {
      losses.push(l);
      due = true;
    },
    flush() {
      fedSinceFlush = 0;
      merger.flush();
    },
    get due() {
      const held = run.events.length;
      if (!due) return false;
      if (settleTimeReached || fedSinceJudge * 16 >= held) return true;
      // A busy stream (or one replayed faster than recorded) decides within a second of trace time.
      return dueSince !== undefined && lastTs !== undefined && lastTs - dueSince >= DECIDE_WITHIN_NS && fedSinceJudge * 256 >= held;
    },
    get waiting() {
      return due || fedSinceFlush > 0;
    },
    settle: () => {
      if (!pendingJudge) return collect(false);
      pendingJudge = false;
      return collect(true, true);
    },
    end: () => {
      merger.end();
      for (const ev of [...merger.untimed, ...run.untimed]) {
        for (const x of run.replays) stepEvent(x, ev);
        run.retained.addUntimed(ev);
      }
      return collect(true);
    },
    stats: () => ({ windowEvents: run.events.length, openVictims, victims: victimsOut, findings: findingsOut, lastTs }),
  };
}
