// Per victim, the steps of its story as data: time, what, and the event whose line
// shows it. `check` prints them as text (story.ts), the report lays them out as a
// table (html/page.ts).
import type { VictimState } from '../replay/state.ts';
import type { TraceEvent } from '../types/event.ts';
import { dur, secs } from './text.ts';

export interface Step {
  ts: bigint;
  /** What happened, in words; may hold trace text (a notifier name): escape it. */
  text: string;
  /** The line that shows it. */
  ev?: TraceEvent;
  /** A per-notifier detail of the attempts line above it. */
  detail?: boolean;
}

export const RELEASE: Record<string, string> = {
  mm_release: 'exit_mmap began: memory freed now (__mmu_notifier_release)',
  exit_mmap: 'exit_mmap: memory unmapped',
  rss_zero: 'anon memory of the mm fell to zero (rss_stat)',
  reaper: 'anon memory of the mm fell to zero under the reaper (rss_stat)',
  task_exit: 'last task of the mm exited',
};

export const OUTCOME: Record<string, string> = {
  reaped: 'the oom_reaper reaped its memory',
  gave_up: 'the oom_reaper gave up; MMF_OOM_SKIP hid the victim while its memory was still mapped',
  not_run: 'it exited before the oom_reaper acted',
  pending: 'undecided when the trace ends',
};

function notifierSteps(v: VictimState): Step[] {
  const by = new Map<string, { ok: number; failed: number; ret?: number; endsInFailed: number; first?: TraceEvent }>();
  for (const a of v.attempts) {
    for (const c of a.calls) {
      const failedCall = c.retval !== undefined && c.retval < 0;
      for (const cb of c.callbacks) {
        let n = by.get(cb.instance);
        if (!n) by.set(cb.instance, (n = { ok: 0, failed: 0, endsInFailed: 0, first: cb.entry }));
        if (cb.phase === 'start' && cb.retval === 0) n.ok++;
        else if (cb.phase === 'start' && cb.retval !== undefined && cb.retval < 0) {
          n.failed++;
          n.ret = cb.retval;
        } else if (cb.phase === 'end' && failedCall) n.endsInFailed++;
      }
    }
  }
  return [...by].map(([name, n]) => {
    const bits = [];
    if (n.ok) bits.push(`${n.ok} start(s) succeeded`);
    if (n.failed) bits.push(`${n.failed} start(s) failed (${n.ret})`);
    if (n.endsInFailed) bits.push(`${n.endsInFailed} end(s) called inside failed starts`);
    return { ts: n.first!.ts, text: `notifier ${name}: ${bits.join(', ')}`, ev: n.first, detail: true };
  });
}

function attemptsStep(v: VictimState): Step | undefined {
  if (!v.attempts.length) return undefined;
  const first = v.attempts[0]!;
  const last = v.attempts[v.attempts.length - 1]!;
  const ok = v.attempts.filter((a) => a.result === 'ok').length;
  const busy = v.attempts.filter((a) => a.result === 'lock_busy').length;
  const calls = v.attempts.flatMap((a) => a.calls);
  const failedCalls = calls.filter((c) => c.retval !== undefined && c.retval < 0);
  const parts = [`${v.attempts.length} reap attempt(s)`];
  if (ok) parts.push(`${ok} succeeded`);
  if (busy) parts.push(`${busy} found the mmap lock taken`);
  if (failedCalls.length) parts.push(`${failedCalls.length} of ${calls.length} invalidate calls failed (${failedCalls[0]!.retval})`);
  else if (calls.length) parts.push(`${calls.length} invalidate calls`);
  const end = last.finish ?? last.skip ?? last.start!;
  return { ts: (first.start ?? first.skip)!.ts, text: `${parts.join(', ')}, until ${secs(end.ts)}`, ev: first.start ?? first.skip };
}

/** The victim's steps in time order (a stable sort: notifier details stay under their attempts line). */
export function victimSteps(v: VictimState): Step[] {
  const steps: Step[] = [];
  const mark = v.mark;
  const kind = mark.fields?.kind;
  const text = mark.name === 'oom:mark_victim' ? 'chosen by the OOM killer (mark_victim)'
    : kind === 'oom_kill' ? 'killed by the OOM killer (kernel log)'
    : kind === 'oom_choose' ? 'chosen by the OOM killer (kernel log selection line)'
    : kind === 'oom_summary' ? 'chosen by the OOM killer (kernel log oom-kill: summary)'
    : `first seen (${mark.fields?.kind ?? mark.name})`;
  steps.push({ ts: mark.ts, text, ev: mark });
  if (v.kill) steps.push({ ts: v.kill.ts, text: 'SIGKILL sent', ev: v.kill });
  if (v.wake) steps.push({ ts: v.wake.ts, text: `oom_reaper woken, ${dur(v.wake.ts - mark.ts)} after the selection`, ev: v.wake });
  const att = attemptsStep(v);
  if (att) steps.push(att, ...notifierSteps(v));
  if (v.unableLog) steps.push({ ts: v.unableLog.ts, text: '"oom_reaper: unable to reap"', ev: v.unableLog });
  if (v.reapedLog) steps.push({ ts: v.reapedLog.ts, text: '"oom_reaper: reaped process"', ev: v.reapedLog });
  if (v.oomSkip) steps.push({ ts: v.oomSkip.ts, text: `MMF_OOM_SKIP set (${v.oomSkip.cause})`, ev: v.oomSkip.ev });
  if (v.release) steps.push({ ts: v.release.ts, text: RELEASE[v.release.how] ?? v.release.how, ev: v.release.ev });
  steps.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  return steps;
}
