// Every importer, and format sniffing over the first bytes of an input. The registry is
// a closed record: a format name without an importer does not compile.
import type { FormatName } from '../src/types/event.ts';
import { type BinaryImporter, type FormatImporter, type Importer, isBinaryImporter } from './importer.ts';
import { ftraceImporter } from './ftrace-text/index.ts';
import { traceCmdReportImporter } from './trace-cmd-report/index.ts';
import { kprobeEventsImporter } from './kprobe-events/index.ts';
import { csvImporter } from './csv/index.ts';
import { perfScriptImporter } from './perf-script/index.ts';
import { kernelLogImporter } from './kernel-log/index.ts';
import { traceDatImporter } from './trace-dat/index.ts';
import { perfDataImporter } from './perf-data/index.ts';

export const IMPORTERS: Readonly<Record<FormatName, Importer>> = {
  'ftrace': ftraceImporter,
  'trace-cmd-report': traceCmdReportImporter,
  'perf-script': perfScriptImporter,
  'kernel-log': kernelLogImporter,
  'kprobe-events': kprobeEventsImporter,
  'csv': csvImporter,
  'trace-dat': traceDatImporter,
  'perf-data': perfDataImporter,
};

const ALL = Object.values(IMPORTERS);
const TEXT: readonly FormatImporter[] = ALL.filter((i): i is FormatImporter => !isBinaryImporter(i));
const BINARY: readonly BinaryImporter[] = ALL.filter(isBinaryImporter);

/** The text importers, in registry order. */
export const FORMATS: readonly FormatImporter[] = TEXT;

export function importerByName(name: string): Importer | undefined {
  return Object.hasOwn(IMPORTERS, name) ? IMPORTERS[name as FormatName] : undefined;
}

export const FORMAT_NAMES: readonly string[] = Object.keys(IMPORTERS);

/** The best text importer for `head` (decompressed text as latin1), or undefined below 0.5 confidence. */
export function sniffFormat(head: string): FormatImporter | undefined {
  let best: FormatImporter | undefined;
  let bestScore = 0;
  for (const f of TEXT) {
    const s = f.sniff(head);
    if (s > bestScore || (s === bestScore && best && f.priority > best.priority)) {
      best = f;
      bestScore = s;
    }
  }
  return bestScore >= 0.5 ? best : undefined;
}

/** A binary importer recognising `head` (the input's first raw bytes), if any. */
export function sniffBinary(head: Uint8Array): BinaryImporter | undefined {
  for (const b of BINARY) if (b.sniffBytes(head) >= 0.5) return b;
  return undefined;
}

/** The best importer for the first bytes of an input: binary formats first, then text as latin1. */
export function sniffBytes(head: Uint8Array): Importer | undefined {
  return sniffBinary(head) ?? sniffFormat(Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('latin1'));
}
