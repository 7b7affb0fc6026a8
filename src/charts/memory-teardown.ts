// Memory teardown: the victim's anon RSS (kmem:rss_stat MM_ANONPAGES, MB) over
// time, with its reap attempts shaded behind (coloured by result) and rules at the
// selection, MMF_OOM_SKIP and the release. It shows whether the memory went with the
// reaper, with exit_mmap, or was still there when MMF_OOM_SKIP hid the victim.
//
// Above MAX_PANELS victims: the curves are aligned on each victim's selection and
// summarised per time bin (median and 10th–90th percentile across victims), with
// the reap attempts counted per bin below and the median times of MMF_OOM_SKIP and
// release as rules.
import type { ChartData, VictimRow } from './data.ts';
import {
  ATTEMPT_COLOR, CONFIG, SCHEMA, SINCE_SELECTION, TRACE_TIME, WIDTH,
  attemptLabel, fiveNumbers, fmtDur, grid, heldMemory, laneNames, num, outcomeLabel, pick, plural, quantile, r2, traces, us, victimAt, whichTraces, type Spec,
} from './common.ts';

const TITLE = 'Anon RSS of each victim while the OOM killer and the oom_reaper act';
/** Victims drawn one panel each; more are summarised. */
export const MAX_PANELS = 16;
const BINS = 80;

const MARKS = {
  domain: ['selected (mark_victim)', 'MMF_OOM_SKIP set', 'another victim selected (premature)', 'memory released'],
  range: ['#4c78a8', '#e45756', '#67000d', '#54a24b'],
};

type Row =
  | { L: 'rss'; t: number; mb: number }
  | { L: 'att'; t0: number; t1: number; what: string; n: number }
  | { L: 'mark'; t: number; what: string; note: string };

const only = (L: Row['L']) => ({ filter: { field: 'L', equal: L } });

function panels(d: ChartData): Spec {
  const owner = victimAt(d);
  const names = laneNames(d, false);
  const rowsOf = new Map<VictimRow, Row[]>();
  const add = (v: VictimRow | undefined, r: Row) => {
    if (v) rowsOf.set(v, [...(rowsOf.get(v) ?? []), r]);
  };
  for (const r of d.rss) add(owner(r.trace, r.pid, r.t), { L: 'rss', t: us(r.t), mb: r2(r.anonMB) });
  for (const a of d.attempts) add(owner(a.trace, a.pid, a.start), { L: 'att', t0: us(a.start), t1: us(a.end), what: `reap attempt: ${attemptLabel(a.result)}`, n: a.index });
  for (const v of d.victims) {
    add(v, { L: 'mark', t: us(v.selected), what: 'selected (mark_victim)', note: v.domain });
    if (v.oomSkip !== undefined) add(v, { L: 'mark', t: us(v.oomSkip), what: 'MMF_OOM_SKIP set', note: v.oomSkipCause ?? '' });
    if (v.release !== undefined) add(v, { L: 'mark', t: us(v.release), what: 'memory released', note: v.releaseHow ?? '' });
  }
  // In the panel of a victim that still held its memory: when the next one was chosen.
  const heldWhen = new Map<VictimRow, string[]>();
  for (const { victim, holders } of heldMemory(d)) {
    for (const h of holders) {
      add(h, { L: 'mark', t: us(victim.selected), what: 'another victim selected (premature)', note: victim.label });
      heldWhen.set(h, [...(heldWhen.get(h) ?? []), victim.label]);
    }
  }
  const all = [...rowsOf.values()].flat();
  // One colour scale for the whole figure (attempt results, then events): one legend.
  const attColor = pick(ATTEMPT_COLOR, all.flatMap((r) => (r.L === 'att' ? [r.what.replace(/^reap attempt: /, '')] : [])), '#bab0ac');
  const markColor = pick(MARKS, all.flatMap((r) => (r.L === 'mark' ? [r.what] : [])), '#000');
  const colors = { domain: [...attColor.domain.map((a) => `reap attempt: ${a}`), ...markColor.domain], range: [...attColor.range, ...markColor.range] };
  const color = { field: 'what', type: 'nominal' as const, scale: colors, legend: { title: 'reap attempt (shaded) / event (rule)' } };
  const unit = (v: VictimRow, last: boolean) => {
    const x = (field: string) => ({ field, type: 'quantitative' as const, scale: { zero: false, nice: false, padding: 8 }, axis: last ? TRACE_TIME : { ...TRACE_TIME, title: null } });
    const rs = rowsOf.get(v) ?? [];
    const layer = [];
    if (rs.some((r) => r.L === 'att')) {
      layer.push({
        transform: [only('att')],
        // Full height; the stroke keeps an attempt of a few ms visible on an axis of seconds.
        mark: { type: 'rect' as const, opacity: 0.35, strokeWidth: 1.5, strokeOpacity: 0.6 },
        encoding: {
          x: x('t0'),
          x2: { field: 't1' },
          y: { value: 0 },
          y2: { value: 'height' as const },
          color,
          stroke: color,
          tooltip: [{ field: 'n', title: 'attempt' }, { field: 'what', title: 'result' }, { field: 't0', title: 'start (s)', format: '.6f' }],
        },
      });
    }
    layer.push({
      transform: [only('mark')],
      mark: { type: 'rule' as const, strokeWidth: 1.5 },
      encoding: {
        x: x('t'),
        color,
        tooltip: [{ field: 'what', title: 'event' }, { field: 't', title: 'time (s)', format: '.6f' }, { field: 'note', title: 'detail' }],
      },
    });
    if (rs.some((r) => r.L === 'rss')) {
      layer.push({
        transform: [only('rss')],
        mark: { type: 'line' as const, interpolate: 'step-after' as const, color: '#222', strokeWidth: 1.5 },
        encoding: {
          x: x('t'),
          y: { field: 'mb', type: 'quantitative' as const, title: 'anon RSS (MB)', scale: { zero: true } },
          tooltip: [{ field: 't', title: 'time (s)', format: '.6f' }, { field: 'mb', title: 'anon RSS (MB)' }],
        },
      });
    }
    const held = heldWhen.get(v);
    const detail = [
      `${outcomeLabel(v.outcome)}${v.premature ? ', premature selection' : ''}`,
      ...(held ? [`still held its memory when ${held.join(', ')} was selected`] : []),
      ...(rs.some((r) => r.L === 'rss') ? [] : ['no rss_stat samples for its mm']),
    ].join('; ');
    return {
      title: { text: [names.get(v)!], subtitle: detail, fontSize: 12, subtitleFontSize: 10 },
      data: { values: rs },
      width: WIDTH,
      height: 110,
      layer,
    };
  };
  const ts = traces(d);
  const byTrace = ts.map((t) => d.victims.filter((v) => v.trace === t));
  const block = (vs: VictimRow[]) => ({ vconcat: vs.map((v, i) => unit(v, i === vs.length - 1)), resolve: { scale: { x: 'shared' as const, y: 'shared' as const, color: 'shared' as const } } });
  const head = {
    $schema: SCHEMA,
    title: { text: TITLE, subtitle: `${whichTraces(d)}: ${plural(d.victims.length, 'victim')}; kmem:rss_stat MM_ANONPAGES of the victim's mm, from 1 s before its selection` },
    config: CONFIG,
  };
  if (ts.length === 1) return { ...head, ...block(byTrace[0]!) } as Spec;
  return { ...head, vconcat: byTrace.map((vs, i) => ({ title: { text: ts[i]!, fontSize: 12 }, ...block(vs) })), resolve: { scale: { x: 'independent', y: 'shared', color: 'shared' } } } as Spec;
}

/** Victims grouped by what became of them; premature selections apart. */
const groupOf = (v: VictimRow): string => `${outcomeLabel(v.outcome)}${v.premature ? ' (premature selection)' : ''}`;
const GROUP_COLORS = ['#f58518', '#54a24b', '#4c78a8', '#a50f15', '#b279a2', '#9d755d', '#72b7b2', '#bab0ac'];

function aggregate(d: ChartData): Spec {
  const owner = victimAt(d);
  // Per victim its samples as (seconds since selection, MB), in time order.
  const curves = new Map<VictimRow, { dt: number; mb: number }[]>();
  for (const r of d.rss) {
    const v = owner(r.trace, r.pid, r.t);
    if (!v) continue;
    const c = curves.get(v) ?? [];
    curves.set(v, c);
    c.push({ dt: r.t - v.selected, mb: r.anonMB });
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of curves.values()) {
    c.sort((a, b) => a.dt - b.dt);
    lo = Math.min(lo, c[0]!.dt);
    hi = Math.max(hi, c[c.length - 1]!.dt);
  }
  for (const a of d.attempts) {
    const v = owner(a.trace, a.pid, a.start);
    if (v) hi = Math.max(hi, a.start - v.selected);
  }
  if (!Number.isFinite(lo)) lo = 0;
  const g = grid(lo, hi, BINS);
  // A victim's value in a bin: its last sample at or before the bin's end, from its
  // first sample on; after its last sample the last value holds (0 once released).
  const groups = [...new Set([...d.victims].sort((a, b) => Number(a.premature) - Number(b.premature)).map(groupOf))];
  const perBin = new Map(groups.map((k) => [k, Array.from({ length: g.n }, () => [] as number[])]));
  for (const [v, c] of curves) {
    const bins = perBin.get(groupOf(v))!;
    let i = 0;
    let cur: number | undefined;
    for (let b = g.of(c[0]!.dt); b < g.n; b++) {
      const edge = g.lo + (b + 1) * g.width;
      while (i < c.length && c[i]!.dt <= edge) cur = c[i++]!.mb;
      if (cur !== undefined) bins[b]!.push(cur);
    }
  }
  const band = groups.flatMap((grp) =>
    perBin.get(grp)!.flatMap((vals, b) => {
      if (!vals.length) return [];
      const s = [...vals].sort((p, q) => p - q);
      return [{ g: grp, t: us(g.lo + (b + 0.5) * g.width), p10: r2(quantile(s, 0.1)), median: r2(quantile(s, 0.5)), p90: r2(quantile(s, 0.9)), n: s.length }];
    }),
  );
  // Reap attempts started per bin, by result.
  const att = new Map<string, number>();
  for (const a of d.attempts) {
    const v = owner(a.trace, a.pid, a.start);
    if (!v) continue;
    const k = `${g.of(a.start - v.selected)}|${attemptLabel(a.result)}`;
    att.set(k, (att.get(k) ?? 0) + 1);
  }
  const attRows: { t0: number; t1: number; y0: number; y1: number; what: string; n: number }[] = [];
  const results = [...ATTEMPT_COLOR.domain, ...d.attempts.map((a) => attemptLabel(a.result))].filter((w, i, arr) => arr.indexOf(w) === i);
  for (let b = 0; b < g.n; b++) {
    let y = 0;
    for (const what of results) {
      const n = att.get(`${b}|${what}`);
      if (!n) continue;
      attRows.push({ t0: us(g.lo + b * g.width), t1: us(g.lo + (b + 1) * g.width), y0: y, y1: y + n, what, n });
      y += n;
    }
  }
  // Median time of MMF_OOM_SKIP and of the release, per group.
  const marks = groups.flatMap((grp) => {
    const vs = d.victims.filter((v) => groupOf(v) === grp);
    return [
      { what: 'MMF_OOM_SKIP set', five: fiveNumbers(vs.flatMap((v) => (v.toOomSkip === undefined ? [] : [v.toOomSkip]))) },
      { what: 'memory released', five: fiveNumbers(vs.flatMap((v) => (v.toRelease === undefined ? [] : [v.toRelease]))) },
    ].flatMap(({ what, five }) => (five ? [{ g: grp, what, t: five.median, n: five.n }] : []));
  });
  const groupColor = { domain: groups, range: groups.map((_, i) => GROUP_COLORS[i % GROUP_COLORS.length]!) };
  const gColor = { field: 'g', type: 'nominal' as const, scale: groupColor, legend: { title: 'victims' } };
  const xs = (field: string, axis: boolean) => ({ field, type: 'quantitative' as const, scale: { domain: [us(g.lo), us(g.lo + g.n * g.width)], nice: false }, axis: axis ? SINCE_SELECTION : { ...SINCE_SELECTION, title: null } });
  // A panel with no rows is left out (an empty one would have no extent to draw).
  const rssPanel = (axis: boolean) => ({
    width: WIDTH,
    height: 220,
    layer: [
      {
        data: { values: band },
        mark: { type: 'area' as const, opacity: 0.25, interpolate: 'step' as const },
        encoding: { x: xs('t', axis), y: { field: 'p10', type: 'quantitative' as const, title: 'anon RSS (MB)' }, y2: { field: 'p90' }, color: gColor },
      },
      {
        data: { values: band },
        mark: { type: 'line' as const, strokeWidth: 2, interpolate: 'step' as const },
        encoding: {
          x: xs('t', false),
          y: { field: 'median', type: 'quantitative' as const },
          color: gColor,
          tooltip: [{ field: 'g', title: 'victims' }, { field: 't', title: 's since selection' }, { field: 'median', title: 'median MB' }, { field: 'p10', title: 'p10 MB' }, { field: 'p90', title: 'p90 MB' }, { field: 'n', title: 'victims' }],
        },
      },
      {
        data: { values: marks },
        mark: { type: 'rule' as const, strokeWidth: 1.5 },
        encoding: {
          x: xs('t', false),
          color: gColor,
          strokeDash: { field: 'what', type: 'nominal' as const, scale: { domain: ['MMF_OOM_SKIP set', 'memory released'], range: [[5, 3], [1, 0]] }, legend: { title: 'median time of (rule)' } },
          tooltip: [{ field: 'g', title: 'victims' }, { field: 'what', title: 'median time of' }, { field: 't', title: 's since selection' }, { field: 'n', title: 'victims with it' }],
        },
      },
    ],
  });
  const attPanel = () => ({
    data: { values: attRows },
    width: WIDTH,
    height: 70,
    mark: { type: 'bar' as const },
    encoding: {
      x: xs('t0', true),
      x2: { field: 't1' },
      y: { field: 'y0', type: 'quantitative' as const, title: 'reap attempts' },
      y2: { field: 'y1' },
      color: { field: 'what', type: 'nominal' as const, scale: pick(ATTEMPT_COLOR, attRows.map((r) => r.what), '#bab0ac'), legend: { title: 'reap attempt started' } },
      tooltip: [{ field: 'what', title: 'result' }, { field: 'n', title: 'attempts' }, { field: 't0', title: 'from (s since selection)' }],
    },
  });
  return {
    $schema: SCHEMA,
    title: {
      text: TITLE,
      subtitle: [
        `${whichTraces(d)}: ${plural(d.victims.length, 'victim')} (${num(curves.size)} with rss_stat samples), aligned on each one's selection`,
        `line: median across the victims of a group, band: 10th–90th percentile, per ${fmtDur(g.width)}; a victim keeps its last value after its last sample`,
      ],
    },
    config: CONFIG,
    vconcat: [...(band.length ? [rssPanel(attRows.length === 0)] : []), ...(attRows.length ? [attPanel()] : [])],
    resolve: { scale: { color: 'independent' } },
  } as Spec;
}

export function memoryTeardown(d: ChartData): Spec {
  return d.victims.length > MAX_PANELS ? aggregate(d) : panels(d);
}
