// `reaplay compare`: groups of captures, each capture replayed through the kernel
// model, the victims' metrics compared group by group against the first group
// (the baseline), and the differences the model predicts between the groups'
// profiles listed apart from the measured ones.
import { basename } from 'node:path';
import { analyze, type AnalyzeOptions } from '../pipeline.ts';
import { UserError } from '../types/errors.ts';
import { captureFacts, type CaptureFacts, type VictimFacts } from './facts.ts';
import { groupCaptures, type CaptureSpec, type GroupSpec } from './inputs.ts';
import { metricsFor, type MetricDef } from './metrics.ts';
import { compareMetric, type MetricResult } from './verdict.ts';
import { expectedDifferences, predicted, type ExpectedDifference } from './expected.ts';

export interface CompareOptions {
  /** `--kernel V` and `--capability NAME=VALUE`: apply to every capture. */
  kernel?: AnalyzeOptions['kernel'];
  capabilities?: AnalyzeOptions['capabilities'];
  /** Significance level (default 0.05) and confidence level of the intervals (default 0.95). */
  alpha?: number;
  level?: number;
  /** Called before each capture is analyzed (progress). */
  onCapture?: (c: CaptureSpec, i: number, total: number) => void;
}

export interface GroupResult {
  label: string;
  /** The label was given (--group LABEL=...), not taken from the kernel. */
  given: boolean;
  captures: CaptureFacts[];
  victims: VictimFacts[];
}

export interface Comparison {
  baseline: string;
  group: string;
  /** Each side is a single capture: verdicts are descriptive only. */
  descriptive: boolean;
  metrics: MetricResult[];
  /** What the kernel model predicts will differ (profiles), apart from the measurements. */
  expected: ExpectedDifference[];
}

export interface CompareResult {
  alpha: number;
  level: number;
  groups: GroupResult[];
  comparisons: Comparison[];
  /** The metrics in table order, with their declarations. */
  metrics: Pick<MetricDef, 'id' | 'name' | 'kind' | 'unit' | 'worse' | 'population' | 'threshold'>[];
  summary: Record<MetricResult['verdict'], number>;
}

/** `5.10.223`, or the release when the upstream version is not printed. */
const kernelName = (c: CaptureFacts): string => c.kernel.upstream ?? c.kernel.release ?? 'unknown kernel';

function defaultLabel(captures: readonly CaptureFacts[]): string {
  return [...new Set(captures.map(kernelName))].join(' + ');
}

/** Analyze every capture of every group (one at a time: only the facts are kept). */
export async function loadGroups(specs: readonly GroupSpec[], opts: CompareOptions = {}): Promise<GroupResult[]> {
  const given = specs.map((s) => s.label).filter((l): l is string => l !== undefined);
  const dup = given.find((l, i) => given.indexOf(l) !== i);
  if (dup !== undefined) throw new UserError(`--group ${dup}: the label is used twice`);
  const resolved = specs.map((s) => ({ spec: s, captures: groupCaptures(s) }));
  const total = resolved.reduce((n, r) => n + r.captures.length, 0);
  let i = 0;
  const groups: GroupResult[] = [];
  for (const r of resolved) {
    const captures: CaptureFacts[] = [];
    for (const c of r.captures) {
      opts.onCapture?.(c, i++, total);
      const a = await analyze(c.files, { kernel: opts.kernel, capabilities: opts.capabilities });
      captures.push(captureFacts(a, c));
    }
    groups.push({ label: r.spec.label ?? defaultLabel(captures), given: r.spec.label !== undefined, captures, victims: [] });
  }
  // Labels from the kernel can collide (two captures of one kernel): name the captures then.
  const counts = new Map<string, number>();
  for (const g of groups) counts.set(g.label, (counts.get(g.label) ?? 0) + 1);
  for (const g of groups) {
    if (g.given || (counts.get(g.label) ?? 0) < 2) continue;
    const names = g.captures.map((c) => basename(c.path.replace(/\/+$/, '')));
    g.label = `${g.label} (${names.length <= 2 ? names.join(', ') : `${names[0]} and ${names.length - 1} more`})`;
  }
  groups.forEach((g, k) => {
    if (groups.findIndex((h) => h.label === g.label) !== k) g.label = `${g.label} #${k + 1}`;
  });
  for (const g of groups) {
    for (const c of g.captures) for (const v of c.victims) v.group = g.label;
    g.victims = g.captures.flatMap((c) => c.victims);
  }
  return groups;
}

export function compareGroups(groups: readonly GroupResult[], opts: CompareOptions = {}): CompareResult {
  if (groups.length < 2) throw new UserError('compare needs two groups (or two captures)');
  const alpha = opts.alpha ?? 0.05;
  const level = opts.level ?? 0.95;
  const base = groups[0]!;
  const defs = metricsFor(groups.flatMap((g) => g.victims));
  const summary: CompareResult['summary'] = { regressed: 0, improved: 0, unchanged: 0, 'not enough data': 0 };
  const comparisons = groups.slice(1).map((g): Comparison => {
    const descriptive = base.captures.length === 1 && g.captures.length === 1;
    const expected = expectedDifferences(base, g);
    const metrics = defs.map((m) => {
      const r = compareMetric(m, { label: base.label, captures: base.captures.length, victims: base.victims }, { label: g.label, captures: g.captures.length, victims: g.victims }, { alpha, level, descriptive });
      for (const sign of [1, -1]) {
        const why = predicted(m.id, sign, expected);
        if (why) r.predicted = `${sign > 0 ? 'higher' : 'lower'} on ${g.label} (${why})`;
      }
      summary[r.verdict]++;
      return r;
    });
    return { baseline: base.label, group: g.label, descriptive, metrics, expected };
  });
  return {
    alpha,
    level,
    groups: [...groups],
    comparisons,
    metrics: defs.map(({ id, name, kind, unit, worse, population, threshold }) => ({ id, name, kind, unit, worse, population, threshold })),
    summary,
  };
}

/** The document of --json and compare.json: each victim once (under its group, naming its capture). */
export function compareJson(r: CompareResult): unknown {
  return {
    ...r,
    groups: r.groups.map((g) => ({ ...g, captures: g.captures.map(({ victims, ...c }) => ({ ...c, victims: victims.length })) })),
  };
}

/** Whether a regression was measured (exit code 1). */
export const regressed = (r: CompareResult): boolean => r.summary.regressed > 0;
