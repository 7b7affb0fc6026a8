// One victim's facts from the replayed state: computed once, read by every presenter.
import type { Finding } from '../findings/finding.ts';
import type { Attempt, ModelState, Selection, VictimState } from '../replay/state.ts';
import { sameDomain } from '../replay/domain.ts';
import { isEarlier } from '../replay/selection.ts';
import { LOG_LAG_NS, linesInWindows } from '../replay/log-windows.ts';
import { asNs } from '../types/time.ts';
import { MM_ID_REUSE_WINDOW_NS } from '../timeline/mm-tracker.ts';
import { callsInAttempts, callsOverMmLifetime, tally } from './calls.ts';
import type { AttemptFacts, CallbackFacts, VictimFacts } from './types.ts';

/** What the victim facts need besides the victim itself, built once per capture. */
export interface VictimContext {
  state: ModelState;
  /** Callback starts/returns were probed somewhere in the capture. */
  probedCallbacks: boolean;
  /** A kernel log is among the inputs (its `callback failed` lines count when there are no probes). */
  haveLog: boolean;
  selfReaps: Map<VictimState, number>;
  /** Victims a PVS-PREMATURE finding names; per victim the UPI-HLIST counts per notifier. */
  premature: Set<VictimState>;
  leaks: Map<VictimState, Record<string, number>>;
  /** Each victim's selection's index in `state.selections` (found once: a trace can hold thousands). */
  selectionOf: Map<VictimState, number>;
}

/** The first selection from index `from` on that counts v as selected before it, in v's domain. */
function nextSelection(s: ModelState, from: number, v: VictimState): Selection | undefined {
  for (let i = from; i < s.selections.length; i++) {
    const x = s.selections[i]!;
    if (x.victim !== v && sameDomain(x.victim, v) && isEarlier(x, v)) return x;
  }
  return undefined;
}

/** The latest victim of v's domain that `sel` (v's selection) counts as selected before it. */
function latestEarlier(s: ModelState, sel: Selection, v: VictimState): VictimState | undefined {
  for (let i = sel.victim.index - 1; i >= 0; i--) {
    const e = s.victims[i]!;
    if (e !== v && isEarlier(sel, e) && sameDomain(e, v)) return e;
  }
  return undefined;
}

export { MM_ID_REUSE_WINDOW_NS };

const failed = (x: { retval?: number }): boolean => x.retval !== undefined && x.retval < 0;

function attemptFacts(a: Attempt): AttemptFacts {
  const first = (a.start ?? a.skip)!;
  const last = (a.finish ?? a.reapRet ?? a.skip ?? a.start)!;
  return {
    index: a.index,
    start: asNs(first.ts),
    end: asNs(last.ts),
    src: first.src,
    result: a.result ?? 'unknown',
    decidedBy: a.decidedBy,
    ran: a.start !== undefined || a.reapEntry !== undefined || a.calls.length > 0,
    calls: a.calls.length,
    callsFailed: a.calls.filter(failed).length,
  };
}

function callbackFacts(v: VictimState): CallbackFacts[] {
  const out: CallbackFacts[] = [];
  for (const c of callsInAttempts(v)) {
    const failedCall = failed(c);
    for (const cb of c.callbacks) {
      const result: CallbackFacts['result'] = cb.phase === 'start' ? (cb.retval === 0 ? 'ok' : cb.retval === undefined ? 'unknown' : 'failed') : failedCall ? 'end inside failed start' : 'end';
      out.push({ instance: cb.instance, ts: asNs(cb.entry.ts), phase: cb.phase, result, okInFailedCall: cb.phase === 'start' && cb.retval === 0 && failedCall });
    }
  }
  return out;
}

/** Its address space's anon samples inside the mm_id reuse window (src/timeline/mm-tracker.ts). */
function anonOf(v: VictimState): VictimFacts['anon'] {
  return v.mm.anon(v.release?.ts);
}

export function victimFacts(ctx: VictimContext, v: VictimState): VictimFacts {
  const s = ctx.state;
  const attempts = v.attempts.map(attemptFacts);
  const since = (t: bigint | undefined) => (t === undefined ? undefined : asNs(t - v.mark.ts));
  const ran = v.attempts.filter((a) => a.start || a.reapEntry || a.calls.length);
  let callbackFailures: number | undefined;
  let callbackSource: VictimFacts['callbackSource'];
  if (ctx.probedCallbacks) {
    callbackFailures = ran.reduce((n, a) => n + a.calls.reduce((m, c) => m + c.callbacks.filter((cb) => cb.phase === 'start' && failed(cb)).length, 0), 0);
    callbackSource = 'probes';
  } else if (ctx.haveLog) {
    const windows = ran.filter((a) => a.start).map((a) => [a.start!.ts, (a.finish ?? a.reapRet ?? a.start)!.ts + LOG_LAG_NS] as const);
    callbackFailures = linesInWindows(s.failedLogs, windows).length;
    callbackSource = 'kernel log';
  }
  const at = ctx.selectionOf.get(v);
  const sel = at === undefined ? undefined : s.selections[at];
  const earlier = sel && latestEarlier(s, sel, v);
  // A selection that counts v as earlier comes after v's own.
  const next = nextSelection(s, at === undefined ? 0 : at + 1, v);
  const anonLeft = v.reapedLog?.fields?.anon_rss_kb;
  // Only a reaper line names it, or it was selected before the trace: the selection time is unknown, so no latency is measured from it.
  const noSelectionTime = v.evidence === 'reaper' || v.evidence === 'before_trace';
  const inAttempts = callsInAttempts(v);
  const lifetime = callsOverMmLifetime(s, v);
  const inside = new Set(inAttempts);
  const outside = lifetime.filter((c) => !inside.has(c));
  return {
    pid: v.pid,
    selectedBy: v.mark.name === 'oom:mark_victim' ? 'mark_victim' : String(v.mark.fields?.kind ?? v.mark.name),
    anonLeftKb: typeof anonLeft === 'number' && anonLeft > 0 ? anonLeft : undefined,
    chosen: v.chosen,
    killedInstead: v.killedInstead,
    evidence: v.evidence,
    comm: v.comm,
    mm: v.mm.mmPtr,
    mmId: v.mm.mmId,
    domain: v.domain,
    selectedAt: asNs(v.mark.ts),
    selected: v.mark.src,
    markTraced: v.mark.name === 'oom:mark_victim',
    markExtended: v.mark.name === 'oom:mark_victim' && typeof v.mark.fields?.comm === 'string',
    killedAt: v.kill ? asNs(v.kill.ts) : undefined,
    wokeReaperAt: v.wake ? asNs(v.wake.ts) : undefined,
    lines: {
      kill: v.kill?.src,
      wake: v.wake?.src,
      unable: v.unableLog ? { at: asNs(v.unableLog.ts), src: v.unableLog.src } : undefined,
      reaped: v.reapedLog ? { at: asNs(v.reapedLog.ts), src: v.reapedLog.src } : undefined,
    },
    reap: v.outcome,
    attempts: attempts.length,
    reapAttempts: attempts,
    reapCalls: v.attempts.filter((a) => a.reapEntry).length,
    attemptsRun: ran.length,
    lockBusy: v.attempts.filter((a) => a.result === 'lock_busy').length,
    firstAttemptAt: attempts[0]?.start,
    lastAttemptAt: attempts.at(-1)?.start,
    attemptsEndAt: attempts.at(-1)?.end,
    oomSkip: v.oomSkip ? { at: asNs(v.oomSkip.ts), cause: v.oomSkip.cause, src: v.oomSkip.ev.src } : undefined,
    release: v.release ? { at: asNs(v.release.ts), how: v.release.how, src: v.release.ev.src } : undefined,
    latency: noSelectionTime ? {} : {
      kill: since(v.kill?.ts),
      wake: since(v.wake?.ts),
      firstAttempt: since(attempts[0]?.start),
      oomSkip: since(v.oomSkip?.ts),
      release: since(v.release?.ts),
    },
    calls: { inAttempts: tally(inAttempts), mmLifetime: tally(lifetime) },
    outsideAttempts: { calls: outside.length, first: outside[0] ? { at: asNs(outside[0].entry.ts), src: outside[0].entry.src, ret: outside[0].ret?.src } : undefined },
    callbacks: callbackFacts(v),
    callbackFailures,
    callbackSource,
    selfReaps: ctx.selfReaps.get(v) ?? 0,
    earlier: earlier ? { pid: earlier.pid, selectedAt: asNs(earlier.mark.ts) } : undefined,
    next: next ? { pid: next.victim.pid, selectedAt: asNs(next.ts) } : undefined,
    premature: ctx.premature.has(v),
    leaks: ctx.leaks.get(v) ?? {},
    anon: anonOf(v),
    anonAtSelection: v.anonAtMark,
  };
}

/**
 * The victim a finding names: same pid and mm, else same pid; of several (a pid reused in
 * one trace), the last selected by the time of the finding's last evidence line, else the
 * last of all.
 */
export function victimOfFinding(s: ModelState, f: Pick<Finding, 'victim' | 'evidence'>): VictimState | undefined {
  if (!f.victim) return undefined;
  const { pid, mm } = f.victim;
  let until: bigint | undefined;
  for (const e of f.evidence ?? []) if (e.ts !== undefined && (until === undefined || e.ts > until)) until = e.ts;
  const vs = s.victims;
  const pick = (match: (v: VictimState) => boolean): VictimState | undefined => {
    let last: VictimState | undefined;
    for (let i = vs.length - 1; i >= 0; i--) {
      const v = vs[i]!;
      if (!match(v)) continue;
      last ??= v;
      if (until === undefined || v.mark.ts <= until) return v;
    }
    return last;
  };
  return (mm !== undefined ? pick((v) => v.pid === pid && v.mm.mmPtr === mm) : undefined) ?? pick((v) => v.pid === pid);
}
