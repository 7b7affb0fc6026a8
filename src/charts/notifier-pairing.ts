// mmu notifier pairing: per notifier instance (per victim), each
// invalidate_range_start callback, coloured ok / failed, and each
// invalidate_range_end, marked "end" or "end inside failed start" (the core ending
// the successful callbacks of a start that failed). Starts the findings count as
// never ended are flagged. The reap attempts are shaded behind.
//
// With many points (or lanes) the callbacks are counted per time bin instead, per
// notifier instance, stacked by class.
import type { ChartData } from './data.ts';
import {
  CALLBACK_COLOR, CONFIG, MAX_LANES, SCHEMA, TRACE_TIME, WIDTH, callbackClass, fmtDur, grid, laneNames, num, pick, plural, traces, us, victimAt, whichTraces, type Spec,
} from './common.ts';

const TITLE = 'mmu notifier invalidate_range_start / invalidate_range_end pairing';
/** More callbacks than this are binned. */
export const MAX_POINTS = 2000;
const BINS = 60;

function pointsSpec(d: ChartData): Spec {
  const many = traces(d).length > 1;
  const names = laneNames(d, many);
  const owner = victimAt(d);
  const laneOf = (trace: string, pid: number, t: number, instance: string) => {
    const v = owner(trace, pid, t);
    return `${v ? names.get(v)! : `${pid}`} · ${instance}`;
  };
  // Two lanes per victim and instance: its starts, then its ends (empty when it has none).
  const sub = (lane: string, phase: string) => `${lane}: ${phase === 'start' ? 'starts' : 'ends'}`;
  const pts = d.callbacks.map((c) => ({ lane: sub(laneOf(c.trace, c.pid, c.t, c.instance), c.phase), t: us(c.t), what: callbackClass(c) }));
  const lanes = [...new Set(d.callbacks.map((c) => laneOf(c.trace, c.pid, c.t, c.instance)))].flatMap((l) => [sub(l, 'start'), sub(l, 'end')]);
  // Reap attempts behind each instance lane of their victim.
  const instancesOf = new Map<string, Set<string>>();
  for (const c of d.callbacks) {
    const k = `${c.trace}\u0000${c.pid}`;
    instancesOf.set(k, (instancesOf.get(k) ?? new Set()).add(c.instance));
  }
  const att: { lane: string; t0: number; t1: number; n: number; result: string }[] = [];
  for (const a of d.attempts) {
    for (const inst of instancesOf.get(`${a.trace}\u0000${a.pid}`) ?? []) {
      for (const phase of ['start', 'end']) att.push({ lane: sub(laneOf(a.trace, a.pid, a.start, inst), phase), t0: us(a.start), t1: us(a.end), n: a.index, result: a.result });
    }
  }
  const unpaired = pts.filter((p) => p.what === 'start ok, never ended');
  const x = (field: string) => ({ field, type: 'quantitative' as const, scale: { zero: false, nice: false, padding: 10 }, axis: TRACE_TIME });
  const layer = [];
  if (att.length) {
    layer.push({
      data: { values: att },
      mark: { type: 'bar' as const, color: '#e8e8e8', height: { band: 1 } },
      encoding: { x: x('t0'), x2: { field: 't1' }, tooltip: [{ field: 'n', title: 'reap attempt' }, { field: 'result', title: 'result' }] },
    });
  }
  layer.push({
    data: { values: pts },
    mark: { type: 'tick' as const, thickness: 1.5, opacity: 0.9 },
    encoding: {
      x: x('t'),
      color: { field: 'what', type: 'nominal' as const, scale: pick(CALLBACK_COLOR, pts.map((p) => p.what), '#bab0ac'), legend: { title: 'callback', orient: 'right' as const, symbolType: 'square' } },
      tooltip: [{ field: 'lane', title: 'victim · notifier' }, { field: 'what', title: 'callback' }, { field: 't', title: 'time (s)', format: '.6f' }],
    },
  });
  if (unpaired.length) {
    layer.push({
      data: { values: unpaired },
      mark: { type: 'point' as const, shape: 'triangle-down', filled: true, color: '#000', size: 50, yOffset: -9 },
      encoding: { x: x('t'), tooltip: [{ field: 'lane', title: 'victim · notifier' }, { field: 't', title: 'start never ended (s)', format: '.6f' }] },
    });
  }
  const counts = `${plural(d.callbacks.filter((c) => c.phase === 'start').length, 'start')}, ${plural(d.callbacks.filter((c) => c.phase === 'end').length, 'end')}${unpaired.length ? `, ${unpaired.length} never ended (▼)` : ''}`;
  return {
    $schema: SCHEMA,
    title: { text: TITLE, subtitle: [`${whichTraces(d)}: ${counts}`, 'one lane per victim and notifier instance; grey: the oom_reaper\'s attempts'] },
    config: CONFIG,
    width: WIDTH,
    height: { step: 22 },
    encoding: { y: { field: 'lane', type: 'nominal', sort: lanes, title: null, scale: { paddingInner: 0.15 }, axis: { labelLimit: 420 } } },
    layer,
  } as Spec;
}

function binnedSpec(d: ChartData): Spec {
  const many = traces(d).length > 1;
  const blocks: { lane: string; width: number; rows: { t0: number; t1: number; y0: number; y1: number; what: string; n: number }[] }[] = [];
  for (const trace of traces(d)) {
    const cs = d.callbacks.filter((c) => c.trace === trace);
    if (!cs.length) continue;
    let lo = Infinity;
    let hi = -Infinity;
    for (const c of cs) {
      lo = Math.min(lo, c.t);
      hi = Math.max(hi, c.t);
    }
    const g = grid(lo, hi, BINS);
    const counts = new Map<string, Map<number, Map<string, number>>>();
    for (const c of cs) {
      const byBin = counts.get(c.instance) ?? new Map<number, Map<string, number>>();
      counts.set(c.instance, byBin);
      const b = g.of(c.t);
      const m = byBin.get(b) ?? new Map<string, number>();
      byBin.set(b, m);
      const what = callbackClass(c);
      m.set(what, (m.get(what) ?? 0) + 1);
    }
    for (const [instance, byBin] of counts) {
      const rows = [];
      for (const [b, m] of [...byBin].sort((p, q) => p[0] - q[0])) {
        let y = 0;
        for (const what of CALLBACK_COLOR.domain) {
          const n = m.get(what);
          if (!n) continue;
          rows.push({ t0: us(g.lo + b * g.width), t1: us(g.lo + (b + 1) * g.width), y0: y, y1: y + n, what, n });
          y += n;
        }
      }
      blocks.push({ lane: many ? `${trace} · ${instance}` : instance, width: g.width, rows });
    }
  }
  const victims = new Set(d.callbacks.map((c) => `${c.trace}\u0000${c.pid}`)).size;
  const unpaired = d.callbacks.filter((c) => c.unpaired).length;
  const color = { field: 'what', type: 'nominal', scale: pick(CALLBACK_COLOR, blocks.flatMap((b) => b.rows.map((r) => r.what)), '#bab0ac'), legend: { title: 'callback', orient: 'right' } };
  return {
    $schema: SCHEMA,
    title: {
      text: TITLE,
      subtitle: [
        `${whichTraces(d)}: ${plural(d.callbacks.length, 'callback')} of ${plural(victims, 'victim')}${unpaired ? `, ${num(unpaired)} starts never ended` : ''}`,
        `too many to draw one by one: counted per 1/${BINS} of the time span, one block per notifier instance`,
      ],
    },
    config: CONFIG,
    vconcat: blocks.map((b) => ({
      title: { text: b.lane, fontSize: 12 },
      data: { values: b.rows },
      width: WIDTH,
      height: 70,
      mark: { type: 'bar' },
      encoding: {
        x: { field: 't0', type: 'quantitative', scale: { zero: false, nice: false }, axis: TRACE_TIME },
        x2: { field: 't1' },
        y: { field: 'y0', type: 'quantitative', title: `callbacks per ${fmtDur(b.width)}` },
        y2: { field: 'y1' },
        color,
        tooltip: [{ field: 'what', title: 'callback' }, { field: 'n', title: 'count' }, { field: 't0', title: 'from (s)', format: '.6f' }, { field: 't1', title: 'to (s)', format: '.6f' }],
      },
    })),
    resolve: { scale: { x: many ? 'independent' : 'shared', y: 'independent', color: 'shared' } },
  } as Spec;
}

export function notifierPairing(d: ChartData): Spec {
  const lanes = new Set(d.callbacks.map((c) => `${c.trace}\u0000${c.pid}\u0000${c.instance}`)).size;
  return d.callbacks.length > MAX_POINTS || lanes > MAX_LANES ? binnedSpec(d) : pointsSpec(d);
}
