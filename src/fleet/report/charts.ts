// The fleet page's Vega-Lite charts, each from aggregated rows (fleetPageData), so a
// chart has as many marks as releases, families, notifiers or histogram bins, never
// one per capture or victim.
import type { TopLevelSpec } from 'vega-lite';
import type { PageChart } from '../../report/html/charts-section.ts';
import type { FleetPageData, RateRow } from './data.ts';

const pct = { format: '.1%' } as const;

function rateChart(rows: RateRow[], key: string, what: string, of: string): TopLevelSpec {
  const tooltip = [
    { field: 'key', title: key },
    { field: 'rate', title: what, format: '.1%' },
    { field: 'x', title: what },
    { field: 'n', title: of },
    { field: 'lower', title: '95% low', format: '.1%' },
    { field: 'upper', title: '95% high', format: '.1%' },
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 640,
    height: { step: 22 },
    data: { values: rows },
    encoding: { y: { field: 'key', type: 'nominal', title: key, sort: null } },
    layer: [
      { mark: { type: 'rule', strokeWidth: 2 }, encoding: { x: { field: 'lower', type: 'quantitative', title: `${what} (95% Wilson interval)`, scale: { domain: [0, 1] }, axis: pct }, x2: { field: 'upper' }, tooltip } },
      { mark: { type: 'point', filled: true, size: 70 }, encoding: { x: { field: 'rate', type: 'quantitative' }, tooltip } },
    ],
  } as TopLevelSpec;
}

export const FLEET_CHARTS: Record<string, PageChart<FleetPageData>> = {
  premature: {
    title: 'Premature selections per kernel release: share of victims selected prematurely, with 95% interval',
    empty: (d) => d.premature.length === 0,
    spec: (d) => rateChart(d.premature, 'kernel release', 'premature', 'victims'),
  },
  giveUp: {
    title: 'Reaper give-ups per kernel family: share of the victims it worked on, with 95% interval',
    empty: (d) => d.giveUp.length === 0,
    spec: (d) => rateChart(d.giveUp, 'kernel family', 'gave up', 'victims worked on'),
  },
  latency: {
    title: 'Time from selection to each step, per family: victims per bin (log scale, 4 bins per decade)',
    empty: (d) => d.latency.length === 0,
    spec: (d) =>
      ({
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        data: { values: d.latency },
        transform: [{ calculate: 'pow(10, datum.bin)', as: 'from_s' }, { calculate: 'pow(10, datum.bin + 0.25)', as: 'to_s' }],
        facet: { row: { field: 'step', type: 'nominal', title: null, sort: ['wake', 'first_attempt', 'oom_skip', 'release'] } },
        spec: {
          width: 640,
          height: 90,
          mark: { type: 'bar', opacity: 0.65 },
          encoding: {
            x: { field: 'from_s', type: 'quantitative', scale: { type: 'log' }, title: 'seconds after the selection' },
            x2: { field: 'to_s' },
            y: { field: 'victims', type: 'quantitative', stack: null, title: 'victims' },
            y2: { datum: 0 },
            color: { field: 'family', type: 'nominal', title: 'family' },
            tooltip: [{ field: 'family' }, { field: 'step' }, { field: 'from_s', title: 'from (s)', format: '.3g' }, { field: 'to_s', title: 'to (s)', format: '.3g' }, { field: 'victims' }],
          },
        },
      }) as TopLevelSpec,
  },
  notifiers: {
    title: 'Notifiers that fail most: failed start callbacks, and the share of victims with one',
    empty: (d) => d.notifiers.length === 0,
    spec: (d) =>
      ({
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        width: 640,
        height: { step: 22 },
        data: { values: d.notifiers },
        mark: 'bar',
        encoding: {
          y: { field: 'notifier', type: 'nominal', sort: '-x', title: 'notifier' },
          x: { field: 'failed', type: 'quantitative', title: 'failed start callbacks' },
          color: { field: 'rate', type: 'quantitative', title: 'victims with a failure', scale: { domain: [0, 1], scheme: 'oranges' }, legend: { format: '.0%' } },
          tooltip: [{ field: 'notifier' }, { field: 'failed', title: 'failed starts' }, { field: 'withFailures', title: 'victims with a failure' }, { field: 'victims' }, { field: 'rate', format: '.1%' }, { field: 'unended', title: 'starts never ended' }],
        },
      }) as TopLevelSpec,
  },
  dataLoss: {
    title: 'Captures with data loss per kernel family (their verdicts are lowered), with 95% interval',
    empty: (d) => d.dataLoss.length === 0,
    spec: (d) => rateChart(d.dataLoss, 'kernel family', 'with data loss', 'captures'),
  },
};
