import type { BinaryImporter } from '../importer.ts';
import { sniffPerfData } from './sniff.ts';
import { readPerfData } from './reader.ts';

export const perfDataImporter: BinaryImporter = {
  name: 'perf-data',
  binary: true,
  sniffBytes: sniffPerfData,
  read: readPerfData,
};
