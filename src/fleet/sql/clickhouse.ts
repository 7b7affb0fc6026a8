// The same SQL on ClickHouse (18.16 and later) over its HTTP interface: queries, and
// `--load`, which creates per table a MergeTree table on every shard and a Distributed
// table over the cluster, then inserts the dataset as JSONEachRow through the
// Distributed table (rows spread over the shards by capture_id).
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TABLE_NAMES, clickhouseColumns, type TableName } from '../schema.ts';
import { openDuck, sqlString } from '../duck.ts';
import { datasetParts, viewOver } from '../read-tables.ts';
import { cell } from './result.ts';
import type { SqlEngine } from './duckdb-engine.ts';
import { isBlank } from '../../../parsers/common/blank.ts';

export class ClickHouseError extends Error {}

interface Target {
  url: string;
  database?: string;
}

function post(t: Target, params: Record<string, string>, body: string | NodeJS.ReadableStream): Promise<string> {
  const u = new URL(t.url);
  if (u.protocol !== 'http:') throw new ClickHouseError(`${t.url}: only http:// URLs are supported`);
  for (const [k, v] of Object.entries({ ...(t.database ? { database: t.database } : {}), ...params })) u.searchParams.set(k, v);
  return new Promise((resolve, reject) => {
    const req = request(u, { method: 'POST' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode === 200) resolve(text);
        else reject(new ClickHouseError(`${t.url}: HTTP ${res.statusCode}: ${text.trim().slice(0, 600)}`));
      });
      res.on('error', reject);
    });
    req.on('error', (e) => reject(new ClickHouseError(`${t.url}: ${e.message}`)));
    if (typeof body === 'string') req.end(body);
    else {
      body.on('error', reject);
      body.pipe(req);
    }
  });
}

/** A query with its trailing `;` (and comments after it) removed, so a FORMAT clause can follow. */
export function bare(sql: string): string {
  // good[q]: sql[q..] holds only blanks and `--` comments. One pass from the end, then the
  // leftmost `;` before such a tail (a regex over `;\s*(--...\s*)*$` backtracks quadratically).
  const n = sql.length;
  const good = new Uint8Array(n + 1);
  good[n] = 1;
  let eol = n;
  for (let q = n - 1; q >= 0; q--) {
    const c = sql.charCodeAt(q);
    if (c === 10) eol = q;
    good[q] = isBlank(c) ? good[q + 1]! : c === 45 && sql.charCodeAt(q + 1) === 45 ? good[eol]! : 0;
  }
  for (let p = sql.indexOf(';'); p >= 0; p = sql.indexOf(';', p + 1)) if (good[p + 1]) return sql.slice(0, p).trimEnd();
  return sql.trimEnd();
}

export function clickhouseEngine(t: Target): SqlEngine {
  return {
    async query(sql) {
      const text = await post(t, { output_format_json_quote_64bit_integers: '0' }, `${bare(sql)}\nFORMAT JSONCompact`);
      const doc = JSON.parse(text) as { meta: { name: string }[]; data: unknown[][] };
      return { columns: doc.meta.map((m) => m.name), rows: doc.data.map((r) => r.map(cell)) };
    },
    close() {},
  };
}

export interface LoadOptions {
  /** The URL queries go to (its Distributed tables). */
  url: string;
  /** Every shard's HTTP URL: the local tables are created on each (default: just `url`). */
  shards: string[];
  cluster: string;
  database: string;
}

export const localName = (t: TableName): string => `${t}_local`;

/** Creates the tables on every shard (dropping older ones) and inserts the dataset; returns rows per table. */
export async function loadClickHouse(dataset: string, o: LoadOptions): Promise<Record<TableName, number>> {
  const q = (url: string, sql: string) => post({ url, database: o.database }, {}, sql);
  const distributed = (t: TableName): string =>
    `CREATE TABLE ${t} ${clickhouseColumns(t)} ENGINE = Distributed(${o.cluster}, ${o.database}, ${localName(t)}, cityHash64(capture_id))`;
  for (const shard of o.shards) {
    for (const t of TABLE_NAMES) {
      await q(shard, `DROP TABLE IF EXISTS ${t}`);
      await q(shard, `DROP TABLE IF EXISTS ${localName(t)}`);
      await q(shard, `CREATE TABLE ${localName(t)} ${clickhouseColumns(t)} ENGINE = MergeTree() ORDER BY (family, capture_id)`);
    }
  }
  for (const t of TABLE_NAMES) {
    await q(o.url, `DROP TABLE IF EXISTS ${t}`);
    await q(o.url, distributed(t));
  }
  // The rows go out as JSON lines written by DuckDB from the Parquet parts (ClickHouse 18.16 reads no Parquet).
  const tmp = mkdtempSync(join(tmpdir(), 'reaplay-ch-'));
  const db = await openDuck();
  const counts = {} as Record<TableName, number>;
  try {
    for (const t of TABLE_NAMES) {
      await viewOver(db.con, t, datasetParts(dataset, t));
      const file = join(tmp, `${t}.jsonl`);
      await db.con.run(`COPY (SELECT * FROM ${t}) TO ${sqlString(file)} (FORMAT json)`);
      const n = await db.con.runAndReadAll(`SELECT count(*) FROM ${t}`);
      counts[t] = Number(n.getRowsJS()[0]![0]);
      // Synchronous: the rows are on their shards when the insert returns.
      await post({ url: o.url, database: o.database }, { query: `INSERT INTO ${t} FORMAT JSONEachRow`, insert_distributed_sync: '1' }, createReadStream(file));
    }
  } finally {
    db.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  return counts;
}
