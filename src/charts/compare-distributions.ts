// The duration metrics of a comparison as overlaid empirical distributions: per
// metric, one step curve per group (the share of its victims that reached the step
// by that time), a dot per victim, and a dashed rule at each group's median. A curve
// to the right is slower. One panel per duration metric that has values.
import type { CompareResult } from '../compare/compare.ts';
import type { VictimFacts } from '../compare/facts.ts';
import { BASE_METRICS } from '../compare/metrics.ts';
import { quantile } from '../compare/verdict.ts';
import { seconds } from '../compare/format.ts';
import { CONFIG, SCHEMA, WIDTH, type Spec } from './common.ts';
import { groupColors, thin, us } from './compare-common.ts';

const TITLE = 'How long each step took after the selection, per group (empirical distributions)';
/** Points per group and metric above which the curve is thinned. */
const MAX_POINTS = 200;

export const DURATION_METRICS = BASE_METRICS.filter((m) => m.kind === 'duration');

interface Point {
  group: string;
  s: number;
  share: number;
  victim?: string;
  capture?: string;
}

function curve(group: string, vs: readonly VictimFacts[], pick: (v: VictimFacts) => number | undefined): { line: Point[]; dots: Point[]; median?: number; n: number } {
  const pts = vs.flatMap((v) => {
    const x = pick(v);
    return x === undefined ? [] : [{ x, v }];
  });
  pts.sort((a, b) => a.x - b.x);
  const n = pts.length;
  if (!n) return { line: [], dots: [], n };
  const dots = pts.map((p, i): Point => ({ group, s: us(p.x), share: (i + 1) / n, victim: `${p.v.pid} ${p.v.comm}`, capture: p.v.capture }));
  const kept = thin(dots, MAX_POINTS);
  // The curve rises from 0 at the first value.
  const line = [{ group, s: kept[0]!.s, share: 0 }, ...kept.map(({ group: g, s, share }) => ({ group: g, s, share }))];
  return { line, dots: kept, median: quantile(pts.map((p) => p.x), 0.5), n };
}

/** The values' range with a margin, so steps a few ms apart do not sit on the frame (never below 0). */
function span(xs: readonly number[]): [number, number] {
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  const pad = hi > lo ? (hi - lo) * 0.08 : Math.max(Math.abs(lo) * 0.02, 0.001);
  return [us(Math.max(0, lo - pad)), us(hi + pad)];
}

export function compareDistributions(r: CompareResult): Spec {
  const color = { field: 'group', type: 'nominal' as const, scale: groupColors(r), legend: { title: 'group', orient: 'top' as const } };
  const panels = DURATION_METRICS.flatMap((m) => {
    const curves = r.groups.map((g) => ({ g, ...curve(g.label, g.victims, m.value!) }));
    if (curves.every((c) => c.n === 0)) return [];
    const sub = curves.map((c) => `${c.g.label}: ${c.n ? `n=${c.n}, median ${seconds(c.median!)}` : 'no value'}`).join(' · ');
    const x = { field: 's', type: 'quantitative' as const, title: 'seconds since the selection (mark_victim)', scale: { domain: span(curves.flatMap((c) => c.dots.map((d) => d.s))), nice: false, zero: false }, axis: { format: '~f' } };
    const y = { field: 'share', type: 'quantitative' as const, title: 'share of victims', scale: { domain: [0, 1] }, axis: { format: '%', tickCount: 3 } };
    const medians = curves.filter((c) => c.n).map((c) => ({ group: c.g.label, s: us(c.median!), text: seconds(c.median!) }));
    return [
      {
        title: { text: m.name, subtitle: sub, fontSize: 12 },
        width: WIDTH,
        height: 110,
        layer: [
          {
            data: { values: curves.flatMap((c) => c.line) },
            mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2, opacity: 0.85 },
            encoding: { x, y, color, detail: { field: 'group' }, order: { field: 'share' } },
          },
          {
            data: { values: medians },
            mark: { type: 'rule', strokeDash: [4, 3], strokeWidth: 1.5 },
            encoding: { x, color, tooltip: [{ field: 'group' }, { field: 'text', title: 'median' }] },
          },
          {
            data: { values: curves.flatMap((c) => c.dots) },
            mark: { type: 'point', filled: true, size: 36, opacity: 0.9 },
            encoding: {
              x, y, color,
              tooltip: [{ field: 'group' }, { field: 'capture' }, { field: 'victim' }, { field: 's', title: 'seconds', format: '.6f' }, { field: 'share', title: 'share of the group', format: '.0%' }],
            },
          },
        ],
      },
    ];
  });
  return {
    $schema: SCHEMA,
    title: { text: TITLE, subtitle: 'a curve further right took longer; dashed rules are the medians' },
    config: CONFIG,
    vconcat: panels,
    resolve: { scale: { color: 'shared' } },
  } as Spec;
}

export const compareDistributionsEmpty = (r: CompareResult): boolean => DURATION_METRICS.every((m) => r.groups.every((g) => g.victims.every((v) => m.value!(v) === undefined)));
