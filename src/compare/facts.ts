// What a comparison keeps of one analyzed capture: per victim the plain facts the
// metrics are computed from, the capture's kernel profile, and what the trace itself
// shows about the kernel's formats (so the expected differences can be checked
// against the traces). The analysis (all its events) is dropped afterwards.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Analysis } from '../replay/analyze.ts';
import type { TraceEvent } from '../types/event.ts';
import type { Capabilities } from '../replay/capabilities.ts';
import type { VictimState } from '../replay/state.ts';

export interface VictimFacts {
  /** Group label and capture name (set by the caller). */
  group: string;
  capture: string;
  pid: number;
  comm: string;
  domain: string;
  outcome: string;
  /** Seconds from the selection (mark_victim) to each step, when seen. */
  wake?: number;
  firstAttempt?: number;
  oomSkip?: number;
  oomSkipCause?: string;
  release?: number;
  releaseHow?: string;
  /** Reaper attempts (start/finish pairs and skips). */
  attempts: number;
  /** Attempts that ran the reap routine (not a bare skip). */
  attemptsRun: number;
  /** The oom_reaper worked on it: an attempt, or a give-up. */
  reaperWorked: boolean;
  gaveUp: boolean;
  /** Attempts that found the mmap lock taken (skip_task_reaping, retried). */
  lockBusy: number;
  /** Top-level invalidate_range_start calls on its mm seen by probe. */
  coreStarts: number;
  /** Of those, failed non-blocking starts (never ended by design). */
  coreFailed: number;
  /** Notifier instances called on its mm. */
  notifiers: string[];
  /** Per notifier: starts that succeeded inside failed calls and were never ended (UPI-HLIST-LEAK / -PAIRED). */
  leaks: Record<string, number>;
  /** Failed notifier start callbacks in its reaper attempts (probes), or "callback failed" log lines (kernel log only). */
  callbackFailures?: number;
  callbackSource?: 'probes' | 'kernel log';
  /** Selected while an earlier victim of its OOM domain had been selected. */
  laterSelection: boolean;
  /** PVS-PREMATURE names it. */
  premature: boolean;
  /** exit_mmap ran the reap routine on its mm (__oom_reap_task_mm outside the reaper). */
  selfReaps: number;
  /** mark_victim printed the extended format (comm, RSS, ...). */
  markExtended: boolean;
}

export interface CaptureObservations {
  victims: number;
  rssStat: boolean;
  /** How kmem:rss_stat names the counter: `member=N` (5.5-5.12) or `type=NAME`. */
  rssFormat?: 'member=' | 'type=' | 'both';
  exitMmapEvent: boolean;
  /** A kprobe on __oom_reap_task_mm is in the capture (self-reaps can be seen). */
  reapProbe: boolean;
  /** Victims whose notifier end came inside a failed start after a successful start (the pairing fix at work). */
  endsInsideFailedStart: number;
  /** Victims whose notifier start succeeded inside a failed call (where the pairing fix matters). */
  startsOkInFailedCalls: number;
}

export interface CaptureFacts {
  name: string;
  path: string;
  files: string[];
  kernel: { release?: string; upstream?: string };
  family: string;
  caps: Capabilities;
  reasons: string[];
  observations: CaptureObservations;
  victims: VictimFacts[];
}

const s = (ns: bigint | undefined): number | undefined => (ns === undefined ? undefined : Number(ns) / 1e9);

function sameDomain(a: VictimState, b: VictimState): boolean {
  const vague = (d: string) => d === 'unknown' || d === 'memcg:?';
  return vague(a.domain) || vague(b.domain) || a.domain === b.domain;
}

/** The victim a finding names: same pid and mm, else the last victim with that pid. */
function victimOf(a: Analysis, f: { victim?: { pid: number; mm?: string } }): number {
  if (!f.victim) return -1;
  const vs = a.state.victims;
  for (let i = vs.length - 1; i >= 0; i--) if (vs[i]!.pid === f.victim.pid && f.victim.mm !== undefined && vs[i]!.mmPtr === f.victim.mm) return i;
  for (let i = vs.length - 1; i >= 0; i--) if (vs[i]!.pid === f.victim.pid) return i;
  return -1;
}

const REAP_FUNCS = new Set(['__oom_reap_task_mm', 'oom_reap_task_mm']);
const isReapEntry = (e: TraceEvent): boolean => e.fields !== undefined && REAP_FUNCS.has(String(e.fields.probe_func)) && e.fields.is_return !== true;

/** A kprobe on the reap routine is defined in the capture's kprobe_events (it need not have fired). */
function reapProbeDefined(a: Analysis): boolean {
  for (const m of a.inputs) {
    if (m.format !== 'kprobe-events') continue;
    try {
      const raw = readFileSync(m.file);
      const text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('utf8');
      if (/^[pr][^\n]*\s(?:\w+:)?_{0,2}oom_reap_task_mm\b/m.test(text)) return true;
    } catch {
      // unreadable now: judged from the events alone
    }
  }
  return false;
}

export function captureFacts(a: Analysis, spec: { name: string; path: string; files: string[] }, group = ''): CaptureFacts {
  const st = a.state;
  const probedCallbacks = st.calls.some((c) => c.callbacks.length > 0);
  const haveLog = a.inputs.some((m) => m.format === 'kernel-log') || a.coverage.present.has('printk:console');
  const premature = new Set<number>();
  const leaks = new Map<number, Record<string, number>>();
  for (const f of a.findings) {
    const i = victimOf(a, f);
    if (i < 0) continue;
    if (f.rule === 'PVS-PREMATURE') premature.add(i);
    if ((f.rule === 'UPI-HLIST-LEAK' || f.rule === 'UPI-HLIST-PAIRED') && f.notifier) {
      const l = leaks.get(i) ?? {};
      l[f.notifier] = (l[f.notifier] ?? 0) + (f.count ?? 1);
      leaks.set(i, l);
    }
  }
  const later = new Set<VictimState>();
  for (const sel of st.selections) if (sel.earlier.some((e) => e !== sel.victim && sameDomain(e, sel.victim))) later.add(sel.victim);

  // The reap routine run outside the oom_reaper is a victim's own exit reaping its mm
  // (exit_mmap self-reap, 4.17-6.0): each call goes to the victim of that mm, else to
  // the victim whose task (or a task it forked: a thread may run the last exit) made it.
  const reaper = (e: TraceEvent) => e.pid === st.reaperPid || e.comm === 'oom_reaper';
  const parent = new Map<number, number>();
  for (const e of a.capture.events) {
    if (e.name === 'sched:sched_process_fork' && typeof e.fields?.child_pid === 'number' && typeof e.fields.pid === 'number') parent.set(e.fields.child_pid, e.fields.pid);
  }
  const lineage = (pid: number): Set<number> => {
    const out = new Set<number>([pid]);
    for (let p = parent.get(pid); p !== undefined && !out.has(p); p = parent.get(p)) out.add(p);
    return out;
  };
  const selfReaps = new Map<VictimState, number>();
  for (const e of a.capture.events) {
    if (!isReapEntry(e) || reaper(e)) continue;
    const before = st.victims.filter((v) => v.mark.ts <= e.ts).reverse();
    const mm = e.fields?.mm === undefined ? undefined : String(e.fields.mm);
    const up = lineage(e.pid);
    const v = before.find((x) => mm !== undefined && x.mmPtr === mm) ?? before.find((x) => up.has(x.pid) || x.tasks.has(e.pid));
    if (v) selfReaps.set(v, (selfReaps.get(v) ?? 0) + 1);
  }

  let endsInside = 0;
  let startsOkInFailed = 0;
  const victims = a.victims.map((sum, i): VictimFacts => {
    const v = st.victims[i]!;
    const ran = v.attempts.filter((at) => at.start || at.reapEntry || at.calls.length);
    let callbackFailures: number | undefined;
    let callbackSource: VictimFacts['callbackSource'];
    if (probedCallbacks) {
      callbackFailures = ran.reduce((n, at) => n + at.calls.reduce((m, c) => m + c.callbacks.filter((cb) => cb.phase === 'start' && cb.retval !== undefined && cb.retval < 0).length, 0), 0);
      callbackSource = 'probes';
    } else if (haveLog) {
      const windows = ran.filter((at) => at.start).map((at) => [at.start!.ts, (at.finish ?? at.reapRet ?? at.start)!.ts + 50_000_000n] as const);
      callbackFailures = st.failedLogs.filter((e) => windows.some(([from, to]) => e.ts >= from && e.ts <= to)).length;
      callbackSource = 'kernel log';
    }
    const notifiers = new Set(Object.keys(sum.notifiers));
    for (const n of Object.keys(leaks.get(i) ?? {})) notifiers.add(n);
    if (Object.values(sum.notifiers).some((n) => n.endsInsideFailedStart > 0 && n.startsOk > 0)) endsInside++;
    const okInFailed = v.attempts.some((at) => at.calls.some((c) => c.retval !== undefined && c.retval < 0 && c.callbacks.some((cb) => cb.phase === 'start' && cb.retval === 0)));
    if (okInFailed) startsOkInFailed++;
    return {
      group,
      capture: spec.name,
      pid: sum.pid,
      comm: sum.comm,
      domain: sum.domain,
      outcome: sum.reap,
      wake: s(sum.latency.wake),
      firstAttempt: s(sum.latency.firstAttempt),
      oomSkip: s(sum.latency.oomSkip),
      oomSkipCause: sum.oomSkip?.cause,
      release: s(sum.latency.release),
      releaseHow: sum.release?.how,
      attempts: sum.attempts,
      attemptsRun: ran.length,
      reaperWorked: sum.attempts > 0 || sum.reap === 'gave_up' || sum.reap === 'reaped',
      gaveUp: sum.reap === 'gave_up',
      lockBusy: v.attempts.filter((at) => at.result === 'lock_busy').length,
      coreStarts: sum.core.starts,
      coreFailed: sum.core.failed,
      notifiers: [...notifiers].sort(),
      leaks: leaks.get(i) ?? {},
      callbackFailures,
      callbackSource,
      laterSelection: later.has(v),
      premature: premature.has(i),
      selfReaps: Math.max(v.selfReaps, selfReaps.get(v) ?? 0),
      markExtended: v.mark.name === 'oom:mark_victim' && typeof v.mark.fields?.comm === 'string',
    };
  });

  let member = false;
  let type = false;
  let reapProbe = reapProbeDefined(a);
  for (const e of a.capture.events) {
    if (e.name === 'kmem:rss_stat' && e.fields) {
      if (e.fields.member !== undefined) member = true;
      else type = true;
    } else if (!reapProbe && isReapEntry(e)) reapProbe = true;
  }
  return {
    name: spec.name,
    path: spec.path,
    files: spec.files,
    kernel: a.kernel,
    family: a.profile.profile.label,
    caps: { ...a.profile.caps },
    reasons: [...a.profile.reasons],
    observations: {
      victims: victims.length,
      rssStat: a.coverage.present.has('kmem:rss_stat'),
      rssFormat: member && type ? 'both' : member ? 'member=' : type ? 'type=' : undefined,
      exitMmapEvent: a.coverage.present.has('mmap:exit_mmap'),
      reapProbe,
      endsInsideFailedStart: endsInside,
      startsOkInFailedCalls: startsOkInFailed,
    },
    victims,
  };
}
