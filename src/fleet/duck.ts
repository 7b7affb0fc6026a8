// DuckDB, embedded: one in-memory database per use, the fleet tables created from
// the schema and filled through the appender, then written with COPY.
import { DuckDBInstance, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import { columnsOf, duckColumns, type Column, type Row, type TableName } from './schema.ts';

export async function openDuck(): Promise<{ con: DuckDBConnection; close(): void }> {
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  return {
    con,
    close() {
      con.closeSync();
      inst.closeSync();
    },
  };
}

/** A string literal for SQL (paths the user named; nothing from a trace is ever put in SQL text). */
export const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`;

function append(app: DuckDBAppender, col: Column, v: Row[string]): void {
  if (v === null || v === undefined) {
    if (!col.null) throw new Error(`column ${col.name} is NOT NULL but the row has no value`);
    app.appendNull();
    return;
  }
  switch (col.type) {
    case 'string':
      app.appendVarchar(String(v));
      break;
    case 'bigint':
      app.appendBigInt(typeof v === 'bigint' ? v : BigInt(v));
      break;
    case 'double':
      app.appendDouble(Number(v));
      break;
    default:
      app.appendInteger(Number(v));
  }
}

/** Creates `table` (dropping an older one) and appends `rows`. */
export async function loadRows(con: DuckDBConnection, table: TableName, rows: readonly Row[]): Promise<void> {
  await con.run(`CREATE OR REPLACE TABLE ${table} ${duckColumns(table)}`);
  const cols = columnsOf(table);
  const app = await con.createAppender(table);
  for (const r of rows) {
    for (const col of cols) append(app, col, r[col.name]);
    app.endRow();
  }
  app.closeSync();
}

export async function copyParquet(con: DuckDBConnection, table: TableName, file: string): Promise<void> {
  await con.run(`COPY ${table} TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`);
}
