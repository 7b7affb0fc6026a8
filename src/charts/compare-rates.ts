// The rate metrics of a comparison, group by group: the share of victims with the
// property as a dot, with its 95% Wilson interval, so the groups' levels (not only
// their difference) can be read. Hover for the counts.
import type { CompareResult } from '../compare/compare.ts';
import type { VictimFacts } from '../compare/facts.ts';
import { metricsFor } from '../compare/metrics.ts';
import { wilson } from '../compare/proportions.ts';
import { CONFIG, SCHEMA, WIDTH, type Spec } from './common.ts';
import { groupColors } from './compare-common.ts';

const TITLE = 'Rates per group: share of victims, with 95% intervals';
const pct = (x: number): number => Math.round(x * 1e4) / 100;

export function compareRates(r: CompareResult): Spec {
  const defs = metricsFor(r.groups.flatMap((g) => g.victims)).filter((m) => m.kind === 'proportion');
  const groups = r.groups.map((g) => g.label);
  const rows = defs.flatMap((m) =>
    r.groups.flatMap((g) => {
      const pop = g.victims.filter((v: VictimFacts) => m.event!(v) !== undefined);
      if (!pop.length) return [];
      const events = pop.filter((v) => m.event!(v)).length;
      const w = wilson(events, pop.length, r.level);
      const total = m.total ? pop.reduce((n, v) => n + m.total!(v), 0) : undefined;
      return [{
        metric: m.name,
        group: g.label,
        rate: pct(events / pop.length),
        lo: pct(w.lower),
        hi: pct(w.upper),
        count: `${events} of ${pop.length} victims${total !== undefined ? ` (${total} ${m.totalName})` : ''}`,
        population: m.population,
      }];
    }),
  );
  const names = defs.map((m) => m.name).filter((n) => rows.some((x) => x.metric === n));
  const y = { field: 'metric', type: 'nominal' as const, sort: names, scale: { domain: names }, title: null, axis: { labelLimit: 300 } };
  const yOffset = { field: 'group', type: 'nominal' as const, sort: groups, scale: { domain: groups } };
  const color = { field: 'group', type: 'nominal' as const, scale: groupColors(r), legend: { title: 'group', orient: 'top' as const } };
  const tooltip = [{ field: 'metric' }, { field: 'group' }, { field: 'count' }, { field: 'rate', title: 'rate (%)' }, { field: 'lo', title: 'interval from (%)' }, { field: 'hi', title: 'to (%)' }, { field: 'population', title: 'among' }];
  const x = { field: 'rate', type: 'quantitative' as const, title: 'share of victims (%)', scale: { domain: [0, 100] } };
  return {
    $schema: SCHEMA,
    title: { text: TITLE, subtitle: 'each rate is over the victims it could happen to (hover for the counts)' },
    config: CONFIG,
    width: WIDTH,
    height: { step: 14, for: 'offset' },
    data: { values: rows },
    layer: [
      { mark: { type: 'rule', strokeWidth: 2, opacity: 0.8 }, encoding: { y, yOffset, x: { field: 'lo', type: 'quantitative', scale: { domain: [0, 100] }, title: 'share of victims (%)' }, x2: { field: 'hi' }, color, tooltip } },
      { mark: { type: 'point', filled: true, size: 60, opacity: 1 }, encoding: { y, yOffset, x, color, tooltip } },
    ],
  } as Spec;
}

export const compareRatesEmpty = (r: CompareResult): boolean =>
  !metricsFor(r.groups.flatMap((g) => g.victims)).some((m) => m.kind === 'proportion' && r.groups.some((g) => g.victims.some((v) => m.event!(v) !== undefined)));
