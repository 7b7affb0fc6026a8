// Every shipped query gives the same rows on embedded DuckDB and on a local two-shard
// ClickHouse cluster (Debian's clickhouse-server, two processes, Distributed tables).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../testing/cli.ts';
import { SAMPLES_DIR } from '../testing/captures.ts';
import { HAVE_CLICKHOUSE, startLocalCluster, type LocalCluster } from '../testing/clickhouse.ts';
import { duckdbEngine } from './sql/duckdb-engine.ts';
import { clickhouseEngine, localName } from './sql/clickhouse.ts';
import { queryText, shippedQueries } from './sql/queries.ts';
import type { Cell } from './sql/result.ts';

if (!HAVE_CLICKHOUSE) console.warn('clickhouse test skipped: /usr/sbin/clickhouse-server is absent (.ci/run installs Debian\'s clickhouse-server)');

/** Floats agree to 12 significant digits (the engines sum in different orders). */
const norm = (c: Cell): Cell => (typeof c === 'number' && !Number.isInteger(c) ? Number(c.toPrecision(12)) : c);

describe.skipIf(!HAVE_CLICKHOUSE)('ClickHouse', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'reaplay-chtest-'));
  const ds = join(tmp, 'ds');
  let cluster: LocalCluster;
  beforeAll(async () => {
    cluster = await startLocalCluster();
    const r = await cli('fleet', join(SAMPLES_DIR, '*/*'), '--out', ds, '--jobs', '2');
    expect(r.code, r.err).toBe(0);
  });
  afterAll(async () => {
    await cluster?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('--load creates MergeTree tables on both shards and a Distributed table that spreads the rows over them', async () => {
    const [u1, u2] = cluster.urls;
    const r = await cli('sql', ds, '--load', '--engine', 'clickhouse', '--url', u1!, '--shard', u1!, '--shard', u2!);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const total = Number(/victims (\d+)/.exec(r.out)![1]);
    expect(total).toBeGreaterThan(10);
    const local = await Promise.all(cluster.urls.map(async (u) => Number((await clickhouseEngine({ url: u }).query(`SELECT count() FROM ${localName('victims')}`)).rows[0]![0])));
    expect(local.every((n) => n > 0)).toBe(true);
    expect(local[0]! + local[1]!).toBe(total);
    const all = await clickhouseEngine({ url: u1! }).query('SELECT count() FROM victims');
    expect(all.rows[0]![0]).toBe(total);
  });

  const queries = shippedQueries();
  it(`runs the ${queries.length} shipped queries with the same rows on DuckDB and the two-shard ClickHouse`, async () => {
    expect(queries.length).toBeGreaterThanOrEqual(6);
    const duck = await duckdbEngine(ds);
    const ch = clickhouseEngine({ url: cluster.urls[0]! });
    try {
      for (const q of queries) {
        const a = await duck.query(queryText(q.name, 'duckdb')!);
        const b = await ch.query(queryText(q.name, 'clickhouse')!).catch((e: Error) => {
          throw new Error(`${q.name}: ${e.message}`);
        });
        expect(b.columns, q.name).toEqual(a.columns);
        expect(a.rows.length, `${q.name} has rows`).toBeGreaterThan(0);
        expect(b.rows.map((r) => r.map(norm)), q.name).toEqual(a.rows.map((r) => r.map(norm)));
      }
    } finally {
      duck.close();
    }
    // Through the CLI too, as a user would run it.
    const r = await cli('sql', '--engine', 'clickhouse', '--url', cluster.urls[0]!, 'give-up-rate-per-family', '--json');
    expect(r.code, r.err).toBe(0);
    const d = await cli('sql', ds, 'give-up-rate-per-family', '--json');
    expect(JSON.parse(r.out)).toEqual(JSON.parse(d.out));
  });
});
