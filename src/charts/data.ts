// Flat rows for the charts, from one or more analyses: every spec is a pure
// function of these tables, built from the facts (src/facts) and the findings only.
// Times are seconds on the trace clock (display only; the model keeps integer ns).
import type { Analysis } from '../pipeline.ts';
import type { VictimFacts } from '../facts/types.ts';
import { secondsOf } from '../types/time.ts';

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

const s = (ns: bigint | undefined): number | undefined => (ns === undefined ? undefined : secondsOf(ns));
/** rss samples kept per victim: enough for a curve, bounded for 1,000 victims. */
const RSS_POINTS = 200;

function rssRows(v: VictimFacts, trace: string, label: string): RssRow[] {
  const samples = v.anon;
  const step = Math.max(1, Math.ceil(samples.length / RSS_POINTS));
  const out: RssRow[] = [];
  for (let i = 0; i < samples.length; i += step) {
    const e = samples[i]!;
    out.push({ trace, pid: v.pid, label, t: s(e.ts)!, anonMB: e.bytes / 1048576 });
  }
  const last = samples[samples.length - 1];
  if (last && (samples.length - 1) % step !== 0) out.push({ trace, pid: v.pid, label, t: s(last.ts)!, anonMB: last.bytes / 1048576 });
  return out;
}

/** The rows of one or more analyses, from their facts and findings only. */
export function chartData(analyses: readonly { trace: string; analysis: Pick<Analysis, 'facts' | 'findings'> }[]): ChartData {
  const d: ChartData = { victims: [], attempts: [], callbacks: [], rss: [], findings: [] };
  for (const { trace, analysis: a } of analyses) {
    for (const v of a.facts.victims) {
      const label = `${v.pid} ${v.comm}`;
      d.victims.push({
        trace, pid: v.pid, comm: v.comm, label, domain: v.domain, outcome: v.reap, attempts: v.attempts,
        selected: s(v.selectedAt)!, kill: s(v.killedAt), wake: s(v.wokeReaperAt), oomSkip: s(v.oomSkip?.at), oomSkipCause: v.oomSkip?.cause,
        release: s(v.release?.at), releaseHow: v.release?.how,
        toFirstAttempt: s(v.latency.firstAttempt),
        toOomSkip: s(v.latency.oomSkip),
        toRelease: s(v.latency.release),
        premature: v.premature,
      });
      for (const at of v.reapAttempts) d.attempts.push({ trace, pid: v.pid, label, index: at.index, start: s(at.start)!, end: s(at.end)!, result: at.result });
      for (const cb of v.callbacks) {
        d.callbacks.push({ trace, pid: v.pid, instance: cb.instance, t: s(cb.ts)!, phase: cb.phase, result: cb.result, unpaired: cb.okInFailedCall && (v.leaks[cb.instance] ?? 0) > 0 });
      }
      d.rss.push(...rssRows(v, trace, label));
    }
    for (const f of a.findings) {
      d.findings.push({ trace, kind: f.kind, rule: f.rule, level: f.level, expected: f.expected, pid: f.victim?.pid, notifier: f.notifier, count: f.count ?? 1 });
    }
  }
  return d;
}
