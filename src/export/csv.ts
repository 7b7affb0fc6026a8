// Streaming CSV export of events: a header, then one row per event, with every text
// cell guarded against spreadsheet formulas (see parsers/common/formula-guard.ts).
import { stringify } from 'csv-stringify';
import type { TraceEvent } from '../types/event.ts';
import { EVENT_COLUMNS, TEXT_COLUMNS, eventRow, type EventColumn, type EventRow } from './columns.ts';
import { guardCell, QUOTE_LINE_BREAKS } from '../../parsers/common/formula-guard.ts';
import { finished, whenDrained, type EventWriter } from './writer.ts';

function cell(row: EventRow, column: EventColumn): string {
  const v = row[column];
  if (v === undefined) return '';
  if (typeof v === 'number') return String(v);
  return TEXT_COLUMNS.has(column) ? guardCell(v) : v;
}

/** Writes events to `out` as CSV; `end()` also ends `out`. */
export function createCsvWriter(out: NodeJS.WritableStream): EventWriter {
  const csv = stringify({ header: true, columns: [...EVENT_COLUMNS], record_delimiter: 'unix', quoted_match: QUOTE_LINE_BREAKS });
  const done = finished(out, csv);
  csv.pipe(out);
  return {
    write(ev: TraceEvent): void {
      const row = eventRow(ev);
      csv.write(EVENT_COLUMNS.map((c) => cell(row, c)));
    },
    drained: () => whenDrained(csv) ?? whenDrained(out),
    end(): Promise<void> {
      csv.end();
      return done;
    },
  };
}
