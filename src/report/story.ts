// Per victim, what happened in plain words with the line that shows each step,
// then the findings with their evidence: what `reaplay check` prints.
import type { Analysis } from '../replay/analyze.ts';
import type { VictimState } from '../replay/state.ts';
import type { Finding } from '../findings/finding.ts';
import type { TraceEvent } from '../types/event.ts';
import { at, dur, safe, secs } from './text.ts';

interface Line {
  ts: bigint;
  text: string;
  ev?: TraceEvent;
}

const RELEASE: Record<string, string> = {
  mm_release: 'exit_mmap began: memory freed now (__mmu_notifier_release)',
  exit_mmap: 'exit_mmap: memory unmapped',
  rss_zero: 'anon memory of the mm fell to zero (rss_stat)',
  reaper: 'anon memory of the mm fell to zero under the reaper (rss_stat)',
  task_exit: 'last task of the mm exited',
};

/** Per notifier instance, what it did in the reap attempts. */
function notifierLines(v: VictimState): Line[] {
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
    return { ts: n.first!.ts, text: `  notifier ${safe(name)}: ${bits.join(', ')}`, ev: n.first };
  });
}

const OUTCOME: Record<string, string> = {
  reaped: 'the oom_reaper reaped its memory',
  gave_up: 'the oom_reaper gave up; MMF_OOM_SKIP hid the victim while its memory was still mapped',
  not_run: 'it exited before the oom_reaper acted',
  pending: 'undecided when the trace ends',
};

function attemptsLine(v: VictimState): Line | undefined {
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

export function victimStory(v: VictimState): string[] {
  const lines: Line[] = [];
  const mark = v.mark;
  lines.push({ ts: mark.ts, text: mark.name === 'oom:mark_victim' ? 'chosen by the OOM killer (mark_victim)' : 'killed by the OOM killer (kernel log)', ev: mark });
  if (v.kill) lines.push({ ts: v.kill.ts, text: 'SIGKILL sent', ev: v.kill });
  if (v.wake) lines.push({ ts: v.wake.ts, text: `oom_reaper woken, ${dur(v.wake.ts - mark.ts)} after the selection`, ev: v.wake });
  const att = attemptsLine(v);
  if (att) lines.push(att, ...notifierLines(v));
  if (v.unableLog) lines.push({ ts: v.unableLog.ts, text: '"oom_reaper: unable to reap"', ev: v.unableLog });
  if (v.reapedLog) lines.push({ ts: v.reapedLog.ts, text: '"oom_reaper: reaped process"', ev: v.reapedLog });
  if (v.oomSkip) lines.push({ ts: v.oomSkip.ts, text: `MMF_OOM_SKIP set (${v.oomSkip.cause})`, ev: v.oomSkip.ev });
  if (v.release) lines.push({ ts: v.release.ts, text: RELEASE[v.release.how] ?? v.release.how, ev: v.release.ev });
  lines.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  const head = `victim ${v.pid} (${safe(v.comm) || '?'}), ${safe(v.domain)}${v.mmPtr ? `, mm ${v.mmPtr}` : ''}${v.mmId !== undefined ? `, rss mm_id ${v.mmId}` : ''}`;
  const body = lines.map((l) => `  ${secs(l.ts).padStart(14)}  ${l.text.padEnd(72)} ${l.ev ? at(l.ev.src) : ''}`.trimEnd());
  return [head, ...body, `  outcome: ${OUTCOME[v.outcome]}`];
}

export function findingLines(f: Finding): string[] {
  const tag = `[${f.level}${f.expected ? ', expected on this kernel' : ''}]`;
  const who = [f.victim ? `victim ${f.victim.pid}` : '', f.notifier ? `notifier ${safe(f.notifier)}` : ''].filter(Boolean).join(', ');
  const out = [`${tag} ${f.kind} ${f.rule}${who ? ` (${who})` : ''}`, `    ${f.message}`];
  if (f.why) out.push(`    why not higher: ${f.why}`);
  for (const e of f.evidence) out.push(`    ${secs(e.ts ?? 0n).padStart(14)}  ${e.what.padEnd(60)} ${at(e.src)}`);
  return out;
}

export function storyText(a: Analysis): string {
  const out: string[] = [];
  const k = a.kernel;
  out.push(`kernel ${k.release ?? 'unknown'}${k.upstream ? ` (upstream ${k.upstream})` : ''}: replayed as family ${a.profile.profile.label}`);
  for (const r of a.profile.reasons) out.push(`  ${safe(r)}`);
  const lost = a.inputs.reduce((n, m) => n + m.losses.length, 0);
  out.push(`inputs: ${a.inputs.map((m) => `${at({ file: m.file, line: m.lines, offset: 0 }).replace(/:\d+$/, '')} (${m.format})`).join(', ')}${lost ? `; ${lost} data-loss marker(s)` : ''}`);
  out.push('');
  if (!a.state.victims.length) out.push('no OOM victim in these inputs');
  for (const v of a.state.victims) out.push(...victimStory(v), '');
  out.push(a.findings.length ? 'findings:' : 'findings: none');
  for (const f of a.findings) out.push(...findingLines(f));
  return out.join('\n') + '\n';
}
