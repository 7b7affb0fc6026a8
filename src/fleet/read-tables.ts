// Reading fleet tables back (an export folder or a dataset) through DuckDB, as plain rows.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { duckColumns, type Row, type TableName } from './schema.ts';
import { sqlString } from './duck.ts';

/** The Parquet files of `table` in a dataset (`DATASET/<table>/family=*\/*.parquet`). */
export function datasetParts(dataset: string, table: TableName): string[] {
  const dir = join(dataset, table);
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const p of readdirSync(dir, { withFileTypes: true })) {
    if (!p.isDirectory()) continue;
    for (const f of readdirSync(join(dir, p.name))) if (f.endsWith('.parquet')) out.push(join(dir, p.name, f));
  }
  return out.sort();
}

/** `table` as a view over Parquet files (an empty table of the schema when there are none). */
export async function viewOver(con: DuckDBConnection, table: TableName, files: readonly string[]): Promise<void> {
  if (!files.length) {
    await con.run(`CREATE OR REPLACE TABLE ${table} ${duckColumns(table)}`);
    return;
  }
  await con.run(`CREATE OR REPLACE VIEW ${table} AS SELECT * FROM read_parquet([${files.map(sqlString).join(', ')}], hive_partitioning = false, union_by_name = true)`);
}

export async function queryRows(con: DuckDBConnection, sql: string): Promise<Row[]> {
  const r = await con.runAndReadAll(sql);
  return r.getRowObjectsJS() as Row[];
}
