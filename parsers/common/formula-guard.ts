// The CSV channel. Spreadsheets run a cell that starts with `=`, `+`, `-`, `@`, tab
// or CR as a formula (OWASP "CSV Injection"), also after leading blanks or control
// characters, and comm, text and file come from the traced system. Such a cell is
// written with a leading `'`, which spreadsheets show as plain text. Quoting (any
// cell with CR, LF, comma or quote is quoted, csv.ts) keeps a bare CR from starting
// a new row whose first cell would then be an unguarded formula (`x\r=2+3`).
//
// The guard is reversible, so tables round-trip: a cell that starts with any number
// of `'` followed by a formula start gets one more `'`, and import removes exactly
// one. `=x` → `'=x` → `=x`; `'=x` → `''=x` → `'=x`; `'x` and `x` are never touched.
// eslint-disable-next-line no-control-regex
const FORMULA_START = /^'*[\s\u0000-\u001f\u007f-\u009f]*[=+\-@\t\r]/;

const APOSTROPHE = 39;

/** The cell as written to a table. */
export function guardCell(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** The original text of a cell written by `guardCell`. */
export function unguardCell(cell: string): string {
  return cell.charCodeAt(0) === APOSTROPHE && FORMULA_START.test(cell) ? cell.slice(1) : cell;
}

/** csv-stringify option: quote every cell that holds a CR or LF (it quotes `,` and `"` itself). */
export const QUOTE_LINE_BREAKS = /[\r\n]/;
