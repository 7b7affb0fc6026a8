// What the fleet page shows, aggregated from a dataset so its size does not grow with the
// captures: the shipped queries' rows (rates with Wilson intervals), latency histograms
// per family on a log scale (arquero over the victims' latency columns), the data-loss
// share per family, and the first captures with data loss or an error.
import { escape, from, op } from 'arquero';
import { wilson } from '../../compare/proportions.ts';
import { duckdbEngine, type SqlEngine } from '../sql/duckdb-engine.ts';
import { queryText } from '../sql/queries.ts';
import type { Cell, QueryResult } from '../sql/result.ts';

export interface RateRow { key: string; n: number; x: number; rate: number; lower: number; upper: number }
export interface HistRow { family: string; step: string; bin: number; victims: number }
export interface FleetPageData {
  captures: number;
  failed: number;
  victims: number;
  families: number;
  premature: RateRow[];
  /** Releases left out of the premature chart (it keeps the ones with the most victims). */
  prematureOmitted: number;
  giveUp: RateRow[];
  latency: HistRow[];
  notifiers: { notifier: string; victims: number; failed: number; withFailures: number; rate: number; unended: number }[];
  dataLoss: RateRow[];
  lossy: { path: string; family: string; markers: number; lost?: number; victims: number; findings: number; lowered: number }[];
  errors: { path: string; error: string }[];
}

const MAX_RELEASES = 30;
const MAX_NOTIFIERS = 15;
const MAX_LISTED = 20;
/** Histogram bins per decade of seconds. */
const BINS_PER_DECADE = 4;

const objects = (r: QueryResult): Record<string, Cell>[] => r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i]!])));

function rate(key: string, x: number, n: number): RateRow {
  const ci = wilson(x, n);
  return { key, n, x, rate: n ? x / n : 0, lower: ci.lower, upper: ci.upper };
}

async function shipped(db: SqlEngine, name: string): Promise<Record<string, Cell>[]> {
  return objects(await db.query(queryText(name, 'duckdb')!));
}

export async function fleetPageData(dataset: string): Promise<FleetPageData> {
  const db = await duckdbEngine(dataset);
  try {
    const [totals] = objects(await db.query(
      'SELECT count(*) AS captures, sum(CASE WHEN error IS NULL THEN 0 ELSE 1 END) AS failed, coalesce(sum(victims), 0) AS victims, count(DISTINCT CASE WHEN error IS NULL THEN family END) AS families FROM captures',
    ));
    const prem = (await shipped(db, 'premature-per-release')).sort((a, b) => Number(b.victims) - Number(a.victims));
    const giveUp = await shipped(db, 'give-up-rate-per-family');
    const notifiers = (await shipped(db, 'failing-notifiers')).slice(0, MAX_NOTIFIERS);
    const loss = objects(await db.query(
      'SELECT family, count(*) AS captures, sum(CASE WHEN data_loss > 0 THEN 1 ELSE 0 END) AS lossy FROM captures WHERE error IS NULL GROUP BY family ORDER BY family',
    ));
    const lossy = objects(await db.query(`${queryText('data-loss-captures', 'duckdb')!.replace(/;\s*$/, '')} LIMIT ${MAX_LISTED}`));
    const errors = objects(await db.query(`SELECT path, error FROM captures WHERE error IS NOT NULL ORDER BY path LIMIT ${MAX_LISTED}`));
    const lat = objects(await db.query('SELECT family, wake_ns, first_attempt_ns, oom_skip_ns, release_ns FROM victims'));
    const steps = ['wake_ns', 'first_attempt_ns', 'oom_skip_ns', 'release_ns'];
    const latency = lat.length
      ? (from(lat.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? null : k === 'family' ? v : Number(v)]))))
          .fold(steps, { as: ['step', 'ns'] })
          .filter((d: { ns: number | null }) => d.ns !== null && d.ns > 0)
          .derive({
            step: escape((d: { step: string }) => d.step.replace(/_ns$/, '')),
            bin: escape((d: { ns: number }) => Math.floor(Math.log10(d.ns / 1e9) * BINS_PER_DECADE) / BINS_PER_DECADE),
          })
          .groupby('family', 'step', 'bin')
          .rollup({ victims: op.count() })
          .orderby('family', 'step', 'bin')
          .objects() as unknown as HistRow[])
      : [];
    return {
      captures: Number(totals!.captures),
      failed: Number(totals!.failed ?? 0),
      victims: Number(totals!.victims),
      families: Number(totals!.families),
      premature: prem.slice(0, MAX_RELEASES).map((r) => rate(String(r.kernel_release), Number(r.premature_victims), Number(r.victims))).sort((a, b) => a.key.localeCompare(b.key, 'en', { numeric: true })),
      prematureOmitted: Math.max(0, prem.length - MAX_RELEASES),
      giveUp: giveUp.map((r) => rate(String(r.family), Number(r.gave_up_victims), Number(r.worked_on))),
      latency,
      notifiers: notifiers.map((r) => ({
        notifier: String(r.notifier), victims: Number(r.victims), failed: Number(r.failed_starts), withFailures: Number(r.victims_with_failures), rate: Number(r.failure_rate), unended: Number(r.unended_starts),
      })),
      dataLoss: loss.map((r) => rate(String(r.family), Number(r.lossy), Number(r.captures))),
      lossy: lossy.map((r) => ({
        path: String(r.path), family: String(r.family), markers: Number(r.data_loss), lost: r.lost_events === null ? undefined : Number(r.lost_events),
        victims: Number(r.victims), findings: Number(r.findings), lowered: Number(r.findings_lowered),
      })),
      errors: errors.map((r) => ({ path: String(r.path), error: String(r.error) })),
    };
  } finally {
    db.close();
  }
}
