// `reaplay compare A B` or `reaplay compare --group LABEL=PATH[,PATH...] --group ...`:
// replays every capture, compares the victims' metrics of each group with the first
// group's, and prints a table (or --json); --out DIR writes DIR/index.html (a
// self-contained page with the charts) and DIR/compare.json. Exit code 1 when a
// metric regressed, 0 otherwise, 2 on bad input or usage.
import type { AnalyzeOptions } from '../../pipeline.ts';
import { compareGroups, compareJson, loadGroups, regressed } from '../../compare/compare.ts';
import { parseGroup, type GroupSpec } from '../../compare/inputs.ts';
import { compareText } from '../../compare/text.ts';
import { toJson } from '../../report/html/escape.ts';
import type { CliIO } from '../io.ts';
import { UserError } from '../../types/errors.ts';
import { writePage } from '../write-page.ts';

export interface CompareArgs extends Pick<AnalyzeOptions, 'kernel' | 'capabilities'> {
  /** `compare A B`: two PATHs (capture folder, trace file or glob), one group each. */
  paths?: string[];
  /** `--group LABEL=PATH[,PATH...]`, repeatable. */
  groups?: string[];
  json?: boolean;
  out?: string;
  /** Write into an existing folder that reaplay did not make. */
  force?: boolean;
  /** `--dataset DATASET --group-by KEY [--baseline LABEL]`: groups from a fleet dataset (src/fleet). */
  dataset?: string;
  groupBy?: string;
  baseline?: string;
}

function specsOf(args: CompareArgs): GroupSpec[] {
  const paths = args.paths ?? [];
  const groups = args.groups ?? [];
  if (paths.length && groups.length) throw new UserError('give either two captures (compare A B) or --group LABEL=PATH... twice or more, not both');
  if (groups.length) {
    if (groups.length < 2) throw new UserError('--group: give at least two groups (--group A=PATH... --group B=PATH...)');
    return groups.map(parseGroup);
  }
  if (paths.length !== 2) {
    throw new UserError(
      paths.length < 2
        ? 'compare needs two captures (compare A B) or two --group LABEL=PATH[,PATH...]'
        : `compare A B takes two captures, got ${paths.length}: use --group LABEL=PATH,PATH... to compare groups of captures`,
    );
  }
  return paths.map((p) => ({ paths: [p] }));
}

async function datasetGroups(args: CompareArgs): Promise<Awaited<ReturnType<typeof loadGroups>>> {
  if (args.paths?.length || args.groups?.length) throw new UserError('--dataset: give no captures or --group (the dataset holds the captures)');
  const { groupsFromDataset, GroupByError } = await import('../../fleet/compare-dataset.ts');
  try {
    return await groupsFromDataset(args.dataset!, args.groupBy ?? 'kernel', args.baseline);
  } catch (e) {
    if (e instanceof GroupByError) throw new UserError(e.message);
    throw e;
  }
}

export async function compareCommand(args: CompareArgs, io: CliIO): Promise<number> {
  if (args.out !== undefined && (typeof args.out !== 'string' || !args.out)) throw new UserError('--out DIR: the folder for index.html and compare.json');
  const groups = args.dataset !== undefined ? await datasetGroups(args) : await loadGroups(specsOf(args), args);
  const result = compareGroups(groups, args);
  io.stdout.write(args.json ? toJson(compareJson(result), 1) + '\n' : compareText(result));
  if (args.out) {
    // Loaded here: the page needs the inlined chart libraries, the table does not.
    const [{ renderComparePage }, { COMPARE_CHARTS }] = await Promise.all([import('../../report/html/compare-page.ts'), import('../../charts/compare-index.ts')]);
    const { html, warnings } = renderComparePage(result, { charts: COMPARE_CHARTS });
    const page = await writePage(args.out, html, 'compare.json', toJson(compareJson(result), 1) + '\n', warnings, io, args.force);
    // With --json, stdout stays one JSON document: the page's path goes to stderr.
    (args.json ? io.stderr : io.stdout).write(`${args.json ? 'reaplay: wrote ' : '\nPage: '}${page}\n`);
  }
  return regressed(result) ? 1 : 0;
}
