// What the chart specs share: the schema, sizes, fixed colour scales, and the small
// statistics that let a spec carry a summary instead of every row when there are
// many victims (the inline data stays small at 1,000 victims).
//
// Rows come from traced systems: comm, labels and trace names are data. They go into
// `data.values` (and, for lane order, into `sort` arrays), which Vega renders as
// text; they are never put into an expression string, a field name or a file name.
import type { TopLevelSpec } from 'vega-lite';
import type { ChartData, VictimRow } from './data.ts';
import { formatSeconds } from '../types/time.ts';

export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
export type Spec = TopLevelSpec;

/** Width of the time axes (px). */
export const WIDTH = 720;
/** Above this many victims the per-victim views give way to aggregates. */
export const MAX_LANES = 40;

/** Seconds rounded to the microsecond: the trace clock's useful precision, and short JSON. */
export const us = (x: number): number => Math.round(x * 1e6) / 1e6;
/** Two decimals (MB, counts averaged). */
export const r2 = (x: number): number => Math.round(x * 100) / 100;

/** A duration held as seconds, for labels (the axes carry seconds). */
export const fmtDur = formatSeconds;

/** An integer with thousands separators (no locale data involved: specs are the same everywhere). */
export const num = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
export const plural = (n: number, one: string, many = `${one}s`): string => `${num(n)} ${n === 1 ? one : many}`;
/** Code-point order (not the locale's), for stable specs. */
export const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Quantile of sorted values (linear interpolation, as numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export interface FiveNumbers {
  n: number;
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
}

export function fiveNumbers(values: readonly number[]): FiveNumbers | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, min: us(s[0]!), q1: us(quantile(s, 0.25)), median: us(quantile(s, 0.5)), q3: us(quantile(s, 0.75)), max: us(s[s.length - 1]!) };
}

/** A bin edge grid of `n` equal bins over [lo, hi] (a degenerate range gets a small width). */
export function grid(lo: number, hi: number, n: number): { lo: number; width: number; n: number; of: (x: number) => number } {
  const width = hi > lo ? (hi - lo) / n : 1e-3;
  return { lo, width, n, of: (x) => Math.min(n - 1, Math.max(0, Math.floor((x - lo) / width))) };
}

/** Traces in first-seen order. */
export const traces = (d: ChartData): string[] => [...new Set([...d.victims.map((v) => v.trace), ...d.findings.map((f) => f.trace)])];

/** Subtitle naming the capture(s): the trace names are data, shown as text. */
export function whichTraces(d: ChartData): string {
  const t = traces(d);
  return t.length === 1 ? t[0]! : `${t.length} traces`;
}

/**
 * Lane names: `pid comm`, with the trace in front when asked (views that mix
 * traces), and a counter when a pid was reused within one trace. Keyed by victim row.
 */
export function laneNames(d: ChartData, withTrace: boolean): Map<VictimRow, string> {
  const seen = new Map<string, number>();
  const out = new Map<VictimRow, string>();
  for (const v of d.victims) {
    const base = withTrace ? `${v.trace} · ${v.label}` : v.label;
    const key = `${v.trace}\u0000${v.label}`;
    const k = seen.get(key) ?? 0;
    seen.set(key, k + 1);
    out.set(v, k ? `${base} (#${k + 1})` : base);
  }
  return out;
}

/** The victim a callback, attempt or rss row belongs to: the one of that trace and pid selected last at or before `t`. */
export function victimAt(d: ChartData): (trace: string, pid: number, t: number) => VictimRow | undefined {
  const by = new Map<string, VictimRow[]>();
  for (const v of d.victims) {
    const k = `${v.trace}\u0000${v.pid}`;
    by.set(k, [...(by.get(k) ?? []), v]);
  }
  return (trace, pid, t) => {
    const vs = by.get(`${trace}\u0000${pid}`);
    if (!vs) return undefined;
    let best = vs[0];
    for (const v of vs) if (v.selected - 1 <= t) best = v;
    return best;
  };
}

/**
 * For each premature selection, the earlier victims of its trace and OOM domain that
 * still held memory then: selected before it, MMF_OOM_SKIP set by then, and not
 * released by then (the detector's rule, from the rows; data.ts does not name them).
 */
export function heldMemory(d: ChartData): { victim: VictimRow; holders: VictimRow[] }[] {
  const vague = (x: string) => x === 'unknown' || x === 'memcg:?';
  return d.victims
    .filter((v) => v.premature)
    .map((v) => ({
      victim: v,
      holders: d.victims.filter(
        (h) =>
          h !== v &&
          h.trace === v.trace &&
          (h.domain === v.domain || vague(h.domain) || vague(v.domain)) &&
          h.selected < v.selected &&
          h.oomSkip !== undefined &&
          h.oomSkip <= v.selected &&
          (h.release === undefined || h.release > v.selected),
      ),
    }));
}

/**
 * A fixed scale cut down to the categories present (in the scale's order), so a
 * legend lists only what the chart shows while each category keeps its colour.
 * Categories the scale does not know are appended with a neutral grey.
 */
export function pick<R>(scale: { domain: readonly string[]; range: readonly R[] }, present: Iterable<string>, other: R): { domain: string[]; range: R[] } {
  const want = new Set(present);
  const domain: string[] = [];
  const range: R[] = [];
  scale.domain.forEach((c, i) => {
    if (want.has(c)) {
      domain.push(c);
      range.push(scale.range[i]!);
      want.delete(c);
    }
  });
  for (const c of [...want].sort()) {
    domain.push(c);
    range.push(other);
  }
  return { domain, range };
}

// Fixed colour scales, so a category keeps its colour from chart to chart and trace to trace.

export const ATTEMPT_RESULTS = ['ok', 'failed', 'lock_busy', 'already_skipped', 'unknown'] as const;
export const ATTEMPT_LABEL: Record<string, string> = {
  ok: 'reaped',
  failed: 'failed (__oom_reap_task_mm false)',
  lock_busy: 'mmap_lock busy',
  already_skipped: 'MMF_OOM_SKIP already set',
  unknown: 'unknown',
};
export const attemptLabel = (r: string): string => ATTEMPT_LABEL[r] ?? r;
export const ATTEMPT_COLOR = {
  domain: ATTEMPT_RESULTS.map(attemptLabel),
  range: ['#54a24b', '#e45756', '#f58518', '#9d755d', '#bab0ac'],
};

export const CALLBACK_RESULTS = ['start ok', 'start failed', 'start unknown', 'end', 'end inside failed start', 'start ok, never ended'] as const;
export const CALLBACK_COLOR = {
  domain: [...CALLBACK_RESULTS],
  range: ['#4c78a8', '#e45756', '#bab0ac', '#54a24b', '#b279a2', '#000000'],
};
export function callbackClass(c: { phase: 'start' | 'end'; result: string; unpaired: boolean }): string {
  if (c.phase === 'end') return c.result === 'end inside failed start' ? 'end inside failed start' : 'end';
  if (c.unpaired) return 'start ok, never ended';
  return c.result === 'ok' ? 'start ok' : c.result === 'failed' ? 'start failed' : 'start unknown';
}

export const LEVELS = ['proven', 'suggested', 'inconclusive'] as const;
export const LEVEL_COLOR = { domain: [...LEVELS], range: ['#c0392b', '#f39c12', '#95a5a6'] };

export const OUTCOMES = ['reaped', 'gave_up', 'not_run', 'pending'] as const;
export const OUTCOME_LABEL: Record<string, string> = {
  reaped: 'reaped by oom_reaper',
  gave_up: 'oom_reaper gave up',
  not_run: 'exited before the reaper ran',
  pending: 'still pending at trace end',
};
export const outcomeLabel = (o: string): string => OUTCOME_LABEL[o] ?? o;
export const OUTCOME_COLOR = { domain: OUTCOMES.map(outcomeLabel), range: ['#54a24b', '#f58518', '#4c78a8', '#bab0ac'] };

export const MILESTONES = ['SIGKILL sent', 'selected (mark_victim)', 'oom_reaper woken', 'first reap attempt', 'MMF_OOM_SKIP set', 'memory released'] as const;
export type Milestone = (typeof MILESTONES)[number];
export const MILESTONE_COLOR = { domain: [...MILESTONES], range: ['#000000', '#4c78a8', '#72b7b2', '#f58518', '#e45756', '#54a24b'] };
export const MILESTONE_SHAPE = { domain: [...MILESTONES], range: ['cross', 'circle', 'triangle-right', 'diamond', 'square', 'triangle-down'] };

/** The axis of trace-clock time. */
export const TRACE_TIME = { title: 'time on the trace clock (s)', format: '~f' } as const;
/** The axis of time since the OOM killer selected the victim. */
export const SINCE_SELECTION = { title: 'seconds since the victim was selected (mark_victim)', format: '~f' } as const;

export const CONFIG = {
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' as const },
  legend: { labelFontSize: 11, titleFontSize: 11, labelLimit: 600, titleLimit: 600, symbolOpacity: 1 },
  header: { labelFontSize: 11, labelLimit: 400, labelAngle: 0, labelAlign: 'left' as const, labelAnchor: 'start' as const, labelOrient: 'top' as const },
  title: { anchor: 'start' as const, fontSize: 14, subtitleFontSize: 11, subtitleColor: '#555' },
};
