// Fleet scale for `npm run bench` (also alone: `npx tsx src/bench/fleet.ts`):
// - a fleet of FLEET_CAPTURES (default 5,000) captures made from the real ones (fleet-inputs.ts);
// - captures/s of `reaplay fleet` on 1 and on 2 workers over the same RATE_CAPTURES of them
//   (goal: >= 1.7x on two), each in a fresh process under /usr/bin/time for its peak RSS;
// - the whole fleet on 2 workers: time, peak RSS, dataset size on disk;
// - every shipped query on DuckDB over a dataset of >= 50,000 victims (the fleet's dataset
//   repeated with distinct capture ids), median of 3 runs (goal: < 1 s each).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { HAVE_SHARED, REPO_ROOT, bundledCaptures, sharedCaptures } from '../testing/captures.ts';
import { CAPTURES_PER_HOST, loadSource, writeFleet, type Source } from './fleet-inputs.ts';
import { duckdbEngine } from '../fleet/sql/duckdb-engine.ts';
import { openDuck, sqlString } from '../fleet/duck.ts';
import { datasetParts, viewOver } from '../fleet/read-tables.ts';
import { TABLE_NAMES } from '../fleet/schema.ts';
import { queryText, shippedQueries } from '../fleet/sql/queries.ts';

const CAPTURES = Number(process.env.FLEET_CAPTURES ?? 5000);
const RATE_CAPTURES = Number(process.env.FLEET_RATE_CAPTURES ?? 600);
const MIN_VICTIMS = 50_000;
const MIN_SPEEDUP = 1.7;
const MAX_QUERY_S = 1;

function duBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? duBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size;
  return n;
}

interface Run { seconds: number; captures: number; rate: number; rssMB: number; cpuS: number }

/** `reaplay fleet` in a fresh process under /usr/bin/time. */
function fleetRun(globs: string[], out: string, jobs: number): Run {
  rmSync(out, { recursive: true, force: true });
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'RSS_KB=%M CPU_S=%U+%S', process.execPath, '--import', 'tsx', join(REPO_ROOT, 'bin/reaplay.ts'), 'fleet', ...globs, '--out', out, '--jobs', String(jobs)], {
    cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 << 20,
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`reaplay fleet failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const captures = countBefore(r.stdout, ' analysed');
  const rssMB = Number(/RSS_KB=(\d+)/.exec(r.stderr)?.[1]) / 1024;
  const cpu = /CPU_S=([\d.]+)\+([\d.]+)/.exec(r.stderr);
  return { seconds, captures, rate: captures / seconds, rssMB, cpuS: cpu ? Number(cpu[1]) + Number(cpu[2]) : NaN };
}

/** The number printed just before the first `word` (a scan back from it: `/(\d+) analysed/` retries from every digit). */
export function countBefore(text: string, word: string): number {
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
    let i = at;
    while (i > 0 && text.charCodeAt(i - 1) >= 48 && text.charCodeAt(i - 1) <= 57) i--;
    if (i < at) return Number(text.slice(i, at));
  }
  return NaN;
}

/** The dataset repeated `times` times with distinct capture ids, as one Parquet file per table. */
async function scaled(dataset: string, out: string, times: number): Promise<void> {
  rmSync(out, { recursive: true, force: true });
  const db = await openDuck();
  try {
    for (const t of TABLE_NAMES) {
      await viewOver(db.con, t, datasetParts(dataset, t));
      const dir = join(out, t, 'family=all');
      mkdirSync(dir, { recursive: true });
      await db.con.run(
        `COPY (SELECT * REPLACE (capture_id || '-' || k::VARCHAR AS capture_id) FROM ${t}, range(${times}) r(k)) TO ${sqlString(join(dir, 'part-0-0.parquet'))} (FORMAT parquet, COMPRESSION zstd)`,
      );
    }
  } finally {
    db.close();
  }
}

export async function fleetBench(benchDir: string, failures: string[]): Promise<void> {
  const dirs = [...bundledCaptures(), ...(HAVE_SHARED ? sharedCaptures() : [])].map((c) => c.dir);
  const sources = dirs.map(loadSource).filter((s): s is Source => s !== undefined);
  const root = join(benchDir, 'fleet');
  const g0 = performance.now();
  writeFleet(sources, root, CAPTURES);
  console.log(`fleet: ${CAPTURES} captures from ${sources.length} real ones under ${root} (${((performance.now() - g0) / 1000).toFixed(0)} s to make or check)`);
  const hosts = Math.ceil(RATE_CAPTURES / CAPTURES_PER_HOST);
  const subset = Array.from({ length: hosts }, (_, h) => join(root, `host-${String(h).padStart(2, '0')}`, '*'));
  const one = fleetRun(subset, join(benchDir, 'fleet-ds-rate'), 1);
  const two = fleetRun(subset, join(benchDir, 'fleet-ds-rate'), 2);
  const speedup = two.rate / one.rate;
  console.log(`fleet rate over ${one.captures} captures: 1 worker ${one.rate.toFixed(1)} captures/s (${one.seconds.toFixed(1)} s, ${(one.cpuS / one.captures * 1000).toFixed(0)} ms CPU/capture, peak RSS ${one.rssMB.toFixed(0)} MB); ` +
    `2 workers ${two.rate.toFixed(1)} captures/s (${two.seconds.toFixed(1)} s, ${(two.cpuS / two.captures * 1000).toFixed(0)} ms CPU/capture, peak RSS ${two.rssMB.toFixed(0)} MB); 2/1 = ${speedup.toFixed(2)}x`);
  if (speedup < MIN_SPEEDUP) failures.push(`fleet: 2 workers ${speedup.toFixed(2)}x of 1 < ${MIN_SPEEDUP}x`);

  const ds = join(benchDir, 'fleet-ds');
  const all = fleetRun([join(root, '*', '*')], ds, 2);
  const eng = await duckdbEngine(ds);
  const victims = Number((await eng.query('SELECT count(*) FROM victims')).rows[0]![0]);
  eng.close();
  console.log(`fleet of ${all.captures} captures on 2 workers: ${all.seconds.toFixed(1)} s (${all.rate.toFixed(1)} captures/s), peak RSS ${all.rssMB.toFixed(0)} MB, ` +
    `${victims} victims, dataset ${(duBytes(ds) / 1e6).toFixed(1)} MB on disk`);

  const times = Math.max(1, Math.ceil(MIN_VICTIMS / Math.max(1, victims)));
  const big = join(benchDir, 'fleet-ds-50k');
  await scaled(ds, big, times);
  const q = await duckdbEngine(big);
  try {
    const n = Number((await q.query('SELECT count(*) FROM victims')).rows[0]![0]);
    console.log(`shipped queries on DuckDB, ${n} victims (the dataset repeated ${times}x with distinct capture ids), median of 3:`);
    for (const s of shippedQueries()) {
      const text = queryText(s.name, 'duckdb')!;
      const ts: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        await q.query(text);
        ts.push((performance.now() - t0) / 1000);
      }
      const med = ts.sort((a, b) => a - b)[1]!;
      console.log(`  ${s.name.padEnd(28)} ${(med * 1000).toFixed(0).padStart(6)} ms`);
      if (med >= MAX_QUERY_S) failures.push(`query ${s.name}: ${med.toFixed(2)} s >= ${MAX_QUERY_S} s`);
    }
  } finally {
    q.close();
  }
  // The page over the whole fleet: its size does not grow with the captures.
  execFileSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bin/reaplay.ts'), 'fleet', join(root, 'host-00', 'cap-00000'), '--out', ds, '--report', join(benchDir, 'fleet-page')], { cwd: REPO_ROOT });
  console.log(`fleet page over ${all.captures} captures: index.html ${(statSync(join(benchDir, 'fleet-page', 'index.html')).size / 1e6).toFixed(2)} MB`);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const failures: string[] = [];
  const dir = join(REPO_ROOT, '.bench');
  mkdirSync(dir, { recursive: true });
  await fleetBench(dir, failures);
  for (const f of failures) console.log(`MISSED ${f}`);
  if (failures.length) process.exitCode = 1;
  else if (existsSync(dir)) console.log('fleet targets met');
}
