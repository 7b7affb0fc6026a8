// What a comparison keeps of one analyzed capture: per victim the plain facts the
// metrics are computed from, the capture's kernel profile, and what the trace itself
// shows about the kernel's formats (so the expected differences can be checked
// against the traces), all read from the analysis' facts (src/facts). The analysis
// (all its events) is dropped afterwards.
import type { Analysis } from '../pipeline.ts';
import type { Capabilities } from '../replay/capabilities.ts';
import type { CaptureObservations as FactsObservations } from '../facts/types.ts';
import { secondsOf } from '../types/time.ts';

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

export interface CaptureObservations extends FactsObservations {
  victims: number;
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

const s = (ns: bigint | undefined): number | undefined => (ns === undefined ? undefined : secondsOf(ns));

/** A comparison's view of one analysis: read from its facts and findings only. */
export function captureFacts(a: Analysis, spec: { name: string; path: string; files: string[] }, group = ''): CaptureFacts {
  const f = a.facts;
  const victims = f.victims.map((v): VictimFacts => {
    const notifiers = new Set(Object.keys(v.calls.mmLifetime.notifiers));
    for (const n of Object.keys(v.leaks)) notifiers.add(n);
    return {
      group,
      capture: spec.name,
      pid: v.pid,
      comm: v.comm,
      domain: v.domain,
      outcome: v.reap,
      wake: s(v.latency.wake),
      firstAttempt: s(v.latency.firstAttempt),
      oomSkip: s(v.latency.oomSkip),
      oomSkipCause: v.oomSkip?.cause,
      release: s(v.latency.release),
      releaseHow: v.release?.how,
      attempts: v.attempts,
      attemptsRun: v.attemptsRun,
      reaperWorked: v.attempts > 0 || v.reap === 'gave_up' || v.reap === 'reaped',
      gaveUp: v.reap === 'gave_up',
      lockBusy: v.lockBusy,
      coreStarts: v.calls.mmLifetime.starts,
      coreFailed: v.calls.mmLifetime.failed,
      notifiers: [...notifiers].sort(),
      leaks: v.leaks,
      callbackFailures: v.callbackFailures,
      callbackSource: v.callbackSource,
      laterSelection: v.earlier !== undefined,
      premature: v.premature,
      selfReaps: v.selfReaps,
      markExtended: v.markExtended,
    };
  });
  return {
    name: spec.name,
    path: spec.path,
    files: spec.files,
    kernel: a.kernel,
    family: a.profile.profile.label,
    caps: { ...a.profile.caps },
    reasons: [...a.profile.reasons],
    observations: { victims: victims.length, ...f.observations },
    victims,
  };
}
