// Finds the columns of an event table by header name: any order, extra columns
// ignored, so tables from other tools read as well as reaplay's own.
//
// file, line and offset say where the exporter read each event; an imported event's
// source is the table itself, so they are not read.

/** Index of each column in a row, -1 when the table has no such column. */
export interface CsvHeader {
  width: number;
  ts: number;
  /** `ts`/`time` hold seconds with a fraction; `ts_ns` holds integer nanoseconds. */
  tsInSeconds: boolean;
  name: number;
  cpu: number;
  pid: number;
  tgid: number;
  comm: number;
  flags: number;
  text: number;
}

/** `" TS_NS "` → `ts_ns`: header cells are matched without case, spaces or quotes. */
export function headerName(cell: string): string {
  return cell.trim().replace(/^"(.*)"$/, '$1').trim().toLowerCase();
}

/** The header, or why these cells are not an event table's header. */
export function readHeader(cells: readonly string[]): CsvHeader | string {
  const at = new Map<string, number>();
  cells.forEach((c, i) => {
    const n = headerName(c);
    if (!at.has(n)) at.set(n, i);
  });
  const col = (n: string): number => at.get(n) ?? -1;
  const name = col('name');
  if (name < 0) return 'header has no name column';
  const ns = col('ts_ns');
  const secs = col('ts') >= 0 ? col('ts') : col('time');
  if (ns < 0 && secs < 0) return 'header has no ts_ns, ts or time column';
  return {
    width: cells.length,
    ts: ns >= 0 ? ns : secs,
    tsInSeconds: ns < 0,
    name,
    cpu: col('cpu'),
    pid: col('pid'),
    tgid: col('tgid'),
    comm: col('comm'),
    flags: col('flags'),
    text: col('text'),
  };
}
