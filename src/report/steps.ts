// Per victim, the steps of its story as data: time, what, and the line that shows it.
// `check` prints them as text (story.ts), the report lays them out as a table
// (html/page.ts). Read from the victim's facts only, so the numbers are the ones
// --json prints, under the same scope names (see src/facts/types.ts).
import type { SourceRef } from '../types/event.ts';
import type { VictimFacts } from '../facts/types.ts';
import { SCOPE_WORDS } from '../facts/types.ts';
import { formatDuration, formatInstant } from '../types/time.ts';

export interface Step {
  ts: bigint;
  /** What happened, in words; may hold trace text (a notifier name): escape it. */
  text: string;
  /** The line that shows it. */
  src?: SourceRef;
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

function notifierSteps(v: VictimFacts): Step[] {
  return Object.entries(v.calls.inAttempts.notifiers).map(([name, n]) => {
    const bits = [];
    if (n.startsOk) bits.push(`${n.startsOk} start(s) succeeded`);
    if (n.startsFailed) bits.push(`${n.startsFailed} start(s) failed (${n.failedWith})`);
    if (n.endsInsideFailedStart) bits.push(`${n.endsInsideFailedStart} end(s) called inside failed starts`);
    return { ts: n.first!.ts, text: `notifier ${name}: ${bits.join(', ')}`, src: n.first!.src, detail: true };
  });
}

function attemptsStep(v: VictimFacts): Step | undefined {
  const first = v.reapAttempts[0];
  if (!first) return undefined;
  const ok = v.reapAttempts.filter((a) => a.result === 'ok').length;
  const inA = v.calls.inAttempts;
  const life = v.calls.mmLifetime;
  const parts = [`${v.attempts} reap attempt(s)`];
  if (ok) parts.push(`${ok} succeeded`);
  if (v.lockBusy) parts.push(`${v.lockBusy} found the mmap lock taken`);
  if (inA.failed) parts.push(`${inA.failed} of ${inA.starts} invalidate calls ${SCOPE_WORDS.inAttempts} failed (${inA.failedWith})`);
  else if (inA.starts) parts.push(`${inA.starts} invalidate calls ${SCOPE_WORDS.inAttempts}`);
  if (life.starts !== inA.starts) parts.push(`${life.starts} ${SCOPE_WORDS.mmLifetime}`);
  return { ts: first.start, text: `${parts.join(', ')}, until ${formatInstant(v.attemptsEndAt!)}`, src: first.src };
}

/** The victim's steps in time order (a stable sort: notifier details stay under their attempts line). */
export function victimSteps(v: VictimFacts): Step[] {
  const steps: Step[] = [];
  const kind = v.selectedBy;
  const text = v.markTraced ? 'chosen by the OOM killer (mark_victim)'
    : kind === 'oom_kill' ? 'killed by the OOM killer (kernel log)'
    : kind === 'oom_choose' ? 'chosen by the OOM killer (kernel log selection line)'
    : kind === 'oom_summary' ? 'chosen by the OOM killer (kernel log oom-kill: summary)'
    : `first seen (${kind})`;
  steps.push({ ts: v.selectedAt, text, src: v.selected });
  if (v.killedAt !== undefined) steps.push({ ts: v.killedAt, text: 'SIGKILL sent', src: v.lines.kill });
  if (v.wokeReaperAt !== undefined) steps.push({ ts: v.wokeReaperAt, text: v.latency.wake !== undefined ? `oom_reaper woken, ${formatDuration(v.latency.wake)} after the selection` : 'oom_reaper woken', src: v.lines.wake });
  const att = attemptsStep(v);
  if (att) steps.push(att, ...notifierSteps(v));
  if (v.lines.unable) steps.push({ ts: v.lines.unable.at, text: '"oom_reaper: unable to reap"', src: v.lines.unable.src });
  if (v.lines.reaped) steps.push({ ts: v.lines.reaped.at, text: '"oom_reaper: reaped process"', src: v.lines.reaped.src });
  if (v.oomSkip) steps.push({ ts: v.oomSkip.at, text: `MMF_OOM_SKIP set (${v.oomSkip.cause})`, src: v.oomSkip.src });
  if (v.release) steps.push({ ts: v.release.at, text: RELEASE[v.release.how] ?? v.release.how, src: v.release.src });
  steps.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  return steps;
}
