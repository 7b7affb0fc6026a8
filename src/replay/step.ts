// The model's step: one event in, the state moved on. It reads nothing but its
// arguments (no clock, no I/O), so a replay of the same events under the same
// capabilities always ends in the same state; what it cannot judge until later
// events are known (a retry that never came, a release after a new selection) is
// judged by finish.ts once the trace is over.
import type { TraceEvent } from '../types/event.ts';
import type { ModelState } from './state.ts';
import { attemptOf, onFinishReaping, onMarkVictim, onSignal, onSkipReaping, onStartReaping, onWakeReaper } from './steps/oom.ts';
import { onKprobe } from './steps/invalidate.ts';
import { onExitMmap, onProcessExit, onRssStat } from './steps/memory.ts';
import { beforeTrace } from './steps/log-victims.ts';
import { onLog } from './steps/log.ts';
import { retireReleased } from './steps/retire.ts';
import { noteKvm } from './notifier-evidence.ts';
import type { RoleOf } from './kprobe-roles.ts';

export interface StepContext {
  /** The inputs carry oom:mark_victim (else kill lines stand for selections). */
  markVictimTraced: boolean;
  /** What a kprobe event means to the model, resolved once per kprobe definition (kprobe-roles.ts). */
  roleOf: RoleOf;
}

export function step(s: ModelState, ev: TraceEvent, ctx: StepContext): ModelState {
  if (ev.ts >= 0n) {
    s.firstTs ??= ev.ts;
    s.lastTs = ev.ts;
    retireReleased(s, ev.ts);
  }
  // The address spaces see every event before the model does.
  s.mms.observe(ev);
  switch (ev.name) {
    case 'oom:mark_victim':
      onMarkVictim(s, ev);
      break;
    case 'oom:wake_reaper':
      beforeTrace(s, ev, ctx.markVictimTraced);
      onWakeReaper(s, ev);
      break;
    case 'oom:start_task_reaping':
      beforeTrace(s, ev, ctx.markVictimTraced);
      onStartReaping(s, ev);
      break;
    case 'oom:finish_task_reaping':
      onFinishReaping(s, ev);
      break;
    case 'oom:skip_task_reaping':
      beforeTrace(s, ev, ctx.markVictimTraced);
      onSkipReaping(s, ev);
      break;
    case 'signal:signal_generate':
      onSignal(s, ev);
      break;
    case 'kmem:rss_stat':
      onRssStat(s, ev);
      break;
    case 'mmap:exit_mmap':
      onExitMmap(s, ev);
      break;
    case 'sched:sched_process_exit':
      onProcessExit(s, ev);
      break;
    case 'kvm:kvm_unmap_hva_range': {
      const at = attemptOf(s, ev);
      if (at) at.v.kvmInAttempts ??= ev;
      else noteKvm(s, ev);
      break;
    }
    case 'kvm:kvm_age_hva':
    case 'kvm:kvm_test_age_hva':
    case 'kvm:kvm_set_spte_hva':
    case 'kvm:kvm_unmap_hva':
      noteKvm(s, ev);
      break;
    case 'printk:console':
      onLog(s, ev, ctx.markVictimTraced);
      break;
    default: {
      const role = ctx.roleOf(ev);
      if (role) onKprobe(s, ev, role);
    }
  }
  return s;
}
