// Event tables in CSV (reaplay's own export or another tool's), replayed as traces.
import type { FormatImporter } from '../importer.ts';
import { CsvReader } from './reader.ts';
import { sniffCsv } from './sniff.ts';

export const csvImporter: FormatImporter = {
  name: 'csv',
  // Only the header decides; no tie with a text trace format is expected.
  priority: 1,
  sniff: sniffCsv,
  createReader: (ctx, meta, sink) => new CsvReader(ctx, meta.file, sink),
};
