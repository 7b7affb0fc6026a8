// `reaplay replay <trace...> --as-kernel V`: the observed sequence (notifier
// results, attempts, timings) replayed under another kernel family's profile: what
// that kernel would have done, next to what this one did.
import type { AnalyzeOptions } from '../../pipeline.ts';
import { analyzeLoaded } from '../../pipeline.ts';
import { loadCapture } from '../../timeline/load.ts';
import { oneCapture, splitCaptures } from '../../timeline/units.ts';
import { counterfactualNotes } from '../../replay/counterfactual.ts';
import { findingLines } from '../../report/story.ts';
import { analysisJson, stringify } from '../../report/json.ts';
import type { CliIO } from '../io.ts';

export interface ReplayArgs extends AnalyzeOptions {
  files: string[];
  asKernel: string;
  json: boolean;
}

export async function replayCommand(args: ReplayArgs, io: CliIO): Promise<number> {
  const { capture: c } = oneCapture(splitCaptures(await loadCapture(args.files, args.format)));
  const actual = analyzeLoaded(c, { ...args, asKernel: undefined });
  const as = analyzeLoaded(c, args);
  const notes = counterfactualNotes(actual, as);
  if (args.json) {
    io.stdout.write(stringify({ actual: analysisJson(actual), asKernel: analysisJson(as), differences: notes }) + '\n');
    return 0;
  }
  const out = [
    `recorded on ${actual.profile.profile.label}${actual.kernel.release ? ` (${actual.kernel.release})` : ''}; replayed as ${as.profile.profile.label}`,
    '',
    'what would differ:',
    ...(notes.length ? notes.map((n) => `  - ${n}`) : ['  nothing the model can tell from this trace']),
    '',
    `findings as ${as.profile.profile.label}:`,
    ...(as.findings.length ? as.findings.flatMap(findingLines) : ['  none']),
  ];
  io.stdout.write(out.join('\n') + '\n');
  return 0;
}
