// Every importer, and format sniffing over the first bytes of an input.
import type { FormatName } from '../src/types/event.ts';
import type { FormatImporter } from './importer.ts';
import { ftraceImporter } from './ftrace-text/index.ts';
import { traceCmdReportImporter } from './trace-cmd-report/index.ts';
import { kprobeEventsImporter } from './kprobe-events/index.ts';
import { csvImporter } from './csv/index.ts';
import { perfScriptImporter } from './perf-script/index.ts';
import { kernelLogImporter } from './kernel-log/index.ts';

export const FORMATS: readonly FormatImporter[] = [
  ftraceImporter,
  traceCmdReportImporter,
  perfScriptImporter,
  kernelLogImporter,
  kprobeEventsImporter,
  csvImporter,
];

const BY_NAME = new Map<FormatName, FormatImporter>(FORMATS.map((f) => [f.name, f]));

export function importerByName(name: string): FormatImporter | undefined {
  return BY_NAME.get(name as FormatName);
}

export const FORMAT_NAMES: readonly string[] = FORMATS.map((f) => f.name);

/** The best importer for `head` (decompressed text as latin1), or undefined below 0.5 confidence. */
export function sniffFormat(head: string): FormatImporter | undefined {
  let best: FormatImporter | undefined;
  let bestScore = 0;
  for (const f of FORMATS) {
    const s = f.sniff(head);
    if (s > bestScore || (s === bestScore && best && f.priority > best.priority)) {
      best = f;
      bestScore = s;
    }
  }
  return bestScore >= 0.5 ? best : undefined;
}
