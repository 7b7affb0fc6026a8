// The reference model's state while a trace is replayed (docs/model.md#state):
// per victim (mark → queue → attempts → outcome, MMF_OOM_SKIP and release), per
// task the invalidate calls in flight, per notifier instance its outstanding
// starts, and the selections to be judged once the whole trace is known.
import type { EventRef, TraceEvent } from '../types/event.ts';
import type { Capabilities } from './capabilities.ts';
import { MmTracker, type MmTimeline } from '../timeline/mm-tracker.ts';
import type { Samples } from '../timeline/samples.ts';
import { RefTable } from './ref-table.ts';

export type ReapOutcome = 'reaped' | 'gave_up' | 'not_run' | 'pending';
export type SkipCause = 'REAPED' | 'REAP_GAVE_UP' | 'NOTIFIER_GIVE_UP' | 'PINNED' | 'EXIT' | 'ALREADY';

/** The lines of calls and callbacks are kept as references (src/replay/kept-call.ts). */
export interface Callback {
  readonly instance: string;
  readonly phase: 'start' | 'end';
  /** A start's range (an end pairs with the start of the same range) and its mm. */
  readonly start?: string;
  readonly end?: string;
  readonly mm?: string;
  readonly entry: EventRef;
  readonly ret?: EventRef;
  readonly retval?: number;
}

/** One top-level `__mmu_notifier_invalidate_range_start` and what happened inside and after it. */
export interface CoreCall {
  readonly pid: number;
  readonly mm?: string;
  readonly range?: string;
  readonly start?: string;
  readonly end?: string;
  readonly blockable?: boolean;
  readonly entry: EventRef;
  readonly ret?: EventRef;
  readonly retval?: number;
  readonly callbacks: Callback[];
  /** The matching `__mmu_notifier_invalidate_range_end`. */
  readonly endCall?: EventRef;
  /** Victim whose reap attempt this call belongs to. */
  readonly victim?: VictimState;
}

/** A call while its lines still come in (kept-call.ts keeps them). */
export interface OpenCall extends CoreCall {
  returned(ev: TraceEvent, retval: number | undefined): void;
  ended(ev: TraceEvent): void;
}

/** A callback while its return may still come. */
export interface OpenCallback extends Callback {
  returned(ev: TraceEvent, retval: number | undefined): void;
}

export interface Attempt {
  index: number;
  start?: TraceEvent;
  finish?: TraceEvent;
  /** skip_task_reaping: mmap lock busy (a retry follows) or MMF_OOM_SKIP already set. */
  skip?: TraceEvent;
  reapEntry?: TraceEvent;
  reapRet?: TraceEvent;
  calls: CoreCall[];
  result?: 'ok' | 'failed' | 'lock_busy' | 'already_skipped';
  /** What decided the result. */
  decidedBy?: string;
}

/** A `callback failed ... non-blockable` log line, as kept: the callback it names. */
export interface FailedLine extends EventRef {
  readonly symbol?: string;
  readonly module?: string;
}

export interface Release {
  ts: bigint;
  how: 'mm_release' | 'exit_mmap' | 'rss_zero' | 'reaper' | 'task_exit';
  ev: TraceEvent;
}

export interface VictimState {
  /** Its place in the replay's victims (selection order). */
  index: number;
  pid: number;
  comm: string;
  mark: TraceEvent;
  /** Task that ran the OOM killer (the context of mark_victim). */
  selector: number;
  domain: string;
  domainEv?: TraceEvent;
  kill?: TraceEvent;
  killLog?: TraceEvent;
  wake?: TraceEvent;
  attempts: Attempt[];
  open?: Attempt;
  /** Its address space: the tasks sharing it, its mm pointer and rss mm_id, its events (src/timeline/mm-tracker.ts). */
  mm: MmTimeline;
  anonAtMark?: number;
  /** Last anon size seen for the mm (bytes) and when. */
  lastAnon?: { bytes: number; ev: TraceEvent };
  reapedLog?: TraceEvent;
  unableLog?: TraceEvent;
  oomSkip?: { ts: bigint; cause: SkipCause; ev: TraceEvent };
  release?: Release;
  /** `__mmu_notifier_release` on its mm: the mm's last user is gone (teardown). */
  mmTeardown?: TraceEvent;
  /** Every anon rss_stat sample of the mm since the selection, in order (packed: it runs as long as the victim is open). */
  anonSamples?: Samples;
  /** Evidence that the mm still held memory after some time: anon at least this high then (some of `anonSamples`, kept once; its own copy once those go). */
  heldAfter: Samples;
  outcome: ReapOutcome;
  selfReaps: number;
  /** A kvm_unmap_hva_range in the reaper during one of the victim's attempts (KVM's start ran). */
  kvmInAttempts?: TraceEvent;
  /** Tasks of the victim seen exiting, and the exit of the last of them. */
  exited?: Set<number>;
  lastExit?: TraceEvent;
  /** The task the selection line chose when this one (its child) was killed instead. */
  chosen?: { pid: number; comm: string };
  /** A chosen task that was not killed itself: the pid killed in its place. */
  killedInstead?: number;
  /** The only kind of line naming this victim, when no kill line or mark_victim does. */
  evidence?: 'selection' | 'summary' | 'reaper' | 'before_trace';
}

export interface Selection {
  victim: VictimState;
  ts: bigint;
  /** Victims selected before this one, but for those of the same selection (one OOM kill choosing several: `isEarlier`); a new array at each read. */
  readonly earlier: VictimState[];
}

export interface InstanceState {
  /** Successful start callbacks not yet matched by an end callback. */
  outstanding: Callback[];
  /** An end callback was ever seen for this instance (so it implements end). */
  implementsEnd: boolean;
  released?: TraceEvent;
}

export interface ModelState {
  caps: Capabilities;
  victims: VictimState[];
  byPid: Map<number, VictimState>;
  selections: Selection[];
  /** Per task: the core start in flight (entry seen, return not yet). */
  openStart: Map<number, OpenCall>;
  /** Per task: core calls that started successfully and wait for their end. */
  awaitingEnd: Map<number, OpenCall[]>;
  /** Per task: the core call whose end was entered last (its callbacks' ends follow). */
  lastEnded: Map<number, OpenCall>;
  calls: CoreCall[];
  /** Per `mm|instance`. */
  instances: Map<string, InstanceState>;
  /** Address spaces: tasks, mm pointers and rss mm_ids bound once; fed every event before the step. */
  mms: MmTracker;
  /** Lines about a pid seen before its mark_victim (SIGKILL, summary, kill line). */
  pendingByPid: Map<number, TraceEvent[]>;
  /** OOM domains of pids named by kill lines before their mark_victim. */
  domainByPid: Map<number, { domain: string; ev: TraceEvent }>;
  /** The last `Task in ... limit of <memcg>` line: the memcg of the kill lines that follow. */
  memcgHint?: { path: string; ts: bigint };
  /** Per task: callback starts whose return probe has not come yet. */
  openCallbacks: Map<number, OpenCallback[]>;
  /** `callback failed ... non-blockable` log lines (evidence without probes). */
  failedLogs: FailedLine[];
  /** Per task: its first kvm:* mmu-notifier tracepoint (KVM's notifier on that task's mm). */
  kvmByTask: Map<number, TraceEvent>;
  /** Lines announcing a forced OOM (sysrq), which ignores pending victims. */
  bypasses: TraceEvent[];
  /** The victim whose attempt the reaper is in (it works on one at a time). */
  reaping?: VictimState;
  /** The victim of each tracked address space. */
  victimOfMm: Map<MmTimeline, VictimState>;
  /** The victims bound to each mm pointer the probes print (steps/invalidate.ts): a pointer is reused once its mm is freed. */
  victimsByPtr: Map<string, VictimState[]>;
  /** The notifier instances of each mm pointer (`instances` by its key's first part). */
  instancesByMm: Map<string, InstanceState[]>;
  /** The last `Kill process … or sacrifice child` line not yet followed by its kill line (<=5.1). */
  lastChoice?: { ev: TraceEvent; pid: number; comm: string };
  /** Pid of the oom_reaper kthread, once seen. */
  reaperPid?: number;
  firstTs?: bigint;
  lastTs?: bigint;
  /** Trace time of the next look for released victims to retire (steps/retire.ts). */
  retireCheckAt?: bigint;
  /** The victims whose address space is not retired yet, in selection order: what that look goes over. */
  unretired: VictimState[];
  /** The lines of the calls and callbacks kept (ref-table.ts). */
  refs: RefTable;
  /** One copy of each value the kept calls repeat (mm pointers, ranges, addresses): a value read from a line may hold the whole line. */
  words: Map<string, string>;
}

export function initialState(caps: Capabilities): ModelState {
  return {
    caps,
    victims: [],
    unretired: [],
    byPid: new Map(),
    selections: [],
    openStart: new Map(),
    awaitingEnd: new Map(),
    lastEnded: new Map(),
    calls: [],
    instances: new Map(),
    mms: new MmTracker(),
    pendingByPid: new Map(),
    domainByPid: new Map(),
    victimOfMm: new Map(),
    victimsByPtr: new Map(),
    instancesByMm: new Map(),
    openCallbacks: new Map(),
    failedLogs: [],
    kvmByTask: new Map(),
    bypasses: [],
    refs: new RefTable(),
    words: new Map(),
  };
}
