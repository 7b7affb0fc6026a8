// `reaplay compare --dataset DATASET --group-by kernel|release|family|label:NAME`: the
// comparison's groups made from a dataset's captures and per-victim metrics (the
// `metrics` table is compare's VictimFacts), so compare's statistics run unchanged over
// thousands of victims without analysing any capture again.
import type { CaptureFacts, CaptureObservations, VictimFacts } from '../compare/facts.ts';
import type { GroupResult } from '../compare/compare.ts';
import type { Capabilities } from '../replay/capabilities.ts';
import { duckdbEngine } from './sql/duckdb-engine.ts';
import type { Cell, QueryResult } from './sql/result.ts';

export class GroupByError extends Error {}

const objects = (r: QueryResult): Record<string, Cell>[] => r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i]!])));
const num = (c: Cell | undefined): number | undefined => (c === null || c === undefined ? undefined : Number(c));
const str = (c: Cell | undefined): string | undefined => (c === null || c === undefined ? undefined : String(c));

function victimFacts(m: Record<string, Cell>, capture: string): VictimFacts {
  return {
    group: '',
    capture,
    pid: Number(m.pid),
    comm: String(m.comm),
    domain: String(m.domain),
    outcome: String(m.outcome),
    wake: num(m.wake_s),
    firstAttempt: num(m.first_attempt_s),
    oomSkip: num(m.oom_skip_s),
    oomSkipCause: str(m.oom_skip_cause),
    release: num(m.release_s),
    releaseHow: str(m.release_how),
    attempts: Number(m.attempts),
    attemptsRun: Number(m.attempts_run),
    reaperWorked: m.reaper_worked === 1,
    gaveUp: m.gave_up === 1,
    lockBusy: Number(m.lock_busy),
    coreStarts: Number(m.core_starts),
    coreFailed: Number(m.core_failed),
    notifiers: JSON.parse(String(m.notifiers)) as string[],
    leaks: JSON.parse(String(m.leaks)) as Record<string, number>,
    callbackFailures: num(m.callback_failures),
    callbackSource: str(m.callback_source) as VictimFacts['callbackSource'],
    laterSelection: m.later_selection === 1,
    premature: m.premature === 1,
    selfReaps: Number(m.self_reaps),
    markExtended: m.mark_extended === 1,
  };
}

function keyOf(groupBy: string, c: Record<string, Cell>): string {
  if (groupBy === 'kernel') return str(c.upstream) ?? str(c.release) ?? 'unknown kernel';
  if (groupBy === 'release') return str(c.release) ?? 'unknown kernel';
  if (groupBy === 'family') return String(c.family);
  const label = /^label:(\w+)$/.exec(groupBy)?.[1];
  if (label) return (JSON.parse(String(c.labels)) as Record<string, string>)[label] ?? `no ${label}`;
  throw new GroupByError(`--group-by ${groupBy}: expected kernel, release, family or label:NAME`);
}

/** The groups, ordered by their label (versions in numeric order), the baseline first when named. */
export async function groupsFromDataset(dataset: string, groupBy: string, baseline?: string): Promise<GroupResult[]> {
  const db = await duckdbEngine(dataset);
  let caps: Record<string, Cell>[];
  let metrics: Record<string, Cell>[];
  try {
    caps = objects(await db.query('SELECT * FROM captures WHERE error IS NULL ORDER BY path, capture_id'));
    metrics = objects(await db.query('SELECT * FROM metrics ORDER BY capture_id, victim'));
  } finally {
    db.close();
  }
  const byCapture = new Map<string, Record<string, Cell>[]>();
  for (const m of metrics) {
    const id = String(m.capture_id);
    const l = byCapture.get(id);
    if (l) l.push(m);
    else byCapture.set(id, [m]);
  }
  const groups = new Map<string, CaptureFacts[]>();
  for (const c of caps) {
    const key = keyOf(groupBy, c);
    const name = String(c.name);
    const facts: CaptureFacts = {
      name,
      path: String(c.path),
      files: JSON.parse(String(c.files)) as string[],
      kernel: { release: str(c.release), upstream: str(c.upstream) },
      family: String(c.family),
      caps: JSON.parse(String(c.capabilities ?? '{}')) as Capabilities,
      reasons: JSON.parse(String(c.profile_why ?? '[]')) as string[],
      observations: JSON.parse(String(c.observations ?? '{}')) as CaptureObservations,
      victims: (byCapture.get(String(c.capture_id)) ?? []).map((m) => victimFacts(m, name)),
    };
    const g = groups.get(key);
    if (g) g.push(facts);
    else groups.set(key, [facts]);
  }
  const labels = [...groups.keys()].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (baseline !== undefined) {
    if (!groups.has(baseline)) throw new GroupByError(`--baseline ${baseline}: no such group (groups: ${labels.join(', ')})`);
    labels.splice(labels.indexOf(baseline), 1);
    labels.unshift(baseline);
  }
  return labels.map((label) => {
    const captures = groups.get(label)!;
    for (const c of captures) for (const v of c.victims) v.group = label;
    return { label, given: true, captures, victims: captures.flatMap((c) => c.victims) };
  });
}
