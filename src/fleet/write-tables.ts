// One capture's (or one batch's) tables to files: Parquet through DuckDB's COPY, CSV
// with every text cell guarded against spreadsheet formulas (as src/export does),
// JSON lines with 64-bit integers as JSON numbers (what ClickHouse's JSONEachRow reads).
import { createWriteStream } from 'node:fs';
import { stringify } from 'csv-stringify';
import { guardCell } from '../../parsers/common/formula-guard.ts';
import { finished } from '../export/writer.ts';
import { columnsOf, TABLE_NAMES, type Row, type Rows, type TableName } from './schema.ts';
import { copyParquet, loadRows, openDuck } from './duck.ts';

export type TableFormat = 'parquet' | 'csv' | 'jsonl';
export const TABLE_FORMATS: readonly TableFormat[] = ['parquet', 'csv', 'jsonl'];

/** One row as a JSON object; bigints written as bare digits, absent values as null. */
export function jsonRow(table: TableName, r: Row): string {
  const parts = columnsOf(table).map((col) => {
    const v = r[col.name];
    const text = v === undefined || v === null ? 'null' : typeof v === 'bigint' ? v.toString() : JSON.stringify(v);
    return `${JSON.stringify(col.name)}:${text}`;
  });
  return `{${parts.join(',')}}`;
}

function csvCell(v: Row[string], text: boolean): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return text ? guardCell(v) : v;
  return v.toString();
}

async function writeCsv(table: TableName, rows: readonly Row[], file: string): Promise<void> {
  const out = createWriteStream(file);
  const cols = columnsOf(table);
  const csv = stringify({ header: true, columns: cols.map((c) => c.name), record_delimiter: 'unix' });
  const done = finished(out, csv);
  csv.pipe(out);
  for (const r of rows) csv.write(cols.map((c) => csvCell(r[c.name], c.type === 'string')));
  csv.end();
  await done;
}

async function writeJsonl(table: TableName, rows: readonly Row[], file: string): Promise<void> {
  const out = createWriteStream(file);
  const done = finished(out);
  for (const r of rows) if (!out.write(`${jsonRow(table, r)}\n`)) await new Promise<void>((res) => out.once('drain', () => res()));
  out.end();
  await done;
}

export const fileName = (table: TableName, as: TableFormat): string => `${table}.${as}`;

/** Writes every table of `rows` as `dir/<table>.<as>` (or to `pathOf(table)`). */
export async function writeTables(rows: Rows, as: TableFormat, pathOf: (t: TableName) => string): Promise<void> {
  if (as === 'parquet') {
    const db = await openDuck();
    try {
      for (const t of TABLE_NAMES) {
        await loadRows(db.con, t, rows[t]);
        await copyParquet(db.con, t, pathOf(t));
      }
    } finally {
      db.close();
    }
    return;
  }
  for (const t of TABLE_NAMES) await (as === 'csv' ? writeCsv : writeJsonl)(t, rows[t], pathOf(t));
}
