// `reaplay report <trace...> --out DIR`: one capture (all inputs together) as
// DIR/index.html, a self-contained page that works offline (stories, findings,
// charts), and DIR/report.json, the document of `check --json`. Prints the page's
// path. The file names in DIR are fixed: nothing from the trace names a file.
// Inputs holding several captures get one page each, in DIR/capture-1, DIR/capture-2...
import { join } from 'node:path';
import type { Analysis, AnalyzeOptions } from '../../pipeline.ts';
import { analyzeCaptures } from '../../pipeline.ts';
import { captureLabel } from '../../timeline/units.ts';
import { terminalSafe } from '../../types/escape-terminal.ts';
import { prepareOutputFolder } from '../output.ts';
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
  const all = await analyzeCaptures(args.files, args);
  if (all.length === 1) {
    io.stdout.write(`${await writeOne(all[0]!, args.out, args, io, args.force)}\n`);
    return 0;
  }
  await prepareOutputFolder(args.out, args.force);
  io.stderr.write(`reaplay: the inputs hold ${all.length} captures that do not share a clock: one page each\n`);
  for (const a of all) {
    const page = await writeOne(a, join(args.out, `capture-${a.unit!.index}`), args, io, false);
    io.stdout.write(`${page}\t${terminalSafe(captureLabel(a.unit!))}\n`);
  }
  return 0;
}

async function writeOne(a: Analysis, dir: string, args: ReportArgs, io: CliIO, force?: boolean): Promise<string> {
  const { html, warnings } = renderReport(a, { charts: args.charts ?? CHARTS });
  const doc = a.unit ? { capture: a.unit, ...(analysisJson(a) as object) } : analysisJson(a);
  return writePage(dir, html, 'report.json', stringify(doc) + '\n', warnings, io, force);
}
