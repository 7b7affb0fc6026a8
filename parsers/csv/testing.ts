// Helpers shared by the CSV tests: export events to bytes, import bytes in chunks.
import { Writable } from 'node:stream';
import { createCsvWriter } from '../../src/export/csv.ts';
import type { StreamMeta, TraceEvent } from '../../src/types/event.ts';
import { DiagnosticSink } from '../common/diagnostics.ts';
import { EventNames } from '../common/event-names.ts';
import { LineSplitter } from '../common/line-splitter.ts';
import { csvImporter } from './index.ts';

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
  const ctx = { names: new EventNames(filter), diag: new DiagnosticSink() };
  const meta: StreamMeta = { file: 'table.csv', format: 'csv', losses: [], segments: 1, bytes: 0, lines: 0 };
  const events: TraceEvent[] = [];
  const reader = csvImporter.createReader(ctx, meta, { event: (ev) => events.push(ev), loss: () => undefined });
  const splitter = new LineSplitter({
    line: (buf, start, end, lineNo, offset, last) => reader.line(buf, start, end, lineNo, offset, last),
    tooLong: () => undefined,
  });
  for (let i = 0; i < data.length; i += Math.max(chunk, 1)) splitter.write(data.subarray(i, i + chunk));
  splitter.end();
  reader.end();
  return { events, diag: ctx.diag, names: ctx.names };
}

/** The parts of an event a table carries. */
export function essence(ev: TraceEvent) {
  return { ts: ev.ts, cpu: ev.cpu, pid: ev.pid, tgid: ev.tgid, comm: ev.comm, name: ev.name, text: ev.text, flags: ev.flags };
}
