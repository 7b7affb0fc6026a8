// The metrics a comparison judges, each declared with what it measures, on which
// victims, which way is worse, and the smallest change that counts.
//
// Three kinds:
// - duration: seconds from the selection to a step, one value per victim that
//   reached it; Mann-Whitney U and the Hodges-Lehmann shift.
// - count: a number per victim (reap attempts; notifier callback failures per
//   attempt); compared like the durations, ties corrected.
// - proportion: victims with a property among the victims it could happen to;
//   Fisher's exact test on the 2×2 table of victims, Newcombe's interval.
//
// The unit of every test is the victim: the attempts and invalidate calls of one
// victim are not independent of each other, so they are summed per victim (and
// shown as totals beside the rates) rather than tested one by one.
import type { VictimFacts } from './facts.ts';

export type MetricKind = 'duration' | 'count' | 'proportion';

export interface Threshold {
  /** Relative to the baseline's median (durations and counts). */
  rel: number;
  /** In the metric's unit: seconds, attempts, failures per attempt, or a share (0.10 = 10 percentage points). */
  abs: number;
}

export interface MetricDef {
  id: string;
  name: string;
  kind: MetricKind;
  /** Unit of the values: 's', 'attempts', 'failures/attempt'; proportions: 'victims'. */
  unit: string;
  /** Which direction is worse. */
  worse: 'higher' | 'lower';
  /** The victims the metric is computed over. */
  population: string;
  /** duration / count: the victim's value (undefined: not in the population). */
  value?: (v: VictimFacts) => number | undefined;
  /** proportion: whether the victim has the property (undefined: not in the population). */
  event?: (v: VictimFacts) => boolean | undefined;
  /** proportion: a total shown beside the rate (e.g. the failed starts themselves). */
  total?: (v: VictimFacts) => number;
  totalName?: string;
  threshold: Threshold;
}

export const DURATION_THRESHOLD: Threshold = { rel: 0.1, abs: 0.001 };
export const COUNT_THRESHOLD: Threshold = { rel: 0.1, abs: 1 };
export const RATE_THRESHOLD: Threshold = { rel: 0, abs: 0.1 };

const duration = (id: string, name: string, pick: (v: VictimFacts) => number | undefined, population: string): MetricDef => ({
  id, name, kind: 'duration', unit: 's', worse: 'higher', population, value: pick, threshold: DURATION_THRESHOLD,
});

/** The fixed metrics, in table order; per-notifier leak metrics are added for the notifiers the captures show. */
export const BASE_METRICS: readonly MetricDef[] = [
  duration('wake', 'selection → oom_reaper woken', (v) => v.wake, 'victims with a wake_reaper'),
  duration('firstAttempt', 'selection → first reap attempt', (v) => v.firstAttempt, 'victims with a reap attempt'),
  duration('oomSkip', 'selection → MMF_OOM_SKIP', (v) => v.oomSkip, 'victims whose MMF_OOM_SKIP is seen'),
  duration('release', 'selection → memory released', (v) => v.release, 'victims whose memory release is seen'),
  {
    id: 'attempts', name: 'reap attempts per victim', kind: 'count', unit: 'attempts', worse: 'higher',
    population: 'victims the oom_reaper worked on', value: (v) => (v.reaperWorked ? v.attempts : undefined), threshold: COUNT_THRESHOLD,
  },
  {
    id: 'gaveUp', name: 'reaper gave up', kind: 'proportion', unit: 'victims', worse: 'higher',
    population: 'victims the oom_reaper worked on', event: (v) => (v.reaperWorked ? v.gaveUp : undefined), threshold: RATE_THRESHOLD,
  },
  {
    id: 'lockBusy', name: 'attempts skipped, mmap_lock busy', kind: 'proportion', unit: 'victims', worse: 'higher',
    population: 'victims the oom_reaper worked on', event: (v) => (v.reaperWorked ? v.lockBusy > 0 : undefined),
    total: (v) => v.lockBusy, totalName: 'skips', threshold: RATE_THRESHOLD,
  },
  {
    id: 'coreFailed', name: 'unpaired: failed non-blocking starts', kind: 'proportion', unit: 'victims', worse: 'higher',
    population: 'victims with invalidate_range_start calls seen by probe', event: (v) => (v.coreStarts > 0 ? v.coreFailed > 0 : undefined),
    total: (v) => v.coreFailed, totalName: 'failed starts', threshold: RATE_THRESHOLD,
  },
  {
    id: 'premature', name: 'selected prematurely', kind: 'proportion', unit: 'victims', worse: 'higher',
    population: 'victims selected after an earlier victim of their OOM domain', event: (v) => (v.laterSelection ? v.premature : undefined), threshold: RATE_THRESHOLD,
  },
  {
    id: 'byReaper', name: 'memory released by the reaper (not exit)', kind: 'proportion', unit: 'victims', worse: 'lower',
    population: 'victims whose memory release is seen', event: (v) => (v.releaseHow === undefined ? undefined : v.releaseHow === 'reaper'), threshold: RATE_THRESHOLD,
  },
  {
    id: 'callbackFailures', name: 'notifier callback failures per attempt', kind: 'count', unit: 'failures/attempt', worse: 'higher',
    population: 'victims with a reap attempt that ran, in captures with callback probes or the kernel log',
    value: (v) => (v.callbackFailures === undefined || v.attemptsRun === 0 ? undefined : v.callbackFailures / v.attemptsRun), threshold: COUNT_THRESHOLD,
  },
];

/** Unpaired starts of one notifier instance (a start that succeeded inside a failed call and was never ended). */
export function leakMetric(notifier: string): MetricDef {
  return {
    id: `leak:${notifier}`, name: `unpaired: ${notifier} starts never ended`, kind: 'proportion', unit: 'victims', worse: 'higher',
    population: `victims whose mm called ${notifier}`, event: (v) => (v.notifiers.includes(notifier) ? (v.leaks[notifier] ?? 0) > 0 : undefined),
    total: (v) => v.leaks[notifier] ?? 0, totalName: 'unended starts', threshold: RATE_THRESHOLD,
  };
}

/** The metrics for these victims: the fixed ones, with one leak metric per notifier seen (placed after the core one). */
export function metricsFor(victims: readonly VictimFacts[]): MetricDef[] {
  const names = [...new Set(victims.flatMap((v) => v.notifiers))].sort();
  const out: MetricDef[] = [];
  for (const m of BASE_METRICS) {
    out.push(m);
    if (m.id !== 'coreFailed') continue;
    if (names.length) out.push(...names.map(leakMetric));
    else out.push({ ...leakMetric('notifier'), id: 'leak', name: 'unpaired: notifier starts never ended', population: 'victims whose mm called a notifier (no callback traced)', event: () => undefined });
  }
  return out;
}

export const isDuration = (m: MetricDef): boolean => m.kind === 'duration';
