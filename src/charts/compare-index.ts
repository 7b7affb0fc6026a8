// The comparison page's charts, a closed set like CHARTS (index.ts), over a
// CompareResult instead of one capture's rows.
import type { TopLevelSpec } from 'vega-lite';
import type { CompareResult } from '../compare/compare.ts';
import { compareDistributions, compareDistributionsEmpty } from './compare-distributions.ts';
import { compareShifts, compareShiftsEmpty } from './compare-shifts.ts';
import { compareRates, compareRatesEmpty } from './compare-rates.ts';

export const COMPARE_CHART_NAMES = ['compare-shifts', 'compare-distributions', 'compare-rates'] as const;
export type CompareChartName = (typeof COMPARE_CHART_NAMES)[number];

export interface CompareChart {
  title: string;
  spec: (r: CompareResult) => TopLevelSpec;
  empty: (r: CompareResult) => boolean;
}

export type CompareCharts = Readonly<Record<string, CompareChart>>;

export const COMPARE_CHARTS: Record<CompareChartName, CompareChart> = {
  'compare-shifts': { title: 'Shift of each metric against the baseline, with intervals', spec: compareShifts, empty: compareShiftsEmpty },
  'compare-distributions': { title: 'Distributions of the durations, per group', spec: compareDistributions, empty: compareDistributionsEmpty },
  'compare-rates': { title: 'Rates per group, with intervals', spec: compareRates, empty: compareRatesEmpty },
};
