// Reads an event table (as written by src/export/csv.ts or another tool) back into
// TraceEvents. The first record is the header; each later record is parsed on its
// own, so a broken row costs only itself.
import { CsvError, parse } from 'csv-parse/sync';
import type { ReaderSink, LineReader, ParseContext } from '../importer.ts';
import type { SourceRef } from '../../src/types/event.ts';
import { readHeader, type CsvHeader } from './header.ts';
import { RecordFramer } from './record-framer.ts';
import { readRow } from './row.ts';

// The framer hands over exactly one record, so `\n` is the only record delimiter
// (a lone CR is data) and csv-parse need not guess it.
const RECORD = { record_delimiter: '\n' } as const;
const FIRST_RECORD = { ...RECORD, bom: true } as const;

export class CsvReader implements LineReader {
  private header: CsvHeader | undefined;
  /** The first record is not an event table's header: the rest is not read. */
  private refused = false;
  private readonly framer = new RecordFramer({
    record: (bytes, line, offset, lines) => this.record(bytes, { file: this.file, line, offset }, lines),
    skipped: (line, offset, why) => this.ctx.diag.add('bad_csv_row', { file: this.file, line, offset }, why),
  });

  constructor(
    private readonly ctx: ParseContext,
    private readonly file: string,
    private readonly sink: ReaderSink,
  ) {}

  line(buf: Buffer, start: number, end: number, lineNo: number, offset: number): void {
    if (!this.refused) this.framer.push(buf, start, end, lineNo, offset);
  }

  end(): void {
    if (!this.refused) this.framer.end();
  }

  /**
   * Reads one record. A record of several lines that does not parse is not reported
   * here: its reason goes back to the framer, which skips its first line only.
   */
  private record(bytes: Buffer, src: SourceRef, lines: number): string | undefined {
    const bad = (why: string): string | undefined => {
      if (lines > 1) return why;
      this.ctx.diag.add('bad_csv_row', src, why);
      return undefined;
    };
    let cells: string[];
    try {
      const rows = parse(bytes, this.header ? RECORD : FIRST_RECORD) as string[][];
      if (rows.length !== 1) throw new Error(`${rows.length} records where one was expected`);
      cells = rows[0]!;
    } catch (e) {
      const why = e instanceof CsvError ? e.code : (e as Error).message;
      if (this.header) return bad(why);
      this.refuse(src, `header does not parse (${why})`);
      return undefined;
    }
    if (!this.header) {
      const h = readHeader(cells);
      if (typeof h === 'string') this.refuse(src, h);
      else this.header = h;
      return undefined;
    }
    const row = readRow(cells, this.header);
    if (typeof row === 'string') return bad(row);
    // A name without its system (`mark_victim`) is resolved like tracefs text prints it.
    const entry = row.name.includes(':') ? this.ctx.names.byFull(row.name) : this.ctx.names.byShort(row.name);
    entry.count++;
    if (!entry.wanted) return undefined;
    this.sink.event({
      ts: row.ts,
      cpu: row.cpu,
      pid: row.pid,
      tgid: row.tgid,
      comm: row.comm,
      name: entry.full,
      text: row.text,
      flags: row.flags,
      src,
    });
    return undefined;
  }

  private refuse(src: SourceRef, why: string): void {
    this.refused = true;
    this.ctx.diag.add('not_a_trace', src, `not an event table: ${why}`);
  }
}
