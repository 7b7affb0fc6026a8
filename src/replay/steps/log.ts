// Kernel log lines (printk:console in the trace, or dmesg): the kill line and the
// OOM domain, the reaper's "reaped" / "unable to reap", notifier failures, pinned
// mms and forced OOMs (kernel-model.md §3.2).
import type { TraceEvent } from '../../types/event.ts';
import type { ModelState } from '../state.ts';
import { onMarkVictim, remember, setDomain } from './oom.ts';

export function onLog(s: ModelState, ev: TraceEvent, markVictimTraced: boolean): void {
  const f = ev.fields;
  if (!f) return;
  const pid = typeof f.pid === 'number' ? f.pid : undefined;
  const v = pid !== undefined ? s.byPid.get(pid) : undefined;
  const live = v && v.outcome === 'pending' ? v : undefined;
  switch (f.kind) {
    case 'oom_summary':
      if (live) setDomain(live, ev);
      else if (pid !== undefined) remember(s, pid, ev);
      return;
    case 'oom_kill':
      if (live) {
        live.killLog ??= ev;
        if (!live.comm && typeof f.comm === 'string') live.comm = f.comm;
        if (live.domain === 'unknown' && typeof f.prefix === 'string' && f.prefix.startsWith('Memory cgroup')) live.domain = 'memcg:?';
      } else if (pid !== undefined) {
        remember(s, pid, ev);
        // Without the oom tracepoints the kill line is the only record of the selection.
        if (!markVictimTraced) {
          onMarkVictim(s, ev);
          s.byPid.get(pid)!.killLog = ev;
        }
      }
      return;
    case 'oom_reaped':
      if (v) v.reapedLog ??= ev;
      return;
    case 'oom_unable_to_reap':
      if (v) v.unableLog ??= ev;
      return;
    case 'notifier_failed':
      if (f.blockable === false) s.failedLogs.push(ev);
      return;
    case 'oom_mm_pinned':
      if (v && !v.oomSkip) v.oomSkip = { ts: ev.ts, cause: 'PINNED', ev };
      return;
    case 'sysrq_oom':
      s.bypasses.push(ev);
      return;
  }
}
