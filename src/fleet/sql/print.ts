// A query result for people (an aligned table) or machines (JSON, CSV). Cells hold text
// from the traced system: control characters are shown escaped in the table, and CSV
// cells are guarded against spreadsheet formulas like every CSV reaplay writes.
import { stringify } from 'csv-stringify/sync';
import { guardCell } from '../../../parsers/common/formula-guard.ts';
import type { Cell, QueryResult } from './result.ts';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

function show(c: Cell): string {
  if (c === null) return 'NULL';
  if (typeof c === 'number') return Number.isInteger(c) ? String(c) : String(Number(c.toPrecision(6)));
  return c.replace(CONTROL, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function asTable(r: QueryResult): string {
  const cells = r.rows.map((row) => row.map(show));
  const widths = r.columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const numeric = r.columns.map((_, i) => r.rows.length > 0 && r.rows.every((row) => row[i] === null || typeof row[i] === 'number'));
  const line = (vals: string[]) => vals.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(r.columns), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line), `(${r.rows.length} row${r.rows.length === 1 ? '' : 's'})`].join('\n') + '\n';
}

export function asJson(r: QueryResult): string {
  return `${JSON.stringify(r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i]]))), null, 2)}\n`;
}

export function asCsv(r: QueryResult): string {
  return stringify([r.columns, ...r.rows.map((row) => row.map((c) => (c === null ? '' : typeof c === 'string' ? guardCell(c) : String(c))))], { record_delimiter: 'unix' });
}
