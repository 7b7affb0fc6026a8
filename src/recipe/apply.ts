// --apply / --remove: set a recipe up in tracefs and take it down again. A dry run by default:
// every file that would be written is named with what goes in it. What apply set is kept in a
// state file, so remove undoes exactly that (the kprobes it added, the instance it created)
// and nothing another user set.
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { probeLine, type Recipe } from './build.ts';
import { groups } from './render.ts';
import { isBlank } from '../../parsers/common/blank.ts';

/** File operations on a tracefs mount (injectable: tests use a fake tracefs in a temp folder). */
export interface TracefsOps {
  read(path: string): string | undefined;
  exists(path: string): boolean;
  write(path: string, data: string): void;
  append(path: string, data: string): void;
  mkdir(path: string): void;
  rmdir(path: string): void;
}

export const nodeOps: TracefsOps = {
  read: (p) => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  },
  exists: (p) => existsSync(p),
  write: (p, d) => writeFileSync(p, d),
  // kprobe_events must be appended to: a truncating write removes every kprobe on the system.
  append: (p, d) => appendFileSync(p, d),
  mkdir: (p) => mkdirSync(p),
  rmdir: (p) => rmdirSync(p),
};

export interface Step {
  op: 'append' | 'write' | 'mkdir' | 'rmdir';
  path: string;
  data?: string;
}

export interface AppliedState {
  format: 'reaplay-recipe-state/1';
  tracefs: string;
  instance: string;
  /** The instance was created by apply (remove deletes it). */
  createdInstance: boolean;
  /** `group/event` of each kprobe apply added (remove deletes exactly these). */
  addedProbes: string[];
}

export interface Plan {
  steps: Step[];
  state: AppliedState;
  /** Definitions already present with the same text: kept, not added, not removed later. */
  reused: string[];
}

export class ApplyError extends Error {}

/** `p[N]:group/event rest` -> group, event, rest, by a scan (`(\S+?)\/(\S+)\s+` backtracks over every `/`). */
export function existingProbe(l: string): [string, string, string] | undefined {
  if (l[0] !== 'p' && l[0] !== 'r') return undefined;
  let i = 1;
  while (i < l.length && l.charCodeAt(i) >= 48 && l.charCodeAt(i) <= 57) i++;
  if (l[i] !== ':') return undefined;
  const start = i + 1;
  let end = start;
  while (end < l.length && !isBlank(l.charCodeAt(end))) end++;
  const slash = l.indexOf('/', start + 1);
  if (slash < 0 || slash >= end - 1 || end === l.length) return undefined;
  let rest = end;
  while (rest < l.length && isBlank(l.charCodeAt(rest))) rest++;
  return [l.slice(start, slash), l.slice(slash + 1, end), l.slice(rest)];
}

// p:reaplay/inv_start __mmu_notifier_invalidate_range_start ...   r10:mn/x sym   (as kprobe_events prints them)
function existingProbes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = existingProbe(line.trim());
    if (m) out.set(`${m[0]}/${m[1]}`, m[2].trim());
  }
  return out;
}

const norm = (s: string) => s.trim().split(/\s+/).join(' ');

export function planApply(r: Recipe, tracefs: string, ops: TracefsOps = nodeOps): Plan {
  const kev = join(tracefs, 'kprobe_events');
  const text = ops.read(kev);
  if (text === undefined) throw new ApplyError(`${kev}: not readable; is ${tracefs} a mounted tracefs (and are you root)?`);
  const inst = join(tracefs, 'instances', r.instance);
  if (ops.exists(inst)) throw new ApplyError(`${inst} exists already: remove it first (reaplay recipe --remove) or choose another --instance`);
  const have = existingProbes(text);
  const steps: Step[] = [];
  const added: string[] = [];
  const reused: string[] = [];
  for (const p of r.probes) {
    const key = `${p.group}/${p.event}`;
    const line = probeLine(p);
    const body = line.slice(line.indexOf(' ') + 1);
    const old = have.get(key);
    if (old !== undefined) {
      if (norm(old) === norm(body)) {
        reused.push(key);
        continue;
      }
      throw new ApplyError(`${kev}: ${key} is already defined differently ("${old}"); remove it or choose another --group`);
    }
    steps.push({ op: 'append', path: kev, data: `${line}\n` });
    added.push(key);
  }
  steps.push({ op: 'mkdir', path: inst });
  steps.push({ op: 'write', path: join(inst, 'buffer_size_kb'), data: `${r.bufferKb}\n` });
  const clocks = ops.read(join(tracefs, 'trace_clock'));
  // The clock is offered when it is one of the file's words (`[local] global perf`); compared as a word, not built into a regex.
  if (clocks !== undefined && clocks.split(/[\s[\]]/).includes(r.clock)) steps.push({ op: 'write', path: join(inst, 'trace_clock'), data: `${r.clock}\n` });
  const kgroups = new Set(groups(r));
  for (const e of [...r.events.map((x) => x.name), ...kgroups]) {
    const rel = e.replace(':', '/');
    // Kprobe groups appear once defined; tracepoints must exist now.
    if (!kgroups.has(e) && !ops.exists(join(tracefs, 'events', rel))) continue;
    steps.push({ op: 'write', path: join(inst, 'events', rel, 'enable'), data: '1\n' });
  }
  steps.push({ op: 'write', path: join(inst, 'tracing_on'), data: '1\n' });
  return { steps, reused, state: { format: 'reaplay-recipe-state/1', tracefs, instance: r.instance, createdInstance: true, addedProbes: added } };
}

export function planRemove(state: AppliedState): Step[] {
  const inst = join(state.tracefs, 'instances', state.instance);
  const steps: Step[] = [];
  if (state.createdInstance) {
    steps.push({ op: 'write', path: join(inst, 'tracing_on'), data: '0\n' });
    // Removing the instance drops its buffer and its event enables with it.
    steps.push({ op: 'rmdir', path: inst });
  }
  // A kprobe can only be deleted once no instance has it enabled: after the rmdir.
  for (const k of [...state.addedProbes].reverse()) steps.push({ op: 'append', path: join(state.tracefs, 'kprobe_events'), data: `-:${k}\n` });
  return steps;
}

export function describeStep(s: Step): string {
  switch (s.op) {
    case 'append': return `append to ${s.path}: ${s.data!.trimEnd()}`;
    case 'write': return `write ${s.path}: ${s.data!.trimEnd()}`;
    case 'mkdir': return `mkdir ${s.path}`;
    case 'rmdir': return `rmdir ${s.path}`;
  }
}

export interface RunResult {
  done: Step[];
  failed?: { step: Step; error: string };
}

/** Run steps in order; stops at the first failure and says which step and why. */
export function runSteps(steps: Step[], ops: TracefsOps = nodeOps, log: (line: string) => void = () => {}): RunResult {
  const done: Step[] = [];
  for (const s of steps) {
    try {
      if (s.op === 'append') ops.append(s.path, s.data!);
      else if (s.op === 'write') ops.write(s.path, s.data!);
      else if (s.op === 'mkdir') ops.mkdir(s.path);
      else ops.rmdir(s.path);
    } catch (e) {
      return { done, failed: { step: s, error: (e as Error).message } };
    }
    done.push(s);
    log(describeStep(s));
  }
  return { done };
}

/** What a partly run apply did set: what remove must undo. */
export function stateAfter(plan: Plan, done: Step[]): AppliedState {
  const added = new Set(done.filter((s) => s.op === 'append').map((s) => s.data!.trim().replace(/^[pr]\d*:(\S+)\s.*$/, '$1')));
  return {
    ...plan.state,
    createdInstance: done.some((s) => s.op === 'mkdir'),
    addedProbes: plan.state.addedProbes.filter((k) => added.has(k)),
  };
}

export function readState(file: string): AppliedState {
  let s: AppliedState;
  try {
    s = JSON.parse(readFileSync(file, 'utf8')) as AppliedState;
  } catch (e) {
    throw new ApplyError(`${file}: cannot read the state apply saved (${(e as Error).message})`);
  }
  if (s.format !== 'reaplay-recipe-state/1' || typeof s.tracefs !== 'string' || !Array.isArray(s.addedProbes)) {
    throw new ApplyError(`${file}: not a reaplay recipe state (expected format reaplay-recipe-state/1)`);
  }
  return s;
}
