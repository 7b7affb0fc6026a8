// One data row of an event table, checked against its header and turned into values.
import { unguardCell } from '../common/formula-guard.ts';
import { parseSecondsToNs } from '../common/timestamp.ts';
import type { CsvHeader } from './header.ts';

export interface CsvRow {
  ts: bigint;
  cpu: number;
  pid: number;
  tgid: number | undefined;
  comm: string;
  /** As written in the table, not yet resolved to `system:name`. */
  name: string;
  flags: string | undefined;
  text: string;
}

const NS = /^\s*\d{1,20}\s*$/;
const INT = /^\s*-?\d{1,15}\s*$/;

/** Empty: `absent`; digits: their value; anything else: NaN. */
function integer<T extends number | undefined>(cell: string, absent: T): number | T {
  if (cell.trim() === '') return absent;
  return INT.test(cell) ? Number(cell) : NaN;
}

/** A short, printable quote of a cell for a diagnostic (cells are attacker-controlled). */
function quote(cell: string): string {
  return JSON.stringify(cell.length > 40 ? `${cell.slice(0, 40)}…` : cell);
}

/**
 * The row's values, or why the row does not fit the header. Every cell is unguarded
 * (formula-guard.ts); cpu and pid are -1 when the table does not give them.
 */
export function readRow(cells: readonly string[], h: CsvHeader): CsvRow | string {
  if (cells.length !== h.width) return `expected ${h.width} fields, got ${cells.length}`;
  const get = (i: number): string => (i < 0 ? '' : unguardCell(cells[i]!));
  const tsCell = get(h.ts);
  const ts = h.tsInSeconds ? parseSecondsToNs(tsCell) : NS.test(tsCell) ? BigInt(tsCell.trim()) : undefined;
  if (ts === undefined) return `bad timestamp ${quote(tsCell)}`;
  const name = get(h.name).trim();
  if (name === '') return 'empty name';
  const cpu = integer(get(h.cpu), -1);
  const pid = integer(get(h.pid), -1);
  const tgid = integer(get(h.tgid), undefined);
  if (Number.isNaN(cpu) || Number.isNaN(pid) || Number.isNaN(tgid)) {
    return `bad cpu, pid or tgid ${quote(get(h.cpu))}, ${quote(get(h.pid))}, ${quote(get(h.tgid))}`;
  }
  const flags = get(h.flags);
  return { ts, cpu, pid, tgid, comm: get(h.comm), name, flags: flags === '' ? undefined : flags, text: get(h.text) };
}
