// What every presenter reads: per victim the numbers of its story, computed once after
// the detectors (src/facts/index.ts). Text, --json, charts, pages, compare and the
// notebooks print these and the findings; none goes back to the model's state.
//
// Invalidate calls are counted in two named scopes, because they differ and a reader
// must know which one a number is:
//   inAttempts  — calls made by the oom_reaper inside the victim's reap attempts;
//   mmLifetime  — every call on the victim's mm from its selection until the mm was torn
//                 down (the reaper's, and the exit path's: exit_mmap, munmap).
import type { SourceRef } from '../types/event.ts';
import type { Ns } from '../types/time.ts';
import type { ReapOutcome, SkipCause } from '../replay/state.ts';
import type { Severity } from '../../parsers/common/diagnostics.ts';
import type { EventTally } from '../types/coverage.ts';

export interface NotifierTally {
  starts: number;
  startsOk: number;
  startsFailed: number;
  ends: number;
  /** Ends called inside a failed non-blocking start (the pairing fix of 5.12+/backports). */
  endsInsideFailedStart: number;
  /** The return value of the first failed start (e.g. -11). */
  failedWith?: number;
  /** The first callback's line and time. */
  first?: { ts: Ns; src: SourceRef };
}

export interface CallTally {
  /** Top-level `__mmu_notifier_invalidate_range_start` calls. */
  starts: number;
  startsNonblock: number;
  failed: number;
  /** The return value of the first failed call. */
  failedWith?: number;
  ended: number;
  unpaired: number;
  notifiers: Record<string, NotifierTally>;
}

export type CallScope = 'inAttempts' | 'mmLifetime';

/** The words each scope is printed with (text and page). */
export const SCOPE_WORDS: Record<CallScope, string> = {
  inAttempts: "inside the reaper's attempts",
  mmLifetime: "over the mm's lifetime",
};

export interface AttemptFacts {
  index: number;
  /** The attempt's first line (start, or the skip). */
  start: Ns;
  /** The attempt's last line: finish, the reap routine's return, the skip, else its start. */
  end: Ns;
  src: SourceRef;
  result: 'ok' | 'failed' | 'lock_busy' | 'already_skipped' | 'unknown';
  /** What decided the result, in the replay's words (`another attempt followed`, `__oom_reap_task_mm returned 1`). */
  decidedBy?: string;
  /** It ran the reap routine (not a bare skip). */
  ran: boolean;
  calls: number;
  callsFailed: number;
}

export interface CallbackFacts {
  instance: string;
  ts: Ns;
  phase: 'start' | 'end';
  /** ok / failed / unknown for starts; for ends: `end inside failed start` or `end`. */
  result: 'ok' | 'failed' | 'unknown' | 'end inside failed start' | 'end';
  /** A start that succeeded inside a failed call: left without an end unless the kernel pairs it. */
  okInFailedCall: boolean;
}

export interface VictimFacts {
  pid: number;
  comm: string;
  mm?: string;
  mmId?: number;
  /** `system`, `memcg:/path`, `memcg:?` or `unknown`. */
  domain: string;
  selectedAt: Ns;
  selected: SourceRef;
  /** What named the victim first: mark_victim, or the kernel-log line kind (oom_kill, oom_choose, oom_summary, ...). */
  selectedBy: string;
  /** Anon memory the reaper's "reaped" line says was left (kB), when not zero. */
  anonLeftKb?: number;
  /** The task the selection line chose, when another task (its child) was killed instead. */
  chosen?: { pid: number; comm: string };
  /** For a chosen task that was not itself killed: the pid killed in its place. */
  killedInstead?: number;
  /** The only kind of line that names this victim, when it is not a kill line or tracepoint. */
  evidence?: 'selection' | 'summary' | 'reaper' | 'before_trace';
  /** The selection was read from mark_victim (not only the kernel log). */
  markTraced: boolean;
  /** mark_victim printed the extended format (comm, RSS, ...: 6.9+ and backports). */
  markExtended: boolean;
  killedAt?: Ns;
  wokeReaperAt?: Ns;
  /** The lines of the steps above and of the reaper's kernel-log lines. */
  lines: { kill?: SourceRef; wake?: SourceRef; unable?: { at: Ns; src: SourceRef }; reaped?: { at: Ns; src: SourceRef } };
  reap: ReapOutcome;
  /** Reaper attempts (start/finish pairs and skips). */
  attempts: number;
  reapAttempts: AttemptFacts[];
  /** Calls of the reap routine seen by probe in the reaper. */
  reapCalls: number;
  attemptsRun: number;
  lockBusy: number;
  firstAttemptAt?: Ns;
  lastAttemptAt?: Ns;
  /** When the last attempt ended. */
  attemptsEndAt?: Ns;
  oomSkip?: { at: Ns; cause: SkipCause; src: SourceRef };
  release?: { at: Ns; how: string; src: SourceRef };
  /** Nanoseconds from the selection to each step, when the step was seen. */
  latency: { kill?: Ns; wake?: Ns; firstAttempt?: Ns; oomSkip?: Ns; release?: Ns };
  calls: Record<CallScope, CallTally>;
  callbacks: CallbackFacts[];
  /** Failed notifier start callbacks in the reaper's attempts (probes), or `callback failed` log lines inside them (kernel log only). */
  callbackFailures?: number;
  callbackSource?: 'probes' | 'kernel log';
  /** The reap routine run on its mm outside the oom_reaper (exit_mmap self-reap, 4.17-6.0). */
  selfReaps: number;
  /** Invalidate calls on its mm outside the reaper's attempts (`mmLifetime` less `inAttempts`: its exit path), and the first of them. */
  outsideAttempts: { calls: number; first?: { at: Ns; src: SourceRef; ret?: SourceRef } };
  /** The latest earlier victim of the same OOM domain that was pending when this one was selected. */
  earlier?: { pid: number; selectedAt: Ns };
  /** The next victim selected in the same OOM domain while this one was pending. */
  next?: { pid: number; selectedAt: Ns };
  /** A premature-selection finding (PVS-PREMATURE) names it. */
  premature: boolean;
  /** Per notifier: starts left without an end, as the UPI-HLIST findings count them. */
  leaks: Record<string, number>;
  /** Anon memory of its mm from shortly before the selection to shortly after the release (rss_stat). */
  anon: { ts: Ns; bytes: number }[];
  /** Anon memory (bytes) when it was selected: mark_victim's anon-rss, else its mm's first sample after the selection. */
  anonAtSelection?: number;
}

export type { EventTally } from '../types/coverage.ts';

export interface DiagnosticsSummary {
  bySeverity: Record<Severity, number>;
  byCode: Record<string, number>;
  /** The first errors (at most ERRORS_SHOWN): where each is and what was expected there, for the reader to mend the input. */
  errors: { code: string; message: string; src?: SourceRef }[];
}

export const ERRORS_SHOWN = 5;

export interface CaptureObservations {
  rssStat: boolean;
  /** How kmem:rss_stat names the counter: `member=N` (5.5-5.12) or `type=NAME`. */
  rssFormat?: 'member=' | 'type=' | 'both';
  exitMmapEvent: boolean;
  /** A kprobe on the reap routine is defined or fired (self-reaps can be seen). */
  reapProbe: boolean;
  /** Victims whose notifier end came inside a failed start after a successful start. */
  endsInsideFailedStart: number;
  /** Victims whose notifier start succeeded inside a failed call. */
  startsOkInFailedCalls: number;
}

export interface Facts {
  victims: VictimFacts[];
  /** Per finding, in the findings' order: the index in `victims` of the victim it names (a pid can name several), when it names one. */
  findingVictims: (number | undefined)[];
  observations: CaptureObservations;
  events: Record<string, EventTally>;
  diagnostics: DiagnosticsSummary;
}
