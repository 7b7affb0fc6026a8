// SQL on a dataset with embedded DuckDB: each table a view over its Parquet parts.
import { openDuck } from '../duck.ts';
import { datasetParts, viewOver } from '../read-tables.ts';
import { TABLE_NAMES } from '../schema.ts';
import { cell, type QueryResult } from './result.ts';

export interface SqlEngine {
  query(sql: string): Promise<QueryResult>;
  close(): void;
}

export async function duckdbEngine(dataset: string): Promise<SqlEngine> {
  const db = await openDuck();
  for (const t of TABLE_NAMES) await viewOver(db.con, t, datasetParts(dataset, t));
  return {
    async query(sql) {
      const r = await db.con.runAndReadAll(sql);
      return { columns: r.columnNames(), rows: r.getRowsJS().map((row) => row.map(cell)) };
    },
    close: () => db.close(),
  };
}
