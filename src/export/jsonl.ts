// JSON Lines export of events: one object per line with the table's column names.
// ts_ns and bigint field values are strings of digits, so no precision is lost.
import type { TraceEvent } from '../types/event.ts';
import { eventRow } from './columns.ts';
import { finished, whenDrained, type EventWriter } from './writer.ts';

function bigintAsString(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** Writes events to `out` as JSON Lines; absent tgid, flags and fields are left out. `end()` also ends `out`. */
export function createJsonlWriter(out: NodeJS.WritableStream): EventWriter {
  const done = finished(out);
  return {
    write(ev: TraceEvent): void {
      const row = eventRow(ev);
      const obj = ev.fields === undefined ? row : { ...row, fields: ev.fields };
      out.write(`${JSON.stringify(obj, bigintAsString)}\n`);
    },
    drained: () => whenDrained(out),
    end(): Promise<void> {
      out.end();
      return done;
    },
  };
}
