// Findings counted by kind and rule, coloured by evidence level; the findings the
// model expects on the recorded kernel (by design, or the family's known bug) are
// drawn pale (their own legend), so what is left at full strength is
// what needs a kernel engineer. Counted here: one row per (rule, level, expected).
import type { ChartData } from './data.ts';
import { CONFIG, LEVEL_COLOR, LEVELS, SCHEMA, cmp, num, pick, plural, whichTraces, type Spec } from './common.ts';

const TITLE = 'Findings by rule and evidence level';
const EXPECTED = { domain: ['not expected on this kernel', 'expected on this kernel'], range: [1, 0.35] };

export function findingsSummary(d: ChartData): Spec {
  const groups = new Map<string, { rule: string; level: string; expected: string; findings: number; occurrences: number; victims: Set<string>; traces: Set<string> }>();
  for (const f of d.findings) {
    const rule = `${f.kind} · ${f.rule}`;
    const expected = EXPECTED.domain[f.expected ? 1 : 0]!;
    const k = `${rule}|${f.level}|${expected}`;
    const g = groups.get(k) ?? { rule, level: f.level, expected, findings: 0, occurrences: 0, victims: new Set(), traces: new Set() };
    g.findings++;
    g.occurrences += f.count;
    if (f.pid !== undefined) g.victims.add(`${f.trace}\u0000${f.pid}`);
    g.traces.add(f.trace);
    groups.set(k, g);
  }
  const rank = (l: string) => {
    const i = (LEVELS as readonly string[]).indexOf(l);
    return i < 0 ? LEVELS.length : i;
  };
  const rows = [...groups.values()]
    .sort((a, b) => cmp(a.rule, b.rule) || rank(a.level) - rank(b.level) || cmp(a.expected, b.expected))
    .map((g) => ({
      rule: g.rule,
      level: g.level,
      expected: g.expected,
      findings: g.findings,
      occurrences: g.occurrences,
      victims: g.victims.size,
      traces: g.traces.size,
      // Stacking order inside a bar: proven first, expected after not expected.
      order: rank(g.level) * 2 + (g.expected === EXPECTED.domain[1] ? 1 : 0),
    }));
  // Most findings not expected first, then most findings.
  const byRule = new Map<string, { unexpected: number; all: number; occurrences: number }>();
  for (const r of rows) {
    const t = byRule.get(r.rule) ?? { unexpected: 0, all: 0, occurrences: 0 };
    t.all += r.findings;
    t.occurrences += r.occurrences;
    if (r.expected === EXPECTED.domain[0]) t.unexpected += r.findings;
    byRule.set(r.rule, t);
  }
  // Two-line axis labels (split by the axis' labelExpr, a constant): the rule, then its counts.
  const label = new Map([...byRule].map(([rule, t]) => [rule, `${rule}\n${plural(t.all, 'finding')}, ${plural(t.occurrences, 'occurrence')}`]));
  for (const r of rows) r.rule = label.get(r.rule)!;
  const order = [...byRule].sort((a, b) => b[1].unexpected - a[1].unexpected || b[1].all - a[1].all || cmp(a[0], b[0])).map(([r]) => label.get(r)!);
  const unexpected = d.findings.filter((f) => !f.expected);
  return {
    $schema: SCHEMA,
    title: {
      text: TITLE,
      subtitle: `${whichTraces(d)}: ${plural(d.findings.length, 'finding')}, ${num(unexpected.length)} not expected on the recorded kernel; an occurrence is e.g. one unpaired call`,
    },
    config: CONFIG,
    width: 460,
    height: { step: 40 },
    data: { values: rows },
    mark: { type: 'bar', stroke: '#333', strokeWidth: 0.5 },
    encoding: {
      y: { field: 'rule', type: 'nominal', sort: order, title: null, axis: { labelLimit: 400, labelExpr: "split(datum.label, '\\n')" } },
      x: { field: 'findings', type: 'quantitative', title: 'findings', stack: 'zero', axis: { tickMinStep: 1 } },
      color: { field: 'level', type: 'nominal', scale: pick(LEVEL_COLOR, rows.map((r) => r.level), '#ddd'), legend: { title: 'evidence level' } },
      opacity: { field: 'expected', type: 'ordinal', sort: EXPECTED.domain, scale: pick(EXPECTED, rows.map((r) => r.expected), 1), legend: { title: 'the model says', symbolFillColor: '#555' } },
      order: { field: 'order', type: 'quantitative' },
      tooltip: [
        { field: 'rule', title: 'kind · rule' },
        { field: 'level', title: 'level' },
        { field: 'expected', title: 'expected' },
        { field: 'findings', title: 'findings' },
        { field: 'occurrences', title: 'occurrences (e.g. unpaired calls)' },
        { field: 'victims', title: 'victims' },
        { field: 'traces', title: 'traces' },
      ],
    },
  } as Spec;
}
