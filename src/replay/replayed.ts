// What the replay made of the timeline, as detectors and the facts read it: the victims
// with their attempts and calls, the selections, the notifier instances and the lines
// the rules cite. Read-only, and without the step's working tables (calls in flight,
// lines waiting for their victim), which say nothing once the trace is over.
import type { TraceEvent } from '../types/event.ts';
import type { CoreCall, FailedLine, InstanceState, ModelState, Selection, VictimState } from './state.ts';

export interface ReplayedTimeline {
  readonly victims: readonly VictimState[];
  /** Every selection, with the victims selected before it as they then stood. */
  readonly selections: readonly Selection[];
  /** Every top-level invalidate call seen (kprobes), in order. */
  readonly calls: readonly CoreCall[];
  /** Per `mm|instance`: the notifier instance's outstanding starts. */
  readonly instances: ReadonlyMap<string, InstanceState>;
  /** `callback failed ... non-blockable` log lines. */
  readonly failedLogs: readonly FailedLine[];
  /** The victims bound to each mm pointer (mm-pointers.ts). */
  readonly victimsByPtr: ReadonlyMap<string, readonly VictimState[]>;
  /** Per task: its first kvm:* mmu-notifier tracepoint. */
  readonly kvmByTask: ReadonlyMap<number, TraceEvent>;
  /** Lines announcing a forced OOM (sysrq). */
  readonly bypasses: readonly TraceEvent[];
  readonly firstTs?: bigint;
  readonly lastTs?: bigint;
}

/** The settled state, seen as a replayed timeline (no copy). */
export function replayedTimeline(s: ModelState): ReplayedTimeline {
  const { victims, selections, calls, instances, failedLogs, victimsByPtr, kvmByTask, bypasses, firstTs, lastTs } = s;
  return { victims, selections, calls, instances, failedLogs, victimsByPtr, kvmByTask, bypasses, firstTs, lastTs };
}
