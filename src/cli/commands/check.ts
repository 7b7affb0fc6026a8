// `reaplay check <trace...>`: per victim a short story with the lines that prove
// it, then the findings. Exit 1 when a proven violation is found that the model
// does not expect on this kernel, or when an event the model or a detector needs
// was not usable (absent, undecodable, lost): then no verdict is sound. Else 0.
import type { AnalyzeOptions } from '../../pipeline.ts';
import { analyze } from '../../pipeline.ts';
import { storyText } from '../../report/story.ts';
import { analysisJson, stringify } from '../../report/json.ts';
import type { CliIO } from '../io.ts';

export interface CheckArgs extends AnalyzeOptions {
  files: string[];
  json: boolean;
}

export async function checkCommand(args: CheckArgs, io: CliIO): Promise<number> {
  const a = await analyze(args.files, args);
  io.stdout.write(args.json ? stringify(analysisJson(a)) + '\n' : storyText(a));
  const violations = a.findings.filter((f) => f.level === 'proven' && !f.expected);
  const unmet = a.findings.filter((f) => f.kind === 'missing_events');
  if (!args.json) {
    const expected = a.findings.filter((f) => f.expected).length;
    io.stdout.write(`\n${violations.length} proven violation(s) the model does not expect on this kernel; ${expected} finding(s) of expected behaviour${unmet.length ? `; ${unmet.length} unmet need(s) of events: inconclusive` : ''}\n`);
  }
  return violations.length || unmet.length ? 1 : 0;
}
