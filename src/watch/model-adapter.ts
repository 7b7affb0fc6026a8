// Every call `watch` makes into the model goes through this file: events fed one by
// one, then at settle points the victims that are settled and the findings whose
// level is decided. When a victim is settled is the model's rule
// (src/replay/settle-victim.ts); the window of events not yet settled is judged with
// the same analysis `check` runs (so the verdicts are the same), and dropped once all
// its victims are settled, which keeps memory bounded.
import type { DataLoss, StreamMeta, TraceEvent } from '../types/event.ts';
import type { Finding } from '../findings/finding.ts';
import type { ParseContext } from '../../parsers/importer.ts';
import { analyzeLoaded, type Analysis, type AnalyzeOptions } from '../pipeline.ts';
import type { VictimState } from '../replay/state.ts';
import type { EventTally } from '../types/coverage.ts';
import { callOpen as openOn, settleVictim } from '../replay/settle-victim.ts';
import type { VictimFacts as VictimSummary } from '../facts/types.ts';
import { buildLogRecords } from '../timeline/log-records.ts';
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
  /** Something may be settled but judging waits for more events: the caller settles later anyway (input idle). */
  readonly waiting: boolean;
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

export function createWatchModel(opts: ModelAdapterOptions): WatchModel {
  let traces: TraceEvent[] = [];
  let printk: TraceEvent[] = [];
  let losses: DataLoss[] = [];
  /** The kernel's version line, kept across window drops: the profile depends on it. */
  let versionLine: TraceEvent | undefined;
  let marks = 0;
  let due = false;
  /** A victim's settle time was reached: judge at once (once per such time, so still linear). */
  let settleTimeReached = false;
  /** Trace time at which judging became due (a decision waits one second of trace time at most). */
  let dueSince: bigint | undefined;
  let fedSinceJudge = 0;
  let deadline: bigint | undefined;
  let lastTs: bigint | undefined;
  /** Victims printed, with their summary as printed (a change is printed as an update). */
  const doneVictims = new Map<string, string>();
  const doneFindings = new Set<string>();
  let victimsOut = 0;
  let findingsOut = 0;
  let openVictims = 0;
  const cap = opts.maxWindowEvents ?? MAX_WINDOW_EVENTS;

  /**
   * The window is full while victims stay open: keep what the open victims' stories and
   * findings rest on (OOM and kernel log lines, signals, their own tasks' and the reaper's
   * events) and the last minute; drop the rest. If that is still too much, everything is
   * judged as at the end of a trace and dropped.
   */
  function compact(a: Analysis): void {
    const pids = new Set<number>();
    for (const v of a.state.victims) {
      pids.add(v.pid);
      for (const t of v.mm.tasks) pids.add(t);
    }
    if (a.state.reaperPid !== undefined) pids.add(a.state.reaperPid);
    const recent = (lastTs ?? 0n) - (opts.keepRecentNs ?? IDLE_KEEP_NS);
    traces = traces.filter((e) => e.ts >= recent || pids.has(e.pid) || e.name.startsWith('oom:') || e.name.startsWith('signal:'));
    if (traces.length + printk.length > (cap * 9) / 10) {
      const out = collect(true, true);
      pendingOut.victims.push(...out.victims);
      pendingOut.findings.push(...out.findings);
    }
  }
  /** What a forced judgement printed, handed out with the next settle(). */
  const pendingOut: Decided = { victims: [], findings: [] };

  function analysis(): Analysis {
    const logs = buildLogRecords(versionLine && !printk.includes(versionLine) ? [versionLine, ...printk] : printk);
    const timed = [...traces, ...logs.filter((e) => e.ts >= 0n)];
    timed.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
    const present = new Set(opts.ctx.names.entries().map((e) => e.full));
    // What the model received, per event name (the needs check reads it); undecodable
    // events carry no fields.
    const delivered = new Map<string, EventTally>();
    for (const list of [traces, printk]) {
      for (const e of list) {
        let t = delivered.get(e.name);
        if (!t) delivered.set(e.name, (t = { delivered: 0, undecodable: 0 }));
        t.delivered++;
      }
    }
    return analyzeLoaded(
      { events: timed, untimed: logs.filter((e) => e.ts < 0n), inputs: opts.inputs, losses, ctx: opts.ctx, present, delivered, kprobes: opts.ctx.names.kprobeDefs() },
      { kernel: opts.kernel, capabilities: opts.capabilities },
    );
  }

  const teardownProbed = (): boolean => opts.ctx.names.kprobeDefs().some((d) => d.func === '__mmu_notifier_release');

  /** When the victim is settled (src/replay/settle-victim.ts); otherwise the trace time to judge again at. */
  function settledBy(a: Analysis, v: VictimState): SettledVictim['settledBy'] | undefined {
    const check = settleVictim(a.state, v, { teardownProbed: teardownProbed(), now: lastTs });
    if (check.settled) return check.settled;
    if (check.recheckAt !== undefined && (deadline === undefined || check.recheckAt < deadline)) deadline = check.recheckAt;
    return undefined;
  }

  /** The victim a finding is about (its subject), and for a selection the earlier victim it was judged against. */
  function subjects(a: Analysis, f: Finding): VictimState[] | undefined {
    const vs = a.state.victims;
    if (f.kind === 'premature_victim' || f.kind === 'gate_breach') {
      const first = f.evidence[0] && srcKey(f.evidence[0].src);
      const earlier = vs.find((v) => srcKey(v.mark.src) === first);
      return earlier ? [earlier] : undefined;
    }
    if (!f.victim) return undefined;
    const ts = f.evidence[0]?.ts;
    const same = vs.filter((v) => v.pid === f.victim!.pid && (ts === undefined || v.mark.ts <= ts));
    const v = same[same.length - 1] ?? vs.find((x) => x.pid === f.victim!.pid);
    return v ? [v] : undefined;
  }

  function collect(final: boolean, full = false): Decided {
    due = false;
    settleTimeReached = false;
    dueSince = undefined;
    fedSinceJudge = 0;
    deadline = undefined;
    const out: Decided = { victims: [], findings: [] };
    if (!final && marks === 0) return out;
    if (full) final = true;
    const a = analysis();
    const settled = new Map<VictimState, SettledVictim['settledBy']>();
    const released = new Set<VictimState>();
    /** Settled victims with no invalidate call in flight: their pairing is decided. */
    const quiet = new Set<VictimState>();
    a.state.victims.forEach((v, i) => {
      const by = full ? 'window_full' : final ? 'input_over' : settledBy(a, v);
      if (by) settled.set(v, by);
      if (by && !openOn(a.state, v)) quiet.add(v);
      if (v.release && v.release.how !== 'task_exit') released.add(v);
      const key = victimKey(v);
      if (!by) return;
      // `next` points at a later selection, unknown when the victim settles: the next
      // victim's own line and the premature findings say it instead.
      // Left out: relations to other victims (`next`, `earlier`: the other may be outside the
      // window) and the anon rss series (a chart's data, cut by the window).
      const { next: _next, earlier: _earlier, anon: _anon, ...summary } = a.victims[i]!;
      const printed = JSON.stringify(summary, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
      const before = doneVictims.get(key);
      if (before === printed) return;
      doneVictims.set(key, printed);
      out.victims.push({ pid: v.pid, settledBy: by, summary, story: victimStory(a.victims[i]!), ...(before !== undefined ? { update: true } : {}) });
    });
    for (const f of a.findings) {
      const key = findingKey(f);
      if (doneFindings.has(key)) continue;
      let decided = final;
      if (!decided && f.kind !== 'missing_events') {
        const subj = subjects(a, f);
        // A selection is judged for good once the earlier victim's memory is seen gone.
        if (f.kind === 'premature_victim' || f.kind === 'gate_breach') decided = !!subj?.every((v) => released.has(v));
        else decided = !!subj?.every((v) => quiet.has(v));
      }
      if (!decided) continue;
      doneFindings.add(key);
      out.findings.push(f);
    }
    victimsOut += out.victims.length;
    findingsOut += out.findings.length;
    openVictims = a.state.victims.filter((v) => !doneVictims.has(victimKey(v))).length;
    if (full) {
      dropWindow();
      return out;
    }
    if (traces.length + printk.length > cap) compact(a);
    if (!final && a.state.victims.every((v) => doneVictims.has(victimKey(v)) && settled.get(v) === 'released')) {
      // Every victim of the window is settled and its memory gone: nothing later can change them.
      const pending = a.findings.filter((f) => !doneFindings.has(findingKey(f)) && f.kind !== 'missing_events');
      for (const f of pending) {
        doneFindings.add(findingKey(f));
        out.findings.push(f);
      }
      findingsOut += pending.length;
      dropWindow();
    }
    return out;
  }

  function dropWindow(): void {
    traces = [];
    printk = [];
    losses = losses.filter((l) => l.ts === undefined);
    marks = 0;
    doneVictims.clear();
    for (const k of [...doneFindings]) if (!k.includes(':requires|')) doneFindings.delete(k);
  }

  function trimIdle(): void {
    if (marks > 0 || lastTs === undefined || traces.length < 4096) return;
    const keepFrom = lastTs - IDLE_KEEP_NS;
    if (traces[0]!.ts >= keepFrom) return;
    traces = traces.filter((e) => e.ts >= keepFrom);
    printk = printk.filter((e) => e.ts < 0n || e.ts >= keepFrom);
  }

  return {
    feed(ev) {
      fedSinceJudge++;
      if (ev.ts >= 0n && (lastTs === undefined || ev.ts > lastTs)) lastTs = ev.ts;
      if (ev.name === 'printk:console') {
        printk.push(ev);
        if (!versionLine && ev.fields?.kind === 'kernel_version') versionLine = ev;
        if (ev.fields?.kind === 'oom_kill') marks++;
      } else {
        traces.push(ev);
        if (ev.name === 'oom:mark_victim') marks++;
      }
      if (deadline !== undefined && lastTs !== undefined && lastTs >= deadline) due = settleTimeReached = true;
      if (TRIGGERS.test(ev.name)) due = true;
      if (due) dueSince ??= lastTs;
      if (marks > 0 && traces.length + printk.length > cap) {
        due = true;
        fedSinceJudge = Math.max(fedSinceJudge, cap);
      }
      trimIdle();
    },
    loss(l) {
      losses.push(l);
      due = true;
    },
    get due() {
      const held = traces.length + printk.length;
      if (!due) return false;
      if (settleTimeReached || fedSinceJudge * 16 >= held) return true;
      // A busy stream (or one replayed faster than recorded) decides within a second of trace time.
      return dueSince !== undefined && lastTs !== undefined && lastTs - dueSince >= DECIDE_WITHIN_NS && fedSinceJudge * 256 >= held;
    },
    get waiting() {
      return due;
    },
    settle: () => {
      const out = collect(false);
      if (!pendingOut.victims.length && !pendingOut.findings.length) return out;
      const all = { victims: [...pendingOut.victims, ...out.victims], findings: [...pendingOut.findings, ...out.findings] };
      pendingOut.victims = [];
      pendingOut.findings = [];
      return all;
    },
    end: () => collect(true),
    stats: () => ({ windowEvents: traces.length + printk.length, openVictims, victims: victimsOut, findings: findingsOut, lastTs }),
  };
}

