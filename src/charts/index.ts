// The charts, a closed set: a name without a spec (or a spec without a name) does
// not compile. File names of the written charts come from these names only.
import type { TopLevelSpec } from 'vega-lite';
import type { ChartData } from './data.ts';
import { victimLifecycle } from './victim-lifecycle.ts';
import { notifierPairing } from './notifier-pairing.ts';
import { memoryTeardown } from './memory-teardown.ts';
import { distributions } from './distributions.ts';
import { findingsSummary } from './findings-summary.ts';

export const CHART_NAMES = ['victim-lifecycle', 'notifier-pairing', 'memory-teardown', 'distributions', 'findings-summary'] as const;
export type ChartName = (typeof CHART_NAMES)[number];

export interface Chart {
  title: string;
  spec: (d: ChartData) => TopLevelSpec;
  /** Nothing to draw: the chart is left out rather than drawn empty. */
  empty: (d: ChartData) => boolean;
}

export const CHARTS: Record<ChartName, Chart> = {
  'victim-lifecycle': {
    title: 'Victim lifecycle: selection, SIGKILL, reap attempts, MMF_OOM_SKIP, release',
    spec: victimLifecycle,
    empty: (d) => d.victims.length === 0,
  },
  'notifier-pairing': {
    title: 'mmu notifier invalidate_range_start/end pairing',
    spec: notifierPairing,
    empty: (d) => d.callbacks.length === 0,
  },
  'memory-teardown': {
    title: 'Anon RSS of each victim during the teardown',
    spec: memoryTeardown,
    empty: (d) => d.victims.length === 0 || (d.rss.length === 0 && d.attempts.length === 0),
  },
  distributions: {
    title: 'Reap latencies and attempts per victim',
    spec: distributions,
    empty: (d) => d.victims.length === 0,
  },
  'findings-summary': {
    title: 'Findings by rule and evidence level',
    spec: findingsSummary,
    empty: (d) => d.findings.length === 0,
  },
};
