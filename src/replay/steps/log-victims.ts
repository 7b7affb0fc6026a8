// Victims named by kernel-log lines other than a kill line (docs/formats.md#kernel-log):
// a selection line whose kill line is missing, a `Kill process P … or sacrifice child`
// followed by the kill of another task (the chosen parent and its killed child, both
// reported with their relation), an `oom-kill:` summary alone, a reaper line alone.
// A victim exists once any line names it.
import type { TraceEvent } from '../../types/event.ts';
import type { ModelState, VictimState } from '../state.ts';
import { onMarkVictim, setDomain } from './oom.ts';

/** A selection line and the kill line it led to are printed together; farther apart they are two OOMs. */
const CHOICE_NS = 2_000_000_000n;

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/**
 * The victim a line names, created when none exists. `keepSelection` false: the
 * line does not date the selection (a reaper line), so the victim stays out of the
 * selection order the premature-selection rule judges.
 */
export function victimFromLine(s: ModelState, ev: TraceEvent, evidence: NonNullable<VictimState['evidence']>, keepSelection: boolean): VictimState | undefined {
  const pid = num(ev.fields?.pid);
  if (pid === undefined) return undefined;
  const known = s.byPid.get(pid);
  if (known) return known;
  onMarkVictim(s, ev);
  const v = s.byPid.get(pid);
  if (!v) return undefined;
  v.evidence = evidence;
  if (!v.comm && typeof ev.fields?.task === 'string') v.comm = ev.fields.task;
  if (!keepSelection) {
    const i = s.selections.findIndex((x) => x.victim === v);
    if (i >= 0) s.selections.splice(i, 1);
  }
  return v;
}

export function onChoose(s: ModelState, ev: TraceEvent, markVictimTraced: boolean): void {
  settleChoice(s, markVictimTraced);
  const pid = num(ev.fields?.pid);
  if (pid !== undefined) s.lastChoice = { ev, pid, comm: String(ev.fields?.comm ?? '') };
}

/** A kill line after a selection line: when it kills another task, both are reported with their relation. */
export function onKillAfterChoice(s: ModelState, ev: TraceEvent, pid: number, markVictimTraced: boolean): void {
  const c = s.lastChoice;
  if (!c) return;
  s.lastChoice = undefined;
  if (c.pid === pid) return;
  const timed = ev.ts >= 0n && c.ev.ts >= 0n;
  if (timed && (ev.ts < c.ev.ts || ev.ts - c.ev.ts > CHOICE_NS)) {
    settleLater(s, c, markVictimTraced);
    return;
  }
  const child = s.byPid.get(pid);
  if (child) child.chosen = { pid: c.pid, comm: c.comm };
  if (markVictimTraced) return;
  const parent = victimFromLine(s, c.ev, 'selection', false);
  if (parent) parent.killedInstead = pid;
}

function settleLater(s: ModelState, c: NonNullable<ModelState['lastChoice']>, markVictimTraced: boolean): void {
  if (!markVictimTraced && !s.byPid.has(c.pid)) victimFromLine(s, c.ev, 'selection', true);
}

/** A selection line no kill line followed. */
export function settleChoice(s: ModelState, markVictimTraced: boolean): void {
  const c = s.lastChoice;
  s.lastChoice = undefined;
  if (c) settleLater(s, c, markVictimTraced);
}

/** At the end: selections and summaries whose kill line never came. */
export function settleLog(s: ModelState, markVictimTraced: boolean): void {
  settleChoice(s, markVictimTraced);
  for (const [pid, evs] of [...s.pendingByPid]) {
    if (s.byPid.has(pid)) continue;
    const sum = evs.find((e) => e.fields?.kind === 'oom_summary');
    if (!sum) continue;
    const v = victimFromLine(s, sum, markVictimTraced ? 'before_trace' : 'summary', true);
    if (v && v.domain === 'unknown') setDomain(v, sum);
  }
}

/**
 * The reaper works on a pid whose mark_victim is not in the trace (mark_victim is
 * traced, so the selection happened before the trace began): the victim is listed as
 * selected before the trace began; its selection time is unknown, so it is kept out of
 * the selection order and no latency is measured from it.
 */
export function beforeTrace(s: ModelState, ev: TraceEvent, markVictimTraced: boolean): void {
  const pid = num(ev.fields?.pid);
  if (pid === undefined || s.byPid.has(pid)) return;
  // Without mark_victim in the inputs nothing says when the selection was: only the reaper names it.
  victimFromLine(s, ev, markVictimTraced ? 'before_trace' : 'reaper', false);
}
