// Kernel log lines (printk:console in the trace, or dmesg): the kill line and the
// OOM domain, the reaper's "reaped" / "unable to reap", notifier failures, pinned
// mms and forced OOMs (docs/model.md#domains).
import type { TraceEvent } from '../../types/event.ts';
import type { ModelState, VictimState } from '../state.ts';
import { currentVictim, onMarkVictim, remember, setDomain } from './oom.ts';
import { onChoose, onKillAfterChoice, victimFromLine } from './log-victims.ts';
import { kept } from '../words.ts';

/** A memcg line is printed in the dump just before the kill lines of the same OOM. */
const MEMCG_HINT_NS = 2_000_000_000n;

/**
 * The domain a kill line's prefix names (<=5.1 has no summary line): `Memory cgroup
 * out of memory` with the memcg of the `Task in ... killed as a result of limit of`
 * line just before, or `Out of memory` (global).
 */
function domainOfPrefix(s: ModelState, ev: TraceEvent, prefix: unknown): string | undefined {
  if (typeof prefix !== 'string') return undefined;
  if (prefix.startsWith('Memory cgroup')) {
    const h = s.memcgHint;
    return h && ev.ts - h.ts >= 0n && ev.ts - h.ts < MEMCG_HINT_NS ? `memcg:${h.path}` : 'memcg:?';
  }
  return prefix.startsWith('Out of memory') ? 'global' : undefined;
}

function noteDomain(s: ModelState, pid: number | undefined, domain: string | undefined, ev: TraceEvent): void {
  if (pid === undefined || domain === undefined) return;
  const v = currentVictim(s, pid);
  if (v) {
    if (v.domain === 'unknown' || (v.domain === 'memcg:?' && domain !== 'memcg:?')) {
      v.domain = domain;
      v.domainEv = ev;
    }
  } else if (!s.domainByPid.has(pid) || s.domainByPid.get(pid)!.domain === 'memcg:?') s.domainByPid.set(pid, { domain, ev });
}

function killLine(s: ModelState, ev: TraceEvent, pid: number | undefined, live: VictimState | undefined, markVictimTraced: boolean): void {
  const f = ev.fields!;
  if (live) {
    live.killLog ??= ev;
    // A kill line names it after all: it was not only a reaper's victim.
    if (live.evidence === 'reaper') live.evidence = undefined;
    if (!live.comm && typeof f.comm === 'string') live.comm = f.comm;
    noteDomain(s, pid, domainOfPrefix(s, ev, f.prefix), ev);
  } else if (pid !== undefined) {
    noteDomain(s, pid, domainOfPrefix(s, ev, f.prefix), ev);
    remember(s, pid, ev);
    // Without the oom tracepoints the kill line is the only record of the selection.
    if (!markVictimTraced) {
      onMarkVictim(s, ev);
      s.byPid.get(pid)!.killLog = ev;
      noteDomain(s, pid, domainOfPrefix(s, ev, f.prefix), ev);
    }
  }
}

export function onLog(s: ModelState, ev: TraceEvent, markVictimTraced: boolean): void {
  const f = ev.fields;
  if (!f) return;
  const pid = typeof f.pid === 'number' ? f.pid : undefined;
  const v = pid !== undefined ? s.byPid.get(pid) : undefined;
  const live = pid !== undefined ? currentVictim(s, pid) : undefined;
  switch (f.kind) {
    case 'memcg_task_in':
    case 'memcg_limit_reached':
      if (typeof f.oom_memcg === 'string') s.memcgHint = { path: f.oom_memcg, ts: ev.ts };
      return;
    case 'oom_choose':
      noteDomain(s, pid, domainOfPrefix(s, ev, f.prefix), ev);
      onChoose(s, ev, markVictimTraced);
      return;
    case 'oom_summary':
      if (live) setDomain(live, ev);
      else if (pid !== undefined) remember(s, pid, ev);
      return;
    case 'oom_kill':
      // A kill line with no prefix (<=5.1, RHEL 7) is in the domain of the selection line before it.
      if (pid !== undefined && s.lastChoice && f.prefix === undefined) noteDomain(s, pid, domainOfPrefix(s, s.lastChoice.ev, s.lastChoice.ev.fields?.prefix), ev);
      killLine(s, ev, pid, live, markVictimTraced);
      if (pid !== undefined) onKillAfterChoice(s, ev, pid, markVictimTraced);
      return;
    case 'oom_reaped':
      if (v) v.reapedLog ??= ev;
      else victimFromLine(s, ev, markVictimTraced ? 'before_trace' : 'reaper', false)!.reapedLog = ev;
      return;
    case 'oom_unable_to_reap':
      if (v) v.unableLog ??= ev;
      else victimFromLine(s, ev, markVictimTraced ? 'before_trace' : 'reaper', false)!.unableLog = ev;
      return;
    case 'notifier_failed':
      if (f.blockable === false) s.failedLogs.push({ ts: ev.ts, pid: ev.pid, tgid: ev.tgid, name: ev.name, src: ev.src, symbol: kept(s, f.symbol), module: kept(s, f.module) });
      return;
    case 'oom_mm_pinned':
      if (v && !v.oomSkip) v.oomSkip = { ts: ev.ts, cause: 'PINNED', ev };
      return;
    case 'sysrq_oom':
      s.bypasses.push(ev);
      return;
  }
}
