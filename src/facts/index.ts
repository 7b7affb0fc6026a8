// The facts phase: after the detectors, per victim the numbers every presenter prints
// (see types.ts), the capture's observations, what the model received per event name,
// and the diagnostics by severity. Computed once; the model's state stays internal.
import type { Finding } from '../findings/finding.ts';
import type { StreamMeta } from '../types/event.ts';
import type { KprobeDef } from '../types/kprobe.ts';
import type { ModelState, Selection, VictimState } from '../replay/state.ts';
import { DIAGNOSTIC_CODES, type DiagnosticSink, type Severity } from '../../parsers/common/diagnostics.ts';
import { selfReapsOf } from './self-reaps.ts';
import type { Retention } from '../replay/retention.ts';
import { victimFacts, victimOfFinding, type VictimContext } from './victim.ts';
import { type CaptureObservations, type DiagnosticsSummary, ERRORS_SHOWN, type EventTally, type Facts, type VictimFacts } from './types.ts';

export type * from './types.ts';
export { SCOPE_WORDS } from './types.ts';
export { MM_ID_REUSE_WINDOW_NS } from './victim.ts';

export interface FactsInput {
  state: ModelState;
  /** What the facts read of the timeline the replay stepped over (src/replay/retention.ts). */
  retained: Retention;
  findings: readonly Finding[];
  inputs: readonly StreamMeta[];
  present: ReadonlySet<string>;
  delivered: ReadonlyMap<string, EventTally>;
  kprobes: readonly KprobeDef[];
  diag: DiagnosticSink;
}

const REAP_FUNC = /^_{0,2}oom_reap_task_mm$/;

export function diagnosticsSummary(diag: DiagnosticSink): DiagnosticsSummary {
  const bySeverity: Record<Severity, number> = { error: 0, data_loss: 0, warning: 0, notice: 0, info: 0 };
  const byCode: Record<string, number> = {};
  for (const [code, n] of [...diag.counts].sort(([a], [b]) => (a < b ? -1 : 1))) {
    bySeverity[DIAGNOSTIC_CODES[code].severity] += n;
    byCode[code] = n;
  }
  const errors = diag.kept.filter((d) => d.severity === 'error').slice(0, ERRORS_SHOWN).map(({ code, message, src }) => ({ code, message, ...(src ? { src } : {}) }));
  return { bySeverity, byCode, errors };
}

export function computeFacts(x: FactsInput): Facts {
  const st = x.state;
  const premature = new Set<VictimState>();
  const leaks = new Map<VictimState, Record<string, number>>();
  const named = x.findings.map((f) => victimOfFinding(st, f));
  x.findings.forEach((f, i) => {
    const v = named[i];
    if (!v) return;
    if (f.rule === 'PVS-PREMATURE') premature.add(v);
    if ((f.rule === 'UPI-HLIST-LEAK' || f.rule === 'UPI-HLIST-PAIRED') && f.notifier) {
      const l = leaks.get(v) ?? {};
      l[f.notifier] = (l[f.notifier] ?? 0) + (f.count ?? 1);
      leaks.set(v, l);
    }
  });
  const r = x.retained;
  const member = r.rssMember;
  const type = r.rssType;
  const ctx: VictimContext = {
    state: st,
    probedCallbacks: st.calls.some((c) => c.callbacks.length > 0),
    haveLog: x.inputs.some((m) => m.format === 'kernel-log') || x.present.has('printk:console'),
    selfReaps: selfReapsOf(st, r),
    premature,
    leaks,
    selectionOf: firstSelections(st.selections),
  };
  const victims: VictimFacts[] = st.victims.map((v) => victimFacts(ctx, v));
  const observations: CaptureObservations = {
    rssStat: x.present.has('kmem:rss_stat'),
    rssFormat: member && type ? 'both' : member ? 'member=' : type ? 'type=' : undefined,
    exitMmapEvent: x.present.has('mmap:exit_mmap'),
    reapProbe: r.reapFired || x.kprobes.some((d) => REAP_FUNC.test(d.func)),
    endsInsideFailedStart: victims.filter((v) => Object.values(v.calls.mmLifetime.notifiers).some((n) => n.endsInsideFailedStart > 0 && n.startsOk > 0)).length,
    startsOkInFailedCalls: victims.filter((v) => v.callbacks.some((c) => c.okInFailedCall)).length,
  };
  const events: Record<string, EventTally> = {};
  for (const [name, t] of [...x.delivered].sort(([a], [b]) => (a < b ? -1 : 1))) events[name] = { ...t };
  // A victim's index is its place in the replay's victims, which `victims` follows one for one.
  return { victims, findingVictims: named.map((v) => v?.index), observations, events, diagnostics: diagnosticsSummary(x.diag) };
}

/** Each victim's first selection's index. */
function firstSelections(sels: readonly Selection[]): Map<VictimState, number> {
  const m = new Map<VictimState, number>();
  sels.forEach((x, i) => {
    if (!m.has(x.victim)) m.set(x.victim, i);
  });
  return m;
}
