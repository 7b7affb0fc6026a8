// Distributions across victims (and traces): how long after the selection the
// oom_reaper first tried, MMF_OOM_SKIP was set and the memory was released, and how
// many reap attempts each victim got. Each victim is a dot while there are few; with
// many, the values are counted in bins (histograms). The median and count of each
// measure are in its label, so one value reads as well as a thousand.
import type { ChartData, VictimRow } from './data.ts';
import {
  CONFIG, MAX_LANES, OUTCOME_COLOR, SCHEMA, SINCE_SELECTION, WIDTH, fiveNumbers, fmtDur, grid, outcomeLabel, pick, plural, traces, us, whichTraces, type Spec,
} from './common.ts';

const TITLE = 'How long the OOM killer and the oom_reaper took, per victim';
const BINS = 50;

export const MEASURES = [
  { key: 'toFirstAttempt', name: 'selection → first reap attempt' },
  { key: 'toOomSkip', name: 'selection → MMF_OOM_SKIP' },
  { key: 'toRelease', name: 'selection → memory released' },
] as const satisfies readonly { key: keyof VictimRow; name: string }[];

/** `name\nn=…, median …` (split into two lines by the axis' labelExpr, a constant). */
function measureLabels(d: ChartData): { key: (typeof MEASURES)[number]['key']; label: string; values: { v: VictimRow; x: number }[] }[] {
  return MEASURES.map(({ key, name }) => {
    const values = d.victims.flatMap((v) => (v[key] === undefined ? [] : [{ v, x: v[key] }]));
    const five = fiveNumbers(values.map((p) => p.x));
    const label = five
      ? `${name}\n${plural(five.n, 'victim')}, median ${fmtDur(five.median)}${five.n > 1 ? `, max ${fmtDur(five.max)}` : ''}`
      : `${name}\nnone in the trace`;
    return { key, label, values };
  });
}

const TWO_LINES = "split(datum.label, '\\n')";

export function distributions(d: ChartData): Spec {
  const ms = measureLabels(d);
  const labels = ms.map((m) => m.label);
  const ts = traces(d);
  const outcomes = pick(OUTCOME_COLOR, d.victims.map((v) => outcomeLabel(v.outcome)), '#bab0ac');
  const color = { field: 'outcome', type: 'nominal' as const, scale: outcomes, legend: { title: 'victim outcome' } };
  const many = d.victims.length > MAX_LANES;

  let latency: object | undefined;
  if (ms.every((m) => m.values.length === 0)) {
    // No victim got as far as a reap attempt, MMF_OOM_SKIP or a release in the trace.
    latency = undefined;
  } else if (!many) {
    const pts = ms.flatMap((m) => m.values.map(({ v, x }) => ({ m: m.label, s: us(x), outcome: outcomeLabel(v.outcome), victim: v.label, trace: v.trace })));
    latency = {
      title: { text: 'time from the selection (one dot per victim)', fontSize: 12 },
      data: { values: pts },
      width: WIDTH,
      height: ts.length > 1 ? { step: 12, for: 'offset' } : { step: 46 },
      mark: { type: 'point', filled: true, size: 70, opacity: 0.85 },
      encoding: {
        y: { field: 'm', type: 'nominal', sort: labels, scale: { domain: labels }, title: null, axis: { labelExpr: TWO_LINES, labelLimit: 400 } },
        ...(ts.length > 1 ? { yOffset: { field: 'trace', type: 'nominal', sort: ts } } : {}),
        x: { field: 's', type: 'quantitative', axis: SINCE_SELECTION, scale: { zero: true, nice: true } },
        color,
        tooltip: [{ field: 'victim' }, { field: 'trace' }, { field: 'outcome' }, { field: 's', title: 'seconds', format: '.6f' }],
      },
    };
  } else {
    const all = ms.flatMap((m) => m.values.map((p) => p.x));
    const g = grid(Math.min(0, ...all), Math.max(0, ...all), BINS);
    const rows: { m: string; t0: number; t1: number; y0: number; y1: number; outcome: string; n: number }[] = [];
    for (const m of ms) {
      const counts = new Map<number, Map<string, number>>();
      for (const { v, x } of m.values) {
        const b = g.of(x);
        const c = counts.get(b) ?? new Map<string, number>();
        counts.set(b, c);
        c.set(outcomeLabel(v.outcome), (c.get(outcomeLabel(v.outcome)) ?? 0) + 1);
      }
      for (const [b, c] of [...counts].sort((p, q) => p[0] - q[0])) {
        let y = 0;
        for (const o of outcomes.domain) {
          const n = c.get(o);
          if (!n) continue;
          rows.push({ m: m.label, t0: us(g.lo + b * g.width), t1: us(g.lo + (b + 1) * g.width), y0: y, y1: y + n, outcome: o, n });
          y += n;
        }
      }
    }
    latency = {
      title: { text: `time from the selection (victims per ${fmtDur(g.width)})`, fontSize: 12 },
      data: { values: rows },
      width: WIDTH,
      height: 70,
      mark: { type: 'bar' },
      encoding: {
        row: { field: 'm', type: 'nominal', sort: labels, title: null, header: { labelExpr: TWO_LINES, labelOrient: 'top', labelAnchor: 'start', labelFontWeight: 'bold' } },
        x: { field: 't0', type: 'quantitative', axis: SINCE_SELECTION, scale: { domain: [us(g.lo), us(g.lo + g.n * g.width)], nice: false } },
        x2: { field: 't1' },
        y: { field: 'y0', type: 'quantitative', title: 'victims' },
        y2: { field: 'y1' },
        color,
        tooltip: [{ field: 'outcome' }, { field: 'n', title: 'victims' }, { field: 't0', title: 'from (s)' }, { field: 't1', title: 'to (s)' }],
      },
      resolve: { scale: { y: 'independent' } },
    };
  }

  // Attempts per victim: counted here, so the data stays one row per (count, outcome).
  const byCount = new Map<string, { attempts: number; outcome: string; victims: number }>();
  for (const v of d.victims) {
    const k = `${v.attempts}|${outcomeLabel(v.outcome)}`;
    const r = byCount.get(k) ?? { attempts: v.attempts, outcome: outcomeLabel(v.outcome), victims: 0 };
    r.victims++;
    byCount.set(k, r);
  }
  const counts = [...byCount.values()].sort((a, b) => a.attempts - b.attempts || outcomes.domain.indexOf(a.outcome) - outcomes.domain.indexOf(b.outcome));
  const maxAttempts = Math.max(0, ...d.victims.map((v) => v.attempts));
  const attempts = {
    title: { text: 'reap attempts per victim (__oom_reap_task_mm calls, incl. mmap_lock retries)', fontSize: 12 },
    data: { values: counts },
    width: Math.min(WIDTH, Math.max(160, 28 * (maxAttempts + 1))),
    height: 120,
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'attempts', type: 'ordinal', scale: { domain: Array.from({ length: maxAttempts + 1 }, (_, i) => i) }, title: 'reap attempts', axis: { labelAngle: 0 } },
      y: { field: 'victims', type: 'quantitative', title: 'victims', stack: 'zero', axis: { tickMinStep: 1 } },
      color,
      tooltip: [{ field: 'attempts' }, { field: 'outcome' }, { field: 'victims' }],
    },
  };
  return {
    $schema: SCHEMA,
    title: {
      text: TITLE,
      subtitle: `${whichTraces(d)}: ${plural(d.victims.length, 'victim')}${latency ? (ts.length > 1 && !many ? ' (dots of one trace share a sub-row)' : '') : '; none reached a reap attempt, MMF_OOM_SKIP or a release in the trace'}`,
    },
    config: CONFIG,
    vconcat: latency ? [latency, attempts] : [attempts],
    resolve: { scale: { color: 'shared' } },
  } as Spec;
}
