// One metric, one group against the baseline: the statistics and the verdict.
//
//   regressed / improved   p < α and the shift reaches the metric's threshold, in the
//                          direction the metric declares worse / better
//   unchanged              otherwise (the shift is under the threshold, or p ≥ α)
//   not enough data        a side has no value; or the shift reaches the threshold
//                          but these sample sizes cannot reach p < α at all; or each
//                          side is a single capture and the raw difference reaches
//                          the threshold (one trace per side: descriptive only, no
//                          p-value is claimed)
import type { VictimFacts } from './facts.ts';
import type { MetricDef } from './metrics.ts';
import { hodgesLehmann, mannWhitney, smallestP } from './mann-whitney.ts';
import { fisherExact, smallestFisherP } from './fisher.ts';
import { newcombe, wilson } from './proportions.ts';
import * as fmt from './format.ts';

export type Verdict = 'regressed' | 'improved' | 'unchanged' | 'not enough data';

export interface Side {
  label: string;
  /** Captures in the group. */
  captures: number;
  victims: readonly VictimFacts[];
}

export interface SideStats {
  /** Victims in the metric's population (with a value, for durations and counts). */
  n: number;
  /** Captures those victims come from. */
  captures: number;
  median?: number;
  q1?: number;
  q3?: number;
  min?: number;
  max?: number;
  /** Proportions: victims with the property, their share and its Wilson interval. */
  events?: number;
  rate?: number;
  rateCi?: [number, number];
  /** Proportions: the summed total shown beside the rate (e.g. failed starts). */
  total?: number;
}

export interface MetricResult {
  id: string;
  name: string;
  kind: MetricDef['kind'];
  unit: string;
  worse: 'higher' | 'lower';
  population: string;
  baseline: SideStats;
  group: SideStats;
  /** group − baseline: Hodges-Lehmann shift, difference of medians (descriptive) or of rates. */
  shift?: number;
  shiftName?: string;
  ci?: [number, number];
  ciLevel?: number;
  ciMethod?: string;
  p?: number;
  test?: string;
  /** The smallest change that counts, in the metric's unit (absolute). */
  minShift: number;
  /** The rule, in words, with the numbers of this comparison. */
  threshold: string;
  descriptive: boolean;
  verdict: Verdict;
  why: string;
  /** The kernel model predicts a change of this metric between the two profiles. */
  predicted?: string;
}

export interface VerdictOptions {
  alpha: number;
  level: number;
  /** Each side is one capture: no p-value, the raw difference only. */
  descriptive: boolean;
}

export function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function valuesOf(m: MetricDef, vs: readonly VictimFacts[]): { values: number[]; captures: number } {
  const values: number[] = [];
  const caps = new Set<string>();
  for (const v of vs) {
    const x = m.value!(v);
    if (x === undefined || !Number.isFinite(x)) continue;
    values.push(x);
    caps.add(v.capture);
  }
  return { values, captures: caps.size };
}

function spread(values: readonly number[], captures: number): SideStats {
  if (!values.length) return { n: 0, captures };
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, captures, median: quantile(s, 0.5), q1: quantile(s, 0.25), q3: quantile(s, 0.75), min: s[0], max: s[s.length - 1] };
}

function share(m: MetricDef, vs: readonly VictimFacts[], level: number): SideStats & { events: number } {
  let n = 0;
  let events = 0;
  let total = 0;
  const caps = new Set<string>();
  for (const v of vs) {
    const e = m.event!(v);
    if (e === undefined) continue;
    n++;
    caps.add(v.capture);
    if (e) events++;
    if (m.total) total += m.total(v);
  }
  const out: SideStats & { events: number } = { n, captures: caps.size, events };
  if (n) {
    const w = wilson(events, n, level);
    out.rate = events / n;
    out.rateCi = [w.lower, w.upper];
  }
  if (m.total) out.total = total;
  return out;
}

function thresholdText(m: MetricDef, base: SideStats, alpha: number, minShift: number): string {
  const t = m.threshold;
  if (m.kind === 'proportion') return `p < ${alpha} and |Δ rate| ≥ ${fmt.value(m, t.abs).replace('%', '')} percentage points`;
  const rel = base.median !== undefined && t.rel > 0 ? ` ${Math.round(t.rel * 100)}% of the baseline median${base.median ? ` (${fmt.value(m, Math.abs(t.rel * base.median))})` : ''} and` : '';
  return `p < ${alpha} and |shift| ≥${rel} ${fmt.value(m, t.abs)}${m.kind === 'duration' ? '' : ` ${m.unit}`} (so ≥ ${fmt.value(m, minShift)})`;
}

const direction = (m: MetricDef, d: number): 'regressed' | 'improved' => ((d > 0) === (m.worse === 'higher') ? 'regressed' : 'improved');

export function compareMetric(m: MetricDef, base: Side, group: Side, opts: VerdictOptions): MetricResult {
  const head = { id: m.id, name: m.name, kind: m.kind, unit: m.unit, worse: m.worse, population: m.population, descriptive: opts.descriptive };
  if (m.kind === 'proportion') return compareShares(m, head, base, group, opts);
  const b = valuesOf(m, base.victims);
  const g = valuesOf(m, group.victims);
  const bs = spread(b.values, b.captures);
  const gs = spread(g.values, g.captures);
  const minShift = Math.max(m.threshold.abs, m.threshold.rel * Math.abs(bs.median ?? 0));
  const threshold = thresholdText(m, bs, opts.alpha, minShift);
  const res: MetricResult = { ...head, baseline: bs, group: gs, minShift, threshold, verdict: 'not enough data', why: '' };
  if (!bs.n || !gs.n) {
    res.why = `no value on ${!bs.n && !gs.n ? 'either side' : !bs.n ? base.label : group.label} (${m.population})`;
    return res;
  }
  if (opts.descriptive) {
    const d = gs.median! - bs.median!;
    Object.assign(res, { shift: d, shiftName: 'difference of medians' });
    if (Math.abs(d) < minShift) {
      res.verdict = 'unchanged';
      res.why = `single trace per side: descriptive only; the medians differ by ${fmt.shift(m, d)}, under ${fmt.size(m, minShift)}`;
    } else {
      res.why = `single trace per side: descriptive only; the medians differ by ${fmt.shift(m, d)} (threshold ${fmt.size(m, minShift)}), but one capture per side cannot tell a change from chance`;
    }
    return res;
  }
  const mw = mannWhitney(g.values, b.values);
  const hl = hodgesLehmann(g.values, b.values, opts.level);
  Object.assign(res, {
    shift: hl.estimate,
    shiftName: 'Hodges-Lehmann',
    ci: [hl.lower, hl.upper],
    ciLevel: hl.level,
    ciMethod: hl.method === 'exact' ? 'exact distribution-free (Mann-Whitney quantiles)' : 'distribution-free, normal approximation of the rank quantiles',
    p: mw.p,
    test: mw.method === 'exact' ? 'Mann-Whitney U, exact' : `Mann-Whitney U, normal approximation${mw.ties ? ', ties corrected' : ''}`,
  });
  decide(res, m, hl.estimate, mw.p, smallestP(gs.n, bs.n), minShift, opts.alpha);
  return res;
}

function decide(res: MetricResult, m: MetricDef, d: number, p: number, floor: number, minShift: number, alpha: number): void {
  const big = Math.abs(d) >= minShift;
  if (!big) {
    res.verdict = 'unchanged';
    res.why = `shift ${fmt.shift(m, d)} is under ${fmt.size(m, minShift)}${p < alpha ? ` (though p = ${fmt.pValue(p)})` : ''}`;
  } else if (p < alpha) {
    res.verdict = direction(m, d);
    res.why = `p = ${fmt.pValue(p)} < ${alpha} and shift ${fmt.shift(m, d)} reaches ${fmt.size(m, minShift)}; ${m.worse} is worse`;
  } else if (floor >= alpha) {
    res.verdict = 'not enough data';
    res.why = `shift ${fmt.shift(m, d)}, but with n = ${res.group.n} and ${res.baseline.n} the smallest possible p is ${fmt.pValue(floor)} ≥ ${alpha}`;
  } else {
    res.verdict = 'unchanged';
    res.why = `p = ${fmt.pValue(p)} ≥ ${alpha}`;
  }
}

function compareShares(m: MetricDef, head: Pick<MetricResult, 'id' | 'name' | 'kind' | 'unit' | 'worse' | 'population' | 'descriptive'>, base: Side, group: Side, opts: VerdictOptions): MetricResult {
  const bs = share(m, base.victims, opts.level);
  const gs = share(m, group.victims, opts.level);
  const minShift = m.threshold.abs;
  const res: MetricResult = { ...head, baseline: bs, group: gs, minShift, threshold: thresholdText(m, bs, opts.alpha, minShift), verdict: 'not enough data', why: '' };
  if (!bs.n || !gs.n) {
    res.why = `no victim on ${!bs.n && !gs.n ? 'either side' : !bs.n ? base.label : group.label} is among the ${m.population}`;
    return res;
  }
  const d = gs.rate! - bs.rate!;
  if (opts.descriptive) {
    Object.assign(res, { shift: d, shiftName: 'difference of rates' });
    if (Math.abs(d) < minShift) {
      res.verdict = 'unchanged';
      res.why = `single trace per side: descriptive only; the rates differ by ${fmt.shift(m, d)}, under ${fmt.size(m, minShift)}`;
    } else {
      res.why = `single trace per side: descriptive only; the rates differ by ${fmt.shift(m, d)} (${gs.events}/${gs.n} against ${bs.events}/${bs.n}), but one capture per side cannot tell a change from chance`;
    }
    return res;
  }
  const f = fisherExact(gs.events, gs.n - gs.events, bs.events, bs.n - bs.events);
  const nc = newcombe(gs.events, gs.n, bs.events, bs.n, opts.level);
  Object.assign(res, {
    shift: d,
    shiftName: 'difference of rates',
    ci: [nc.lower, nc.upper],
    ciLevel: opts.level,
    ciMethod: "Newcombe's hybrid score interval",
    p: f.p,
    test: "Fisher's exact test, two-sided",
  });
  decide(res, m, d, f.p, smallestFisherP(gs.n, bs.n), minShift, opts.alpha);
  return res;
}
