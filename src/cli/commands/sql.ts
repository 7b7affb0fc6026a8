// `reaplay sql DATASET "SELECT ..." | QUERY-NAME [--engine duckdb|clickhouse] [--json|--csv]`,
// and `--load` to put a dataset into ClickHouse. Without a query: the shipped queries.
import { existsSync, readFileSync } from 'node:fs';
import type { CliIO } from '../io.ts';
import { UserError } from '../../types/errors.ts';
import { duckdbEngine, type SqlEngine } from '../../fleet/sql/duckdb-engine.ts';
import { ClickHouseError, clickhouseEngine, loadClickHouse } from '../../fleet/sql/clickhouse.ts';
import { queryText, shippedQueries, type EngineName } from '../../fleet/sql/queries.ts';
import { asCsv, asJson, asTable } from '../../fleet/sql/print.ts';

export interface SqlOptions {
  dataset?: string;
  query?: string;
  engine: EngineName;
  url?: string;
  shards: string[];
  cluster: string;
  database: string;
  load: boolean;
  json: boolean;
  csv: boolean;
}

/** A shipped query's name, a `.sql` file, or SQL text. */
function resolveQuery(q: string, engine: EngineName): string {
  const shipped = /^[a-z0-9-]+$/.test(q) ? queryText(q, engine) : undefined;
  if (shipped !== undefined) return shipped;
  if (q.endsWith('.sql')) {
    if (!existsSync(q)) throw new UserError(`${q}: no such file`);
    return readFileSync(q, 'utf8');
  }
  return q;
}

export async function sqlCommand(o: SqlOptions, io: CliIO): Promise<number> {
  if (o.json && o.csv) throw new UserError('--json and --csv: choose one');
  if (o.engine === 'clickhouse' && !o.url) throw new UserError('--engine clickhouse needs --url http://HOST:8123');
  try {
    if (o.load) {
      if (!o.url) throw new UserError('--load needs --url http://HOST:8123 (and --shard URL for each shard of the cluster)');
      if (!o.dataset || !existsSync(o.dataset)) throw new UserError(`${o.dataset ?? 'DATASET'}: no such dataset`);
      const counts = await loadClickHouse(o.dataset, { url: o.url, shards: o.shards.length ? o.shards : [o.url], cluster: o.cluster, database: o.database });
      io.stdout.write(`loaded into ${o.url} (cluster ${o.cluster}): ${Object.entries(counts).map(([t, n]) => `${t} ${n}`).join(', ')}\n`);
      if (o.query === undefined) return 0;
    }
    if (o.query === undefined) {
      for (const q of shippedQueries()) io.stdout.write(`${q.name}\n  ${q.about}\n`);
      return 0;
    }
    let engine: SqlEngine;
    if (o.engine === 'clickhouse') engine = clickhouseEngine({ url: o.url!, database: o.database });
    else {
      if (!o.dataset || !existsSync(o.dataset)) throw new UserError(`${o.dataset ?? 'DATASET'}: no such dataset`);
      engine = await duckdbEngine(o.dataset);
    }
    try {
      let r;
      try {
        r = await engine.query(resolveQuery(o.query, o.engine));
      } catch (e) {
        if (e instanceof ClickHouseError) throw e;
        throw new UserError(`query failed: ${(e as Error).message}`);
      }
      io.stdout.write(o.json ? asJson(r) : o.csv ? asCsv(r) : asTable(r));
    } finally {
      engine.close();
    }
  } catch (e) {
    if (e instanceof ClickHouseError) throw new UserError(e.message);
    throw e;
  }
  return 0;
}
