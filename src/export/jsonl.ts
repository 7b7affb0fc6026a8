// JSON Lines export of events: one object per line with the table's column names.
// ts_ns and bigint field values are strings of digits, so no precision is lost.
import type { Fields, TraceEvent } from '../types/event.ts';
import { eventRow } from './columns.ts';
import { finished, whenDrained, type EventWriter } from './writer.ts';

/** The fields with bigint values as strings of digits (copied only when there is one): JSON.stringify with a replacer function is several times slower. */
function plainFields(fields: Fields): Fields {
  let out: Fields | undefined;
  for (const k in fields) {
    const v = fields[k];
    if (typeof v === 'bigint') (out ??= { ...fields })[k] = v.toString();
  }
  return out ?? fields;
}

/** Lines are written ~64 KB at a time: a write per line was a system call per line on stdout (most of `parse`'s time in a profile). */
const BATCH = 1 << 16;

/** Writes events to `out` as JSON Lines; absent tgid, flags and fields are left out. `end()` also ends `out`. */
export function createJsonlWriter(out: NodeJS.WritableStream): EventWriter {
  const done = finished(out);
  let pending = '';
  const flush = (): void => {
    if (pending === '') return;
    out.write(pending);
    pending = '';
  };
  return {
    write(ev: TraceEvent): void {
      const row = eventRow(ev);
      const obj = ev.fields === undefined ? row : { ...row, fields: plainFields(ev.fields) };
      pending += `${JSON.stringify(obj)}\n`;
      if (pending.length >= BATCH) flush();
    },
    // Asked by the reader at each piece of its input (a trace.dat: every 1,024 records):
    // what is held goes out then, so the output is never far behind.
    drained: () => {
      flush();
      return whenDrained(out);
    },
    end(): Promise<void> {
      flush();
      out.end();
      return done;
    },
  };
}
