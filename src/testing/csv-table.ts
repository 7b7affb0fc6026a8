// Helpers shared by the CSV tests: export events to bytes, import bytes in chunks
// (through src/testing/feed.ts, like every other importer's tests).
import { Writable } from 'node:stream';
import { createCsvWriter } from '../export/csv.ts';
import { feed } from './feed.ts';
import type { TraceEvent } from '../types/event.ts';
import { csvImporter } from '../../parsers/csv/index.ts';

export async function exportCsv(events: readonly TraceEvent[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk);
      done();
    },
  });
  const w = createCsvWriter(out);
  for (const ev of events) w.write(ev);
  await w.end();
  return Buffer.concat(chunks);
}

/** Imports `data` fed to a LineSplitter in `chunk`-byte pieces (the whole input by default). */
export function importCsv(data: Buffer, chunk = data.length, filter?: string[]) {
  const { events, ctx } = feed(csvImporter, data, { chunk: Math.max(chunk, 1), events: filter, file: 'table.csv' });
  return { events, diag: ctx.diag, names: ctx.names };
}

/** The parts of an event a table carries. */
export function essence(ev: TraceEvent) {
  return { ts: ev.ts, cpu: ev.cpu, pid: ev.pid, tgid: ev.tgid, comm: ev.comm, name: ev.name, text: ev.text, flags: ev.flags };
}
