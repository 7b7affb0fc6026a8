// What another kernel family would have done with the same observed sequence, as
// sentences: the model's capabilities that differ, applied to this trace's victims,
// and the findings that appear or vanish.
import type { Analysis } from '../pipeline.ts';
import { formatDuration } from '../types/time.ts';


function ruleCounts(a: Analysis): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of a.findings) m.set(`${f.rule}${f.notifier ? ` (${f.notifier})` : ''}`, (m.get(`${f.rule}${f.notifier ? ` (${f.notifier})` : ''}`) ?? 0) + (f.count ?? 1));
  return m;
}

export function counterfactualNotes(actual: Analysis, as: Analysis): string[] {
  const notes: string[] = [];
  const A = actual.profile.caps;
  const B = as.profile.caps;
  const label = as.profile.profile.label;
  const withNotifiers = actual.state.victims.filter((v) => v.attempts.some((a) => a.calls.some((c) => c.callbacks.length)));
  if (A.hlistEndOnFailure && !B.hlistEndOnFailure) {
    for (const f of as.findings.filter((x) => x.rule === 'UPI-HLIST-LEAK')) {
      notes.push(`${f.notifier}: ${f.count} invalidate_range_start(s) that succeeded inside failed non-blocking calls would never get their invalidate_range_end on ${label} (this trace shows each ended inside the failed start, by the pairing fix); victim ${f.victim?.pid}`);
    }
  } else if (!A.hlistEndOnFailure && B.hlistEndOnFailure) {
    for (const f of actual.findings.filter((x) => x.rule === 'UPI-HLIST-LEAK')) {
      notes.push(`${f.notifier}: the ${f.count} start(s) left unpaired here would be ended inside the failed start on ${label}`);
    }
  }
  if (A.reaperDelayMs !== B.reaperDelayMs) {
    for (const v of actual.state.victims) {
      if (v.wake) notes.push(`victim ${v.pid}: the reaper would be woken ${B.reaperDelayMs ? `${B.reaperDelayMs / 1000} s after the kill` : 'right after the kill'} (here after ${formatDuration(v.wake.ts - v.mark.ts)})`);
      else if (v.outcome === 'not_run' && !B.reaperDelayMs && v.release) notes.push(`victim ${v.pid}: exited ${formatDuration(v.release.ts - v.mark.ts)} after the kill with no reaper attempt; without the 2 s delay the reaper would have run at once`);
    }
  }
  if (B.reaperNotifierPolicy !== A.reaperNotifierPolicy) {
    for (const v of withNotifiers) {
      if (B.reaperNotifierPolicy === 'IGNORE') notes.push(`victim ${v.pid}: the reaper would unmap its memory without calling any notifier (the secondary MMUs are not told)`);
      else if (B.reaperNotifierPolicy === 'SKIP_ANY' || B.reaperNotifierPolicy === 'SKIP_BLOCKABLE') {
        notes.push(`victim ${v.pid}: its mm has mmu notifiers${B.reaperNotifierPolicy === 'SKIP_BLOCKABLE' ? ' (if any may block)' : ''}: the reaper would sleep 1 s and give up without any tracepoint, setting MMF_OOM_SKIP about 1 s after the wake while the memory is still mapped`);
      } else if (B.reaperNotifierPolicy === 'NONBLOCK') notes.push(`victim ${v.pid}: the reaper would call the notifiers in non-blocking mode per VMA and retry failed VMAs up to ${B.maxReapRetries} times`);
    }
  }
  const ra = ruleCounts(actual);
  const rb = ruleCounts(as);
  for (const [rule, n] of rb) if ((ra.get(rule) ?? 0) !== n) notes.push(`finding ${rule}: ${ra.get(rule) ?? 0} here, ${n} on ${label}`);
  for (const [rule, n] of ra) if (!rb.has(rule)) notes.push(`finding ${rule}: ${n} here, none on ${label}`);
  return notes;
}
