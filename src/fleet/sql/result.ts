// A query's result, the same shape from every engine: column names and rows of plain
// values (numbers, strings, null). 64-bit integers become numbers when exact, else strings.
export type Cell = string | number | null;

export interface QueryResult {
  columns: string[];
  rows: Cell[][];
}

export function cell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return String(v);
}
