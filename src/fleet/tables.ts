// The fleet tables in memory, as arquero tables (for the page's aggregates and for
// scripts and notebooks), from rows of any number of captures.
import { from, type ColumnTable } from 'arquero';
import { TABLE_NAMES, columnsOf, type Rows, type TableName } from './schema.ts';

export type FleetTables = Record<TableName, ColumnTable>;

export function toArquero(rows: Rows): FleetTables {
  const out = {} as FleetTables;
  for (const t of TABLE_NAMES) {
    // Declared column order, and every column even when the table is empty.
    const names = columnsOf(t).map((c) => c.name);
    out[t] = from(rows[t].length ? rows[t] : [], names).select(names);
  }
  return out;
}

/** Adds `more` to `into` (rows of a further capture). */
export function appendRows(into: Rows, more: Rows): void {
  for (const t of TABLE_NAMES) for (const r of more[t]) into[t].push(r);
}
