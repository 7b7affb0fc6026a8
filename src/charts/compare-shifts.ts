// Each group against the baseline, metric by metric, as a dot with its interval:
// the Hodges-Lehmann shift (durations, counts per victim) or the difference of
// rates, with its 95% interval, coloured by verdict, over a grey band of the changes
// too small to count (the metric's threshold). One panel per kind of unit. Single-
// trace comparisons have no interval: their dot is the raw difference, hollow.
import type { CompareResult } from '../compare/compare.ts';
import type { MetricResult } from '../compare/verdict.ts';
import * as fmt from '../compare/format.ts';
import { CONFIG, SCHEMA, WIDTH, type Spec } from './common.ts';
import { VERDICT_COLOR } from './compare-common.ts';

const TITLE = 'Shift of each metric against the baseline, with its 95% interval';

const PANELS = [
  { kind: 'duration', title: 'durations: shift in seconds (group − baseline)', scale: 1 },
  { kind: 'count', title: 'per victim: shift in attempts or failures per attempt', scale: 1 },
  { kind: 'proportion', title: 'rates: difference in percentage points', scale: 100 },
] as const;

interface Row {
  metric: string;
  group: string;
  est: number;
  lo?: number;
  hi?: number;
  bandLo: number;
  bandHi: number;
  verdict: string;
  kind: string;
  shift: string;
  interval: string;
  p: string;
  why: string;
}

function rows(r: CompareResult): Row[] {
  const out: Row[] = [];
  for (const c of r.comparisons) {
    for (const m of c.metrics as MetricResult[]) {
      if (m.shift === undefined) continue;
      const k = m.kind === 'proportion' ? 100 : 1;
      const round = (x: number) => Math.round(x * k * 1e6) / 1e6;
      out.push({
        metric: m.name,
        group: c.group,
        est: round(m.shift),
        ...(m.ci ? { lo: round(m.ci[0]), hi: round(m.ci[1]) } : {}),
        bandLo: round(-m.minShift),
        bandHi: round(m.minShift),
        verdict: m.verdict,
        kind: c.descriptive ? 'raw difference (single trace per side)' : m.shiftName ?? '',
        shift: fmt.shift(m, m.shift),
        interval: m.ci ? `${fmt.shift(m, m.ci[0])} to ${fmt.shift(m, m.ci[1])}` : 'none',
        p: m.p === undefined ? '—' : fmt.pValue(m.p),
        why: m.why,
      });
    }
  }
  return out;
}

export function compareShifts(r: CompareResult): Spec {
  const all = rows(r);
  const groups = r.comparisons.map((c) => c.group);
  const many = groups.length > 1;
  const order = r.metrics.map((m) => m.name);
  const verdicts = { field: 'verdict', type: 'nominal' as const, scale: VERDICT_COLOR, legend: { title: 'verdict', orient: 'top' as const } };
  const tooltip = [{ field: 'metric' }, { field: 'group' }, { field: 'kind', title: 'estimate' }, { field: 'shift' }, { field: 'interval', title: '95% interval' }, { field: 'p' }, { field: 'verdict' }, { field: 'why' }];
  const panels = PANELS.flatMap((p) => {
    const rs = all.filter((x) => r.metrics.find((m) => m.name === x.metric)?.kind === p.kind);
    if (!rs.length) return [];
    const names = order.filter((n) => rs.some((x) => x.metric === n));
    const y = { field: 'metric', type: 'nominal' as const, sort: names, scale: { domain: names }, title: null, axis: { labelLimit: 300 } };
    const yOffset = many ? { yOffset: { field: 'group', type: 'nominal' as const, sort: groups, scale: { domain: groups } } } : {};
    const x = { field: 'est', type: 'quantitative' as const, title: p.title, scale: { zero: true, nice: true } };
    const withCi = rs.filter((x) => x.lo !== undefined);
    return [
      {
        width: WIDTH,
        height: many ? { step: 14, for: 'offset' as const } : { step: 26 },
        layer: [
          { data: { values: rs }, mark: { type: 'bar', color: '#e6e9ed', opacity: 0.9 }, encoding: { y, ...yOffset, x: { field: 'bandLo', type: 'quantitative' }, x2: { field: 'bandHi' } } },
          { data: { values: [{ zero: 0 }] }, mark: { type: 'rule', color: '#888', strokeWidth: 1 }, encoding: { x: { field: 'zero', type: 'quantitative' } } },
          ...(withCi.length ? [{ data: { values: withCi }, mark: { type: 'rule', strokeWidth: 2 }, encoding: { y, ...yOffset, x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' }, color: verdicts, tooltip } }] : []),
          // Tested estimates filled; raw differences (one capture per side) hollow.
          ...[rs.filter((x) => x.lo !== undefined || !x.kind.startsWith('raw')), rs.filter((x) => x.lo === undefined && x.kind.startsWith('raw'))]
            .map((values, i) => ({ values, filled: i === 0 }))
            .filter((l) => l.values.length)
            .map((l) => ({
              data: { values: l.values },
              mark: { type: 'point', size: 70, strokeWidth: 2, opacity: 1, filled: l.filled },
              encoding: { y, ...yOffset, x, color: verdicts, tooltip, ...(many ? { shape: { field: 'group', type: 'nominal', sort: groups, scale: { domain: groups }, legend: { title: 'group' } } } : {}) },
            })),
        ],
      },
    ];
  });
  const single = r.comparisons.every((c) => c.descriptive);
  return {
    $schema: SCHEMA,
    title: {
      text: TITLE,
      subtitle: `${groups.join(', ')} against ${r.groups[0]!.label}; grey: changes under the threshold${single ? '; single trace per side: raw differences (hollow), no interval' : ''}`,
    },
    config: CONFIG,
    vconcat: panels,
    resolve: { scale: { color: 'shared', x: 'independent' } },
  } as Spec;
}

export const compareShiftsEmpty = (r: CompareResult): boolean => r.comparisons.every((c) => c.metrics.every((m) => m.shift === undefined));
