// `reaplay check <trace...>`: per victim a short story with the lines that prove
// it, then the findings. Exit 1 when a proven violation is found that the model
// does not expect on this kernel, or when an event the model or a detector needs
// was not usable (absent, undecodable, lost): then no verdict is sound. Else 0.
// Inputs holding several captures (concatenated traces, traces of other boots) are
// replayed capture by capture, each said apart; the worst exit code wins.
import type { Analysis, AnalyzeOptions } from '../../pipeline.ts';
import { analyzeCaptures } from '../../pipeline.ts';
import { captureLabel } from '../../timeline/units.ts';
import { terminalSafe } from '../../types/escape-terminal.ts';
import { storyText } from '../../report/story.ts';
import { analysisJson, stringify } from '../../report/json.ts';
import type { CliIO } from '../io.ts';

export interface CheckArgs extends AnalyzeOptions {
  files: string[];
  json: boolean;
}

export async function checkCommand(args: CheckArgs, io: CliIO): Promise<number> {
  const all = await analyzeCaptures(args.files, args);
  if (all.length === 1) return checkOne(all[0]!, args, io);
  if (args.json) {
    io.stdout.write(stringify({ captures: all.map((a) => ({ capture: a.unit, ...(analysisJson(a) as object) })) }) + '\n');
    return Math.max(...all.map((a) => exitOf(a)));
  }
  io.stdout.write(`${all.length} captures: the inputs hold traces that do not share a clock; each is replayed on its own\n`);
  let worst = 0;
  for (const a of all) {
    io.stdout.write(`\n== ${terminalSafe(captureLabel(a.unit!))} ==\n`);
    worst = Math.max(worst, checkOne(a, args, io));
  }
  return worst;
}

const exitOf = (a: Analysis): number => (a.findings.some((f) => (f.level === 'proven' && !f.expected) || f.kind === 'missing_events') ? 1 : 0);

function checkOne(a: Analysis, args: CheckArgs, io: CliIO): number {
  io.stdout.write(args.json ? stringify(analysisJson(a)) + '\n' : storyText(a));
  const violations = a.findings.filter((f) => f.level === 'proven' && !f.expected);
  const unmet = a.findings.filter((f) => f.kind === 'missing_events');
  if (!args.json) {
    const expected = a.findings.filter((f) => f.expected).length;
    io.stdout.write(`\n${violations.length} proven violation(s) the model does not expect on this kernel; ${expected} finding(s) of expected behaviour${unmet.length ? `; ${unmet.length} unmet need(s) of events: inconclusive` : ''}\n`);
  }
  return exitOf(a);
}
