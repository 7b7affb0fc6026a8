// `reaplay chart <trace...> --out DIR [--as vl,svg,png]`: the charts of one capture,
// each as its Vega-Lite spec (data inline), SVG and PNG. File names come from the
// chart names only (never from trace text); a chart with nothing to draw is left out.
import { basename, dirname, join } from 'node:path';
import type { AnalyzeOptions } from '../../pipeline.ts';
import { analyze } from '../../pipeline.ts';
import { chartData } from '../../charts/data.ts';
import { CHART_NAMES, CHARTS } from '../../charts/index.ts';
import { toPng, toSvg } from '../../charts/render.ts';
import { safe } from '../../types/terminal-text.ts';
import type { CliIO } from '../io.ts';
import { UserError } from '../../types/errors.ts';
import { prepareOutputFolder, writeOutputFile } from '../output.ts';

export const CHART_OUTPUTS = ['vl', 'svg', 'png'] as const;
export type ChartOutput = (typeof CHART_OUTPUTS)[number];

export interface ChartArgs extends AnalyzeOptions {
  files: string[];
  out: string;
  /** Output formats; all three when not given. */
  as?: string[];
  /** Write into an existing folder that reaplay did not make. */
  force?: boolean;
}

/** The capture's name on the charts: `dir/file` of its trace (the first input that is not a log or kprobe list). */
export function traceName(files: readonly string[], formats: readonly { file: string; format: string }[]): string {
  const main = formats.find((m) => m.format !== 'kernel-log' && m.format !== 'kprobe-events')?.file ?? files[0] ?? '-';
  if (main === '-') return 'stdin';
  const dir = basename(dirname(main));
  return dir && dir !== '.' && dir !== '/' ? `${dir}/${basename(main)}` : basename(main);
}

function outputs(as: string[] | undefined): ChartOutput[] {
  if (!as || as.length === 0) return [...CHART_OUTPUTS];
  const bad = as.filter((f) => !(CHART_OUTPUTS as readonly string[]).includes(f));
  if (bad.length) throw new UserError(`--as: unknown output '${safe(bad[0]!)}' (choose from ${CHART_OUTPUTS.join(', ')})`);
  return CHART_OUTPUTS.filter((f) => as.includes(f));
}

const size = (n: number): string => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(0)} kB` : `${n} B`);

export async function chartCommand(args: ChartArgs, io: CliIO): Promise<number> {
  // yargs checks required options only after an async handler has run: check before the work.
  if (typeof args.out !== 'string' || !args.out) throw new UserError('Missing required argument: out (--out DIR: the folder for the charts)');
  const want = outputs(args.as);
  const a = await analyze(args.files, args);
  const data = chartData([{ trace: traceName(args.files, a.inputs), analysis: a }]);
  await prepareOutputFolder(args.out, args.force);
  let written = 0;
  for (const name of CHART_NAMES) {
    const chart = CHARTS[name];
    if (chart.empty(data)) {
      io.stdout.write(`${name}: nothing to draw in this capture, skipped\n`);
      continue;
    }
    const spec = chart.spec(data);
    const files: [string, string | Buffer][] = [];
    if (want.includes('vl')) files.push([`${name}.vl.json`, JSON.stringify(spec, null, 2) + '\n']);
    if (want.includes('svg') || want.includes('png')) {
      const warnings: string[] = [];
      const svg = await toSvg(spec, warnings);
      for (const w of warnings) io.stderr.write(`reaplay: ${name}: ${safe(w)}\n`);
      if (want.includes('svg')) files.push([`${name}.svg`, svg]);
      if (want.includes('png')) files.push([`${name}.png`, toPng(svg)]);
    }
    for (const [file, body] of files) {
      const path = join(args.out, file);
      await writeOutputFile(path, body);
      written++;
      io.stdout.write(`wrote ${safe(path)} (${size(Buffer.byteLength(body))})\n`);
    }
  }
  io.stdout.write(`${written} file(s) in ${safe(args.out)}\n`);
  return 0;
}
