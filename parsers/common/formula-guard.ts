// Spreadsheets run a cell that starts with `=`, `+`, `-`, `@`, tab or CR as a formula
// (OWASP "CSV Injection"), and comm, text and file come from the traced system. Such
// a cell is written with a leading `'`, which spreadsheets show as plain text.
//
// The guard is reversible, so tables round-trip: a cell that starts with any number
// of `'` followed by one of those characters gets one more `'`, and import removes
// exactly one. `=x` → `'=x` → `=x`; `'=x` → `''=x` → `'=x`; `'x` and `x` are never
// touched either way.
const FORMULA_START = /^'*[=+\-@\t\r]/;

const APOSTROPHE = 39;

/** The cell as written to a table. */
export function guardCell(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** The original text of a cell written by `guardCell`. */
export function unguardCell(cell: string): string {
  return cell.charCodeAt(0) === APOSTROPHE && FORMULA_START.test(cell) ? cell.slice(1) : cell;
}
