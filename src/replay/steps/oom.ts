// oom:* tracepoints and the OOM kill's SIGKILL: victims, their queueing and the
// reaper's attempts (docs/model.md#state-victim).
import type { TraceEvent } from '../../types/event.ts';
import type { Attempt, ModelState, Selection, VictimState } from '../state.ts';
import { Samples } from '../../timeline/samples.ts';
import { isEarlier } from '../selection.ts';

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

export function onMarkVictim(s: ModelState, ev: TraceEvent): void {
  const pid = num(ev.fields?.pid);
  if (pid === undefined) return;
  const existing = s.byPid.get(pid);
  if (existing && existing.outcome === 'pending' && !existing.release) return;
  const comm = typeof ev.fields?.comm === 'string' ? ev.fields.comm : ev.pid === pid ? ev.comm : '';
  const anonKb = num(ev.fields?.anon_rss_kb);
  const v: VictimState = {
    index: s.victims.length,
    pid,
    comm,
    mark: ev,
    selector: ev.pid,
    domain: 'unknown',
    attempts: [],
    mm: s.mms.track(pid, ev.ts),
    heldAfter: new Samples(),
    outcome: 'pending',
    selfReaps: 0,
    anonAtMark: anonKb !== undefined ? anonKb * 1024 : undefined,
  };
  s.victimOfMm.set(v.mm, v);
  const dom = s.domainByPid.get(pid);
  if (dom) {
    v.domain = dom.domain;
    v.domainEv = dom.ev;
    s.domainByPid.delete(pid);
  }
  const pending = s.pendingByPid.get(pid);
  if (pending) {
    for (const p of pending) applyEarly(v, p);
    s.pendingByPid.delete(pid);
  }
  const { victims } = s;
  const ts = ev.ts;
  victims.push(v);
  s.unretired.push(v);
  s.byPid.set(pid, v);
  const sel: Selection = {
    victim: v,
    ts,
    // Built when read from what never changes (the victims before it, their selector and mark).
    get earlier() {
      return victims.slice(0, v.index).filter((o) => isEarlier(sel, o));
    },
  };
  s.selections.push(sel);
}

/** Lines about a victim seen before its mark_victim (the summary, the SIGKILL). */
function applyEarly(v: VictimState, ev: TraceEvent): void {
  if (ev.name === 'signal:signal_generate') v.kill ??= ev;
  else if (ev.fields?.kind === 'oom_summary') setDomain(v, ev);
  else if (ev.fields?.kind === 'oom_kill') v.killLog ??= ev;
}

export function setDomain(v: VictimState, ev: TraceEvent): void {
  const f = ev.fields!;
  if (typeof f.oom_memcg === 'string' && f.oom_memcg) v.domain = `memcg:${f.oom_memcg}`;
  else if (f.global_oom === true) v.domain = 'global';
  else return;
  v.domainEv = ev;
}

/**
 * The victim a line printed around a selection (SIGKILL, the kill line, the summary, the
 * domain) belongs to when it names `pid`: the one selected, unless its task of that pid has
 * exited. Then the line is about a new task given the same pid, whose selection follows.
 */
export function currentVictim(s: ModelState, pid: number): VictimState | undefined {
  const v = s.byPid.get(pid);
  return v && v.outcome === 'pending' && !v.exited?.has(pid) ? v : undefined;
}

export function remember(s: ModelState, pid: number, ev: TraceEvent): void {
  let l = s.pendingByPid.get(pid);
  if (!l) s.pendingByPid.set(pid, (l = []));
  l.push(ev);
}

export function onSignal(s: ModelState, ev: TraceEvent): void {
  if (ev.fields?.sig !== 9) return;
  const pid = num(ev.fields.pid);
  if (pid === undefined) return;
  const v = currentVictim(s, pid);
  if (v) v.kill ??= ev;
  else remember(s, pid, ev);
}

export function onWakeReaper(s: ModelState, ev: TraceEvent): void {
  const v = s.byPid.get(num(ev.fields?.pid) ?? -1);
  if (v) v.wake ??= ev;
}

function closeOpen(v: VictimState): void {
  if (v.open && !v.open.finish) v.open.result ??= 'failed';
  v.open = undefined;
}

export function onStartReaping(s: ModelState, ev: TraceEvent): void {
  const v = s.byPid.get(num(ev.fields?.pid) ?? -1);
  if (!v) return;
  s.reaperPid = ev.pid;
  decidePrevious(v);
  closeOpen(v);
  const a: Attempt = { index: v.attempts.length + 1, start: ev, calls: [] };
  v.attempts.push(a);
  v.open = a;
  s.reaping = v;
}

export function onFinishReaping(s: ModelState, ev: TraceEvent): void {
  const v = s.byPid.get(num(ev.fields?.pid) ?? -1);
  if (!v || !v.open) return;
  v.open.finish = ev;
  v.open = undefined;
}

export function onSkipReaping(s: ModelState, ev: TraceEvent): void {
  const v = s.byPid.get(num(ev.fields?.pid) ?? -1);
  if (!v) return;
  s.reaperPid = ev.pid;
  decidePrevious(v);
  closeOpen(v);
  v.attempts.push({ index: v.attempts.length + 1, skip: ev, calls: [] });
}

/** A new attempt for the same victim means the previous one did not succeed. */
function decidePrevious(v: VictimState): void {
  const prev = v.attempts[v.attempts.length - 1];
  if (!prev || prev.result) return;
  prev.result = prev.skip ? 'lock_busy' : 'failed';
  prev.decidedBy = 'another attempt followed';
}

/** The victim whose reap attempt is open in the reaper's context, if `ev` runs there. */
export function attemptOf(s: ModelState, ev: TraceEvent): { v: VictimState; a: Attempt } | undefined {
  if (s.reaperPid === undefined || ev.pid !== s.reaperPid) return undefined;
  const v = s.reaping;
  return v?.open ? { v, a: v.open } : undefined;
}
