// `reaplay recipe`: what to record on a kernel so check can judge it, and how; with --apply /
// --remove, sets it up in tracefs (a dry run unless --yes) and takes it down again.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BtfError } from '../../../parsers/btf/read.ts';
import { buildRecipe } from '../../recipe/build.ts';
import { LIVE_PATHS, offlineFacts, systemFacts, type KernelFacts } from '../../recipe/kernel-facts.ts';
import { renderRecipe, type RecipeFormat } from '../../recipe/render.ts';
import { ApplyError, describeStep, nodeOps, planApply, planRemove, readState, runSteps, stateAfter, type TracefsOps } from '../../recipe/apply.ts';
import type { CliIO } from '../io.ts';
import { UserError } from '../../types/errors.ts';

export interface RecipeArgs {
  kernel?: string;
  btf?: string;
  notifiers?: string[];
  format: RecipeFormat;
  apply?: boolean;
  remove?: boolean;
  /** Really write (apply/remove are dry runs without it). */
  yes?: boolean;
  tracefs?: string;
  state?: string;
  instance?: string;
  group?: string;
  bufferKb?: number;
  /** Tests: where /proc and tracefs are, and the release, instead of the running system's. */
  system?: { proc: string; tracefs: string; btf: string; release?: string };
  ops?: TracefsOps;
}

// Names that become tracefs paths and kprobe names.
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

function facts(a: RecipeArgs): KernelFacts {
  try {
    // --kernel or --btf: a kernel other than this one, nothing read from the system.
    if (a.kernel !== undefined || a.btf !== undefined) return offlineFacts(a.kernel, a.btf);
    return systemFacts(a.system ?? { ...LIVE_PATHS, tracefs: a.tracefs ?? LIVE_PATHS.tracefs });
  } catch (e) {
    if (e instanceof BtfError || e instanceof Error) throw new UserError(e.message);
    throw e;
  }
}

export async function recipeCommand(a: RecipeArgs, io: CliIO): Promise<number> {
  for (const [opt, v] of [['--instance', a.instance], ['--group', a.group]] as const) {
    if (v !== undefined && !NAME.test(v)) throw new UserError(`${opt} ${JSON.stringify(v)}: expected letters, digits and _ (a tracefs name)`);
  }
  if (a.apply && a.remove) throw new UserError('--apply and --remove: give one of them');
  const ops = a.ops ?? nodeOps;
  const tracefs = a.tracefs ?? a.system?.tracefs ?? LIVE_PATHS.tracefs;
  const stateFile = a.state ?? 'reaplay-recipe.state.json';

  if (a.remove) {
    const state = (() => {
      try {
        return readState(stateFile);
      } catch (e) {
        throw new UserError((e as Error).message);
      }
    })();
    if (!NAME.test(state.instance) || state.addedProbes.some((k) => !/^[A-Za-z_]\w*\/[A-Za-z_]\w*$/.test(k))) {
      throw new UserError(`${stateFile}: instance or probe names are not tracefs names`);
    }
    const steps = planRemove(state);
    return execute(steps, !!a.yes, ops, io, 'remove', () => {
      io.stdout.write(`${stateFile} can be deleted now\n`);
    });
  }

  const recipe = (() => {
    try {
      return buildRecipe(facts(a), { notifiers: a.notifiers, instance: a.instance, group: a.group, bufferKb: a.bufferKb });
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw new UserError((e as Error).message);
    }
  })();

  if (!a.apply) {
    io.stdout.write(renderRecipe(recipe, a.format));
    return 0;
  }
  let plan;
  try {
    plan = planApply(recipe, tracefs, ops);
  } catch (e) {
    if (e instanceof ApplyError) throw new UserError(e.message);
    throw e;
  }
  for (const k of plan.reused) io.stdout.write(`kept ${k}: already defined with the same text (will not be removed)\n`);
  return execute(plan.steps, !!a.yes, ops, io, 'apply', (done) => {
    const state = stateAfter(plan, done);
    writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`);
    io.stdout.write(`write ${stateFile}: what was set, for --remove\n`);
    io.stdout.write(`recording into ${join(tracefs, 'instances', recipe.instance, 'trace')}; save the kernel log and ${join(tracefs, 'kprobe_events')} beside it\n`);
  });
}

function execute(steps: ReturnType<typeof planRemove>, yes: boolean, ops: TracefsOps, io: CliIO, what: string, after: (done: typeof steps) => void): number {
  if (!yes) {
    io.stdout.write(`dry run (${what}): these ${steps.length} writes would be made; add --yes to make them\n`);
    for (const s of steps) io.stdout.write(`  ${describeStep(s)}\n`);
    return 0;
  }
  const res = runSteps(steps, ops, (l) => io.stdout.write(`${l}\n`));
  after(res.done);
  if (res.failed) {
    io.stderr.write(`reaplay: ${what} stopped at "${describeStep(res.failed.step)}": ${res.failed.error}\n`);
    if (what === 'apply') io.stderr.write('what was set so far is in the state file; reaplay recipe --remove --yes undoes it\n');
    return 1;
  }
  return 0;
}
