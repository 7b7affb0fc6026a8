// The comparison as text for a terminal: the groups, the thresholds, one table per
// group against the baseline (metric, each side's n and median or rate, the shift
// with its interval, p, verdict), why each verdict that is not "unchanged" was
// given, then the differences the kernel model predicts, apart.
import { safe } from '../types/terminal-text.ts';
import type { CompareResult, Comparison, GroupResult } from './compare.ts';
import type { MetricResult, SideStats } from './verdict.ts';
import * as fmt from './format.ts';

export function sideCell(m: MetricResult, s: SideStats): string {
  if (m.kind === 'proportion') {
    if (!s.n) return 'n=0';
    return `${s.events}/${s.n} ${fmt.value(m, s.rate!)}${s.total !== undefined ? ` · ${s.total}` : ''}`;
  }
  return s.n ? `n=${s.n} ${fmt.value(m, s.median!)}` : 'n=0';
}

export function shiftCell(m: MetricResult): string {
  if (m.shift === undefined) return '—';
  const ci = m.ci ? ` [${fmt.shift(m, m.ci[0])}, ${fmt.shift(m, m.ci[1])}]` : m.descriptive ? ' (raw)' : '';
  return `${fmt.shift(m, m.shift)}${ci}`;
}

export function verdictCell(m: MetricResult): string {
  const mark = m.predicted && (m.verdict === 'regressed' || m.verdict === 'improved') ? ' (predicted)' : '';
  return `${m.verdict}${mark}`;
}

function table(rows: string[][], right: Set<number>): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...r[i]!].length)));
  return rows
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd())
    .join('\n');
}

function groupLine(g: GroupResult): string {
  const kernels = [...new Set(g.captures.map((c) => `${c.kernel.upstream ?? c.kernel.release ?? 'unknown kernel'} (family ${c.family})`))].join(', ');
  const names = g.captures.map((c) => c.name);
  const shown = names.length <= 6 ? names.join(', ') : `${names.slice(0, 5).join(', ')} and ${names.length - 5} more`;
  return `  ${safe(g.label)}: ${fmt.plural(g.captures.length, 'capture')}, ${fmt.plural(g.victims.length, 'victim')}; ${safe(kernels)}; ${safe(shown)}`;
}

function comparisonText(c: Comparison): string {
  const out: string[] = [];
  out.push(`${safe(c.group)} against ${safe(c.baseline)}${c.descriptive ? ' — single trace per side: descriptive only (no p-values; raw differences)' : ''}`);
  const head = ['metric', 'worse', safe(c.baseline), safe(c.group), c.descriptive ? 'difference' : 'shift [95% CI]', 'p', 'verdict'];
  const rows = c.metrics.map((m) => [m.name, m.worse, sideCell(m, m.baseline), sideCell(m, m.group), shiftCell(m), m.p === undefined ? '—' : fmt.pValue(m.p), verdictCell(m)]);
  out.push(table([head, ...rows], new Set([5])));
  out.push('  (rates: victims with it / victims it could happen to, and · the total of skips, failed or unended starts over them)');
  const notes = c.metrics.filter((m) => m.verdict !== 'unchanged' || m.predicted);
  if (notes.length) {
    out.push('', 'Why:');
    for (const m of notes) out.push(`  ${m.name}: ${m.verdict}: ${safe(m.why)}${m.predicted ? `; the model predicts ${safe(m.predicted)}` : ''}`);
  }
  out.push('', `Expected from the kernel model (the profiles differ; predictions, not measurements):`);
  if (!c.expected.length) out.push('  none: both groups replay with the same capabilities');
  for (const e of c.expected) {
    out.push(`  - ${e.capability}: ${safe(e.text)}`);
    if (e.seen) out.push(`      seen in the traces: ${safe(e.seen)}`);
  }
  return out.join('\n');
}

export function compareText(r: CompareResult): string {
  const out: string[] = [];
  out.push(`reaplay compare: ${fmt.plural(r.groups.length, 'group')}; baseline ${safe(r.groups[0]!.label)}`);
  for (const g of r.groups) out.push(groupLine(g));
  out.push('');
  out.push(`Thresholds: a metric regressed (or improved) when p < ${r.alpha} and its shift reaches the metric's threshold in the direction declared worse (or better):`);
  out.push(`  durations: |Hodges-Lehmann shift| ≥ 10% of the baseline median and ≥ 1 ms; counts per victim: ≥ 10% of the baseline median and ≥ 1; rates: |Δ| ≥ 10 percentage points.`);
  out.push(`  Mann-Whitney U (exact under 50 per side without ties, else normal approximation with continuity and tie correction) with the Hodges-Lehmann shift and its ${Math.round(r.level * 100)}% distribution-free interval;`);
  out.push(`  Fisher's exact test (two-sided) on victims with Newcombe's interval. The unit is the victim. p-values are not adjusted for the number of metrics.`);
  out.push(`  Not enough data: a side without values, or a shift over the threshold that these sample sizes cannot make significant, or one capture per side.`);
  for (const c of r.comparisons) out.push('', comparisonText(c));
  const s = r.summary;
  out.push('', `Measured: ${s.regressed} regressed, ${s.improved} improved, ${s.unchanged} unchanged, ${s['not enough data']} not enough data`);
  return out.join('\n') + '\n';
}
