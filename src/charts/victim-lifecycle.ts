// Victim lifecycle: one lane per victim address space on the trace clock, with the
// selection, SIGKILL, the reaper's wake, each reap attempt (a bar coloured by its
// result), MMF_OOM_SKIP with its cause, and the release. A premature selection is
// shaded, and so is the earlier victim that still held its memory then.
//
// Above MAX_LANES victims the lanes give way to an aggregate: victims selected per
// time bin (by outcome, premature ones apart), and per outcome the spread of each
// milestone's time since the selection (min–max, quartiles, median).
import type { ChartData, VictimRow } from './data.ts';
import {
  ATTEMPT_COLOR, CONFIG, MAX_LANES, MILESTONE_COLOR, MILESTONE_SHAPE, OUTCOME_COLOR, OUTCOMES, SCHEMA, SINCE_SELECTION, TRACE_TIME, WIDTH,
  attemptLabel, fiveNumbers, fmtDur, grid, heldMemory, laneNames, outcomeLabel, pick, plural, traces, us, victimAt, whichTraces, type Milestone, type Spec,
} from './common.ts';

const TITLE = 'OOM victims: selection, SIGKILL, oom_reaper attempts, MMF_OOM_SKIP and release';

type Row =
  | { L: 'hl'; trace: string; lane: string; t0: number; t1: number; what: string }
  | { L: 'span'; trace: string; lane: string; t0: number; t1: number; span: string }
  | { L: 'attempt'; trace: string; lane: string; t0: number; t1: number; what: string; n: number; dur: string }
  | { L: 'event'; trace: string; lane: string; t: number; what: Milestone; note: string; pos: Pos }
  | { L: 'ring'; trace: string; lane: string; t: number; note: string }
  | { L: 'note' | 'noteR' | 'cause' | 'causeR'; trace: string; lane: string; t: number; text: string };

/**
 * Where in its lane an event is drawn: MMF_OOM_SKIP above and the release below the
 * line, so the two (often at the same moment, e.g. on exit) and the reaper's last
 * attempt do not hide one another.
 */
type Pos = 'mid' | 'up' | 'down';
const POS: Record<Milestone, Pos> = {
  'SIGKILL sent': 'mid',
  'selected (mark_victim)': 'mid',
  'oom_reaper woken': 'mid',
  'first reap attempt': 'mid',
  'MMF_OOM_SKIP set': 'up',
  'memory released': 'down',
};
const OFFSET: Record<Pos, number> = { mid: 0, up: -12, down: 12 };

const HL = { domain: ['premature selection', 'held its memory at that selection'], range: ['#fcbba1', '#fdd0a2'] };
const SPAN = { domain: ['victim alive', 'no release seen before the trace ends'], range: [[1, 0], [4, 3]] };

function laneRows(d: ChartData): { rows: Row[]; lanes: string[] } {
  const lanes = laneNames(d, false);
  const owner = victimAt(d);
  const rows: Row[] = [];
  const end = new Map<string, number>();
  const start = new Map<string, number>();
  const seen = (trace: string, ...ts: (number | undefined)[]) => {
    for (const t of ts) {
      if (t === undefined) continue;
      end.set(trace, Math.max(end.get(trace) ?? t, t));
      start.set(trace, Math.min(start.get(trace) ?? t, t));
    }
  };
  for (const v of d.victims) seen(v.trace, v.kill, v.selected, v.wake, v.oomSkip, v.release);
  for (const a of d.attempts) seen(a.trace, a.start, a.end);
  // Text in the right part of a trace's span is written leftwards, so it stays in the plot.
  const side = <K extends 'note' | 'cause'>(k: K, trace: string, t: number): K | `${K}R` => {
    const lo = start.get(trace)!;
    const hi = end.get(trace)!;
    return hi > lo && (t - lo) / (hi - lo) > 0.55 ? `${k}R` : k;
  };
  const lastAttempt = new Map<VictimRow, number>();
  for (const a of d.attempts) {
    const v = owner(a.trace, a.pid, a.start);
    if (!v) continue;
    lastAttempt.set(v, Math.max(lastAttempt.get(v) ?? a.end, a.end));
    rows.push({ L: 'attempt', trace: a.trace, lane: lanes.get(v)!, t0: us(a.start), t1: us(a.end), what: attemptLabel(a.result), n: a.index, dur: fmtDur(a.end - a.start) });
  }
  for (const { victim, holders } of heldMemory(d)) {
    const lane = lanes.get(victim)!;
    rows.push({ L: 'hl', trace: victim.trace, lane, t0: us(start.get(victim.trace)!), t1: us(end.get(victim.trace)!), what: HL.domain[0]! });
    rows.push({ L: 'ring', trace: victim.trace, lane, t: us(victim.selected), note: 'premature selection' });
    const names = holders.map((h) => h.label).join(', ');
    rows.push({ L: side('note', victim.trace, victim.selected), trace: victim.trace, lane, t: us(victim.selected), text: holders.length ? `selected while ${names} still held memory` : 'premature selection' });
    for (const h of holders) {
      rows.push({ L: 'hl', trace: h.trace, lane: lanes.get(h)!, t0: us(victim.selected), t1: us(h.release ?? end.get(h.trace)!), what: HL.domain[1]! });
    }
  }
  for (const v of d.victims) {
    const lane = lanes.get(v)!;
    const first = Math.min(v.selected, v.kill ?? v.selected);
    const last = v.release ?? Math.max(v.selected, v.oomSkip ?? 0, v.wake ?? 0, lastAttempt.get(v) ?? 0);
    rows.push({ L: 'span', trace: v.trace, lane, t0: us(first), t1: us(last), span: SPAN.domain[0]! });
    if (v.release === undefined) rows.push({ L: 'span', trace: v.trace, lane, t0: us(last), t1: us(end.get(v.trace)!), span: SPAN.domain[1]! });
    const ev = (t: number | undefined, what: Milestone, note: string) => {
      if (t !== undefined) rows.push({ L: 'event', trace: v.trace, lane, t: us(t), what, note, pos: POS[what] });
    };
    // Drawn in this order: the SIGKILL cross (sent just before mark_victim) over the selection dot.
    ev(v.selected, 'selected (mark_victim)', v.domain);
    ev(v.kill, 'SIGKILL sent', '');
    ev(v.wake, 'oom_reaper woken', v.wake !== undefined ? `${fmtDur(v.wake - v.selected)} after the selection` : '');
    ev(v.oomSkip, 'MMF_OOM_SKIP set', v.oomSkipCause ?? '');
    ev(v.release, 'memory released', v.releaseHow ?? '');
    if (v.oomSkip !== undefined && v.oomSkipCause) rows.push({ L: side('cause', v.trace, v.oomSkip), trace: v.trace, lane, t: us(v.oomSkip), text: v.oomSkipCause });
  }
  const order = [...d.victims].sort((a, b) => a.selected - b.selected).map((v) => lanes.get(v)!);
  return { rows, lanes: order };
}

type Dist<T> = T extends unknown ? Omit<T, 'trace'> : never;
/** Rows as a unit view gets them (the trace is left out when there is one trace). */
type LaneRow = Dist<Row>;

const only = (L: Row['L']) => ({ filter: { field: 'L', equal: L } });

function lanesSpec(d: ChartData): Spec {
  const { rows, lanes } = laneRows(d);
  const x = (field: string) => ({ field, type: 'quantitative' as const, scale: { zero: false, nice: false, padding: 12 }, axis: TRACE_TIME });
  const right = 'right' as const;
  const unit = (rs: readonly LaneRow[]) => {
    const of = <K extends LaneRow['L']>(L: K) => rs.filter((r): r is Extract<LaneRow, { L: K }> => r.L === L);
    const layer = [];
    if (of('hl').length) {
      layer.push({
        transform: [only('hl')],
        mark: { type: 'bar' as const, opacity: 0.6 },
        encoding: {
          x: x('t0'),
          x2: { field: 't1' },
          color: { field: 'what', type: 'nominal' as const, scale: pick(HL, of('hl').map((r) => r.what), '#ddd'), legend: { title: 'premature selection', orient: right } },
        },
      });
    }
    layer.push({
      transform: [only('span')],
      mark: { type: 'rule' as const, color: '#888', strokeWidth: 1.5 },
      encoding: {
        x: x('t0'),
        x2: { field: 't1' },
        strokeDash: { field: 'span', type: 'nominal' as const, scale: pick(SPAN, of('span').map((r) => r.span), [1, 0]), legend: { title: 'address space', orient: right } },
      },
    });
    if (of('attempt').length) {
      layer.push({
        transform: [only('attempt')],
        // The stroke keeps a bar of a few ms visible on an axis of seconds.
        mark: { type: 'bar' as const, height: { band: 0.35 }, strokeWidth: 2 },
        encoding: {
          x: x('t0'),
          x2: { field: 't1' },
          color: { field: 'what', type: 'nominal' as const, scale: pick(ATTEMPT_COLOR, of('attempt').map((r) => r.what), '#bab0ac'), legend: { title: 'reap attempt (bar: its duration)', orient: right } },
          stroke: { field: 'what', type: 'nominal' as const, scale: pick(ATTEMPT_COLOR, of('attempt').map((r) => r.what), '#bab0ac'), legend: { title: 'reap attempt (bar: its duration)', orient: right } },
          tooltip: [
            { field: 'lane', title: 'victim' },
            { field: 'n', title: 'attempt' },
            { field: 'what', title: 'result' },
            { field: 't0', title: 'start (s)', format: '.6f' },
            { field: 'dur', title: 'took' },
          ],
        },
      });
    }
    const events = of('event').map((r) => r.what);
    // One nested layer per position, sharing one colour/shape scale (one legend).
    const evColor = { field: 'what', type: 'nominal' as const, scale: pick(MILESTONE_COLOR, events, '#000'), legend: { title: 'event', orient: right } };
    const evShape = { field: 'what', type: 'nominal' as const, scale: pick(MILESTONE_SHAPE, events, 'circle'), legend: { title: 'event', orient: right } };
    const positions = (['mid', 'up', 'down'] as const).filter((p) => of('event').some((r) => r.pos === p));
    layer.push({
      transform: [only('event')],
      layer: positions.map((p) => ({
        transform: [{ filter: { field: 'pos', equal: p } }],
        mark: { type: 'point' as const, filled: true, size: 80, opacity: 1, yOffset: OFFSET[p] },
        encoding: {
          x: x('t'),
          color: evColor,
          shape: evShape,
          tooltip: [
            { field: 'lane', title: 'victim' },
            { field: 'what', title: 'event' },
            { field: 't', title: 'time (s)', format: '.6f' },
            { field: 'note', title: 'detail' },
          ],
        },
      })),
    });
    if (of('ring').length) {
      layer.push({
        transform: [only('ring')],
        mark: { type: 'point' as const, shape: 'circle', size: 420, strokeWidth: 2.5, color: '#cb181d', filled: false },
        encoding: { x: x('t') },
      });
    }
    const text = (L: 'note' | 'noteR' | 'cause' | 'causeR') => {
      if (!of(L).length) return;
      const right = L.endsWith('R');
      const cause = L.startsWith('cause');
      layer.push({
        transform: [only(L)],
        mark: {
          type: 'text' as const,
          align: right ? ('right' as const) : ('left' as const),
          // The cause beside the MMF_OOM_SKIP square (above the line), the premature note below it.
          baseline: cause ? ('middle' as const) : ('top' as const),
          dx: right ? -8 : 8,
          dy: cause ? OFFSET.up : OFFSET.down - 2,
          fontSize: cause ? 9 : 10,
          color: cause ? '#a50f15' : '#67000d',
        },
        encoding: { x: x('t'), text: { field: 'text' } },
      });
    };
    text('note');
    text('noteR');
    text('cause');
    text('causeR');
    return {
      data: { values: rs },
      width: WIDTH,
      height: { step: 44 },
      encoding: { y: { field: 'lane', type: 'nominal' as const, sort: lanes.filter((l) => rs.some((r) => r.lane === l)), title: null, axis: { labelLimit: 280, labelFontSize: 11 } } },
      layer,
      resolve: { scale: { color: 'independent' as const, shape: 'independent' as const, stroke: 'independent' as const } },
    };
  };
  const head = {
    $schema: SCHEMA,
    title: { text: TITLE, subtitle: `${whichTraces(d)}: ${plural(d.victims.length, 'victim')}, one lane per victim address space` },
    config: CONFIG,
  };
  const ts = traces(d);
  if (ts.length === 1) return { ...head, ...unit(rows.map(({ trace: _t, ...r }) => r as LaneRow)) } as Spec;
  // Several traces: one block each (their clocks are not comparable), stacked.
  return {
    ...head,
    vconcat: ts.map((t) => ({ title: { text: t, fontSize: 12 }, ...unit(rows.filter((r) => r.trace === t)) })),
    resolve: { scale: { color: 'independent', shape: 'independent', strokeDash: 'independent' } },
  } as Spec;
}

// ---- aggregate view ----

const SEL_BINS = 60;

function aggregateSpec(d: ChartData): Spec {
  const PREM = 'premature selection';
  const sel: { trace: string; t0: number; t1: number; y0: number; y1: number; what: string; n: number }[] = [];
  for (const trace of traces(d)) {
    const vs = d.victims.filter((v) => v.trace === trace);
    if (!vs.length) continue;
    const g = grid(Math.min(...vs.map((v) => v.selected)), Math.max(...vs.map((v) => v.selected)), SEL_BINS);
    const counts = new Map<string, number>();
    for (const v of vs) {
      const k = `${g.of(v.selected)}|${v.premature ? PREM : outcomeLabel(v.outcome)}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    const cats = [...OUTCOMES.map(outcomeLabel), PREM, ...new Set(vs.map((v) => outcomeLabel(v.outcome)))].filter((c, i, a) => a.indexOf(c) === i);
    for (let b = 0; b < g.n; b++) {
      let y = 0;
      for (const c of cats) {
        const n = counts.get(`${b}|${c}`);
        if (!n) continue;
        sel.push({ trace, t0: us(g.lo + b * g.width), t1: us(g.lo + (b + 1) * g.width), y0: y, y1: y + n, what: c, n });
        y += n;
      }
    }
  }

  // Rows: outcome, premature selections apart; per row the spread of each milestone.
  const rowOf = (v: VictimRow) => (v.premature ? `${outcomeLabel(v.outcome)}\n(premature selection)` : outcomeLabel(v.outcome));
  const groups = new Map<string, VictimRow[]>();
  for (const v of [...d.victims].sort((a, b) => OUTCOMES.indexOf(a.outcome as never) - OUTCOMES.indexOf(b.outcome as never) || Number(a.premature) - Number(b.premature))) {
    groups.set(rowOf(v), [...(groups.get(rowOf(v)) ?? []), v]);
  }
  const box: { row: string; what: string; n: number; min: number; q1: number; median: number; q3: number; max: number }[] = [];
  const rowNames: string[] = [];
  for (const [row, vs] of groups) {
    const attempts = vs.reduce((s, v) => s + v.attempts, 0);
    // Two lines (split by the axis' labelExpr): the outcome, then the counts.
    const name = `${row}\n${plural(vs.length, 'victim')}, ${plural(attempts, 'reap attempt')}`;
    rowNames.push(name);
    const of = (what: Milestone, f: (v: VictimRow) => number | undefined) => {
      const five = fiveNumbers(vs.map(f).filter((x): x is number => x !== undefined));
      if (five) box.push({ row: name, what, ...five });
    };
    of('SIGKILL sent', (v) => (v.kill === undefined ? undefined : v.kill - v.selected));
    of('oom_reaper woken', (v) => (v.wake === undefined ? undefined : v.wake - v.selected));
    of('first reap attempt', (v) => v.toFirstAttempt);
    of('MMF_OOM_SKIP set', (v) => v.toOomSkip);
    of('memory released', (v) => v.toRelease);
  }
  const shown = pick(MILESTONE_COLOR, box.map((b) => b.what), '#000');
  const color = { field: 'what', type: 'nominal' as const, scale: shown, legend: { title: 'time of', orient: 'right' as const } };
  const yOffset = { field: 'what', type: 'nominal' as const, scale: { domain: shown.domain, paddingInner: 0.2 } };
  const tooltip = [
    { field: 'row', title: 'victims' },
    { field: 'what', title: 'time of' },
    { field: 'n', title: 'victims with it' },
    { field: 'min', title: 'min (s)' },
    { field: 'q1', title: 'q1 (s)' },
    { field: 'median', title: 'median (s)' },
    { field: 'q3', title: 'q3 (s)' },
    { field: 'max', title: 'max (s)' },
  ];
  const xs = (field: string) => ({ field, type: 'quantitative' as const, axis: SINCE_SELECTION, scale: { zero: true } });
  const selColor = pick({ domain: [...OUTCOME_COLOR.domain, PREM], range: [...OUTCOME_COLOR.range, '#a50f15'] }, sel.map((r) => r.what), '#bab0ac');
  const over = {
    data: { values: sel },
    width: WIDTH,
    height: 90,
    mark: { type: 'bar' as const },
    encoding: {
      x: { field: 't0', type: 'quantitative' as const, axis: TRACE_TIME, scale: { zero: false, nice: false } },
      x2: { field: 't1' },
      y: { field: 'y0', type: 'quantitative' as const, title: 'victims selected' },
      y2: { field: 'y1' },
      color: { field: 'what', type: 'nominal' as const, scale: selColor, legend: { title: 'victim outcome', orient: 'right' as const } },
      tooltip: [{ field: 'what', title: 'outcome' }, { field: 'n', title: 'victims' }, { field: 't0', title: 'from (s)', format: '.6f' }, { field: 't1', title: 'to (s)', format: '.6f' }],
    },
  };
  const overAll = traces(d).length > 1
    ? { data: over.data, facet: { row: { field: 'trace', type: 'nominal' as const, title: null } }, spec: { width: WIDTH, height: 60, mark: over.mark, encoding: over.encoding }, resolve: { scale: { x: 'independent' as const } } }
    : over;
  const spread = {
    title: { text: 'time of each step since the selection, per outcome (line: min–max, box: quartiles, tick: median)', fontSize: 12 },
    data: { values: box },
    width: WIDTH,
    height: { step: 13, for: 'offset' as const },
    encoding: {
      y: { field: 'row', type: 'nominal' as const, sort: rowNames, title: null, axis: { labelLimit: 300, labelExpr: "split(datum.label, '\\n')" } },
      yOffset,
      tooltip,
    },
    layer: [
      { mark: { type: 'rule' as const, strokeWidth: 1.5 }, encoding: { x: xs('min'), x2: { field: 'max' }, color } },
      { mark: { type: 'bar' as const, height: { band: 1 }, opacity: 0.5 }, encoding: { x: xs('q1'), x2: { field: 'q3' }, color } },
      { mark: { type: 'tick' as const, thickness: 3 }, encoding: { x: xs('median'), color } },
    ],
  };
  return {
    $schema: SCHEMA,
    title: {
      text: TITLE,
      subtitle: `${whichTraces(d)}: ${plural(d.victims.length, 'victim')} (more than ${MAX_LANES}: aggregated; premature selections counted apart)`,
    },
    config: CONFIG,
    // The spread panel only when some milestone was seen (an empty one has no extent).
    vconcat: [{ title: { text: 'victims selected over time (bins of the trace clock)', fontSize: 12 }, ...overAll }, ...(box.length ? [spread] : [])],
    resolve: { scale: { color: 'independent' } },
  } as Spec;
}

export function victimLifecycle(d: ChartData): Spec {
  return d.victims.length > MAX_LANES ? aggregateSpec(d) : lanesSpec(d);
}
