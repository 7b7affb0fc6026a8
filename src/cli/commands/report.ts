// `reaplay report <trace...> --out DIR`: one capture (all inputs together) as
// DIR/index.html, a self-contained page that works offline (stories, findings,
// charts), and DIR/report.json, the document of `check --json`. Prints the page's
// path. The file names in DIR are fixed: nothing from the trace names a file.
import type { AnalyzeOptions } from '../../pipeline.ts';
import { analyze } from '../../pipeline.ts';
import { analysisJson, stringify } from '../../report/json.ts';
import { renderReport, type Charts } from '../../report/html/page.ts';
import { CHARTS } from '../../charts/index.ts';
import type { CliIO } from '../io.ts';
import { UserError } from '../../types/errors.ts';
import { writePage } from '../write-page.ts';

export interface ReportArgs extends AnalyzeOptions {
  files: string[];
  out: string;
  /** Write into an existing folder that reaplay did not make. */
  force?: boolean;
  /** The charts to draw (tests); CHARTS of src/charts/index.ts when not given. */
  charts?: Charts;
}

export async function reportCommand(args: ReportArgs, io: CliIO): Promise<number> {
  // yargs checks required options only after an async handler has run: check before the work.
  if (typeof args.out !== 'string' || !args.out) throw new UserError('Missing required argument: out (--out DIR: the folder for index.html and report.json)');
  const a = await analyze(args.files, args);
  const { html, warnings } = renderReport(a, { charts: args.charts ?? CHARTS });
  const page = await writePage(args.out, html, 'report.json', stringify(analysisJson(a)) + '\n', warnings, io, args.force);
  io.stdout.write(`${page}\n`);
  return 0;
}
