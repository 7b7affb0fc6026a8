// Flat rows for the charts, from one or more analyses: every spec is a pure
// function of these tables, so a chart never reaches into the model's state.
// Times are seconds on the trace clock (display only; the model keeps integer ns).
import type { Analysis } from '../replay/analyze.ts';
import type { VictimState } from '../replay/state.ts';
import type { TraceEvent } from '../types/event.ts';

export interface VictimRow {
  trace: string;
  pid: number;
  comm: string;
  /** `pid comm` as one label (comm is text from the traced system: data, never markup). */
  label: string;
  domain: string;
  outcome: string;
  attempts: number;
  selected: number;
  kill?: number;
  wake?: number;
  oomSkip?: number;
  oomSkipCause?: string;
  release?: number;
  releaseHow?: string;
  /** Seconds from selection to the reaper's first attempt, to MMF_OOM_SKIP and to release. */
  toFirstAttempt?: number;
  toOomSkip?: number;
  toRelease?: number;
  premature: boolean;
}

export interface AttemptRow {
  trace: string;
  pid: number;
  label: string;
  index: number;
  start: number;
  end: number;
  result: string;
}

export interface CallbackRow {
  trace: string;
  pid: number;
  instance: string;
  t: number;
  phase: 'start' | 'end';
  /** ok / failed for starts; for ends: inside a failed start, or after the core end. */
  result: string;
  /** Set on starts that the findings count as left without an end. */
  unpaired: boolean;
}

export interface RssRow {
  trace: string;
  pid: number;
  label: string;
  t: number;
  anonMB: number;
}

export interface FindingRow {
  trace: string;
  kind: string;
  rule: string;
  level: string;
  expected: boolean;
  pid?: number;
  notifier?: string;
  count: number;
}

export interface ChartData {
  victims: VictimRow[];
  attempts: AttemptRow[];
  callbacks: CallbackRow[];
  rss: RssRow[];
  findings: FindingRow[];
}

const s = (ns: bigint | undefined): number | undefined => (ns === undefined ? undefined : Number(ns) / 1e9);
/** rss samples kept per victim: enough for a curve, bounded for 1,000 victims. */
const RSS_POINTS = 200;

/** Anon rss samples by mm_id, in time order: built once per analysis. */
function anonByMm(a: Analysis): Map<number, TraceEvent[]> {
  const m = new Map<number, TraceEvent[]>();
  for (const e of a.capture.events) {
    if (e.name !== 'kmem:rss_stat' || e.fields?.type !== 'MM_ANONPAGES' || typeof e.fields.mm_id !== 'number') continue;
    let l = m.get(e.fields.mm_id);
    if (!l) m.set(e.fields.mm_id, (l = []));
    l.push(e);
  }
  return m;
}

function rssRows(index: Map<number, TraceEvent[]>, v: VictimState, trace: string, label: string): RssRow[] {
  if (v.mmId === undefined) return [];
  // An mm_id hashes an address that a later mm may reuse: keep to this victim's lifetime.
  const from = v.mark.ts - 1_000_000_000n;
  const to = v.release ? v.release.ts + 1_000_000_000n : undefined;
  const samples = (index.get(v.mmId) ?? []).filter((e) => e.ts >= from && (to === undefined || e.ts <= to));
  const step = Math.max(1, Math.ceil(samples.length / RSS_POINTS));
  const out: RssRow[] = [];
  for (let i = 0; i < samples.length; i += step) {
    const e = samples[i]!;
    out.push({ trace, pid: v.pid, label, t: s(e.ts)!, anonMB: Number(e.fields!.size) / 1048576 });
  }
  const last = samples[samples.length - 1];
  if (last && (samples.length - 1) % step !== 0) out.push({ trace, pid: v.pid, label, t: s(last.ts)!, anonMB: Number(last.fields!.size) / 1048576 });
  return out;
}

export function chartData(analyses: readonly { trace: string; analysis: Analysis }[]): ChartData {
  const d: ChartData = { victims: [], attempts: [], callbacks: [], rss: [], findings: [] };
  for (const { trace, analysis: a } of analyses) {
    const anon = anonByMm(a);
    const premature = new Set(a.findings.filter((f) => f.kind === 'premature_victim').map((f) => f.victim?.pid));
    const leaked = new Set(a.findings.filter((f) => f.rule === 'UPI-HLIST-LEAK' || f.rule === 'UPI-HLIST-PAIRED').map((f) => `${f.victim?.pid}|${f.notifier}`));
    for (const v of a.state.victims) {
      const label = `${v.pid} ${v.comm}`;
      const sel = v.mark.ts;
      const first = v.attempts[0]?.start ?? v.attempts[0]?.skip;
      d.victims.push({
        trace, pid: v.pid, comm: v.comm, label, domain: v.domain, outcome: v.outcome, attempts: v.attempts.length,
        selected: s(sel)!, kill: s(v.kill?.ts), wake: s(v.wake?.ts), oomSkip: s(v.oomSkip?.ts), oomSkipCause: v.oomSkip?.cause,
        release: s(v.release?.ts), releaseHow: v.release?.how,
        toFirstAttempt: first ? s(first.ts - sel) : undefined,
        toOomSkip: v.oomSkip ? s(v.oomSkip.ts - sel) : undefined,
        toRelease: v.release ? s(v.release.ts - sel) : undefined,
        premature: premature.has(v.pid),
      });
      for (const at of v.attempts) {
        const t0 = (at.start ?? at.skip)!.ts;
        const t1 = (at.finish ?? at.reapRet ?? at.skip ?? at.start)!.ts;
        d.attempts.push({ trace, pid: v.pid, label, index: at.index, start: s(t0)!, end: s(t1)!, result: at.result ?? 'unknown' });
        for (const c of at.calls) {
          const failedCall = c.retval !== undefined && c.retval < 0;
          for (const cb of c.callbacks) {
            const result = cb.phase === 'start' ? (cb.retval === 0 ? 'ok' : cb.retval === undefined ? 'unknown' : 'failed') : failedCall ? 'end inside failed start' : 'end';
            const unpaired = cb.phase === 'start' && cb.retval === 0 && failedCall && leaked.has(`${v.pid}|${cb.instance}`);
            d.callbacks.push({ trace, pid: v.pid, instance: cb.instance, t: s(cb.entry.ts)!, phase: cb.phase, result, unpaired });
          }
        }
      }
      d.rss.push(...rssRows(anon, v, trace, label));
    }
    for (const f of a.findings) {
      d.findings.push({ trace, kind: f.kind, rule: f.rule, level: f.level, expected: f.expected, pid: f.victim?.pid, notifier: f.notifier, count: f.count ?? 1 });
    }
  }
  return d;
}
