// Recognises an event table by its header line alone: data rows of other formats
// may hold commas, but none starts with a `name,…,ts_ns` header.
import { headerName } from './header.ts';

/** A UTF-8 byte order mark as it reads in a latin1 head. */
const LATIN1_BOM = '\u00ef\u00bb\u00bf';

export function sniffCsv(head: string): number {
  const nl = head.indexOf('\n');
  let first = nl < 0 ? head : head.slice(0, nl);
  if (first.startsWith(LATIN1_BOM)) first = first.slice(LATIN1_BOM.length);
  if (!first.includes(',')) return 0;
  const names = new Set(first.split(',').map(headerName));
  const hasTs = names.has('ts_ns') || names.has('ts') || names.has('time');
  return names.has('name') && hasTs ? 0.95 : 0;
}
