// One kernel's recipe: which tracepoints to enable, which kprobes to define (with offsets from
// its BTF or the version table), and what this kernel cannot show, with what check will say.
import { findType } from '../../parsers/btf/query.ts';
import { btfLayout, tableLayout, type FetchArg, type InvalidateLayout } from './layout.ts';
import type { KernelFacts } from './kernel-facts.ts';
import { modelRef } from '../types/model-doc.ts';
import {
  atLeast, BUFFER_KB, callbacksFor, CORE, NOTIFIERS, notifierById, TRACE_CLOCK, TRACEPOINTS,
  type Notifier, type ProbeRole, type Tracepoint,
} from './what-to-record.ts';

export interface ProbeDef {
  kind: 'p' | 'r';
  group: string;
  event: string;
  module?: string;
  symbol: string;
  args: FetchArg[];
  role: ProbeRole | 'cb_invalidate' | 'cb_invalidate_ret';
  notifier?: string;
}

export interface Limitation {
  what: string;
  /** What check reports because of it. */
  checkSays: string;
}

export interface Recipe {
  release?: string;
  version: readonly [number, number];
  /** Where the offsets came from. */
  offsets: string;
  sources: string[];
  events: { name: string; why: string; known: boolean }[];
  probes: ProbeDef[];
  notifiers: string[];
  limitations: Limitation[];
  notes: string[];
  group: string;
  instance: string;
  bufferKb: number;
  clock: string;
}

export interface RecipeOptions {
  /** Notifier ids; undefined = those whose module is loaded (running kernel), else kvm. */
  notifiers?: string[];
  group?: string;
  instance?: string;
  bufferKb?: number;
}

/** The kprobe definition line as written to kprobe_events. */
export function probeLine(p: ProbeDef): string {
  const target = p.module ? `${p.module}:${p.symbol}` : p.symbol;
  const args = p.args.map((a) => `${a.name}=${a.fetch}:${a.type}`).join(' ');
  return `${p.kind}:${p.group}/${p.event} ${target}${args ? ` ${args}` : ''}`;
}

type Presence = 'present' | 'absent' | 'unknown';

/** Is the function out of line: kallsyms first (running kernel), then BTF (a FUNC record). */
function fnPresence(f: KernelFacts, sym: string): Presence {
  if (f.kallsyms) return f.kallsyms.has(sym) ? 'present' : 'absent';
  if (f.btf) return findType(f.btf, 'FUNC', sym) ? 'present' : 'absent';
  return 'unknown';
}

function tracepointPresence(f: KernelFacts, t: Tracepoint): Presence {
  if (f.events) {
    if (t.name.includes(':')) return f.events.has(t.name) ? 'present' : 'absent';
    return [...f.events].some((e) => e.startsWith(`${t.name}:`)) ? 'present' : 'absent';
  }
  if (f.btf && t.btfStruct) return findType(f.btf, 'STRUCT', t.btfStruct) ? 'present' : 'absent';
  return atLeast(f.version, t.since) ? 'unknown' : 'absent';
}

/** Running kernel: the notifiers whose module is loaded (built-in ones: whose callback is in kallsyms). Offline: kvm. */
function defaultNotifiers(f: KernelFacts): string[] {
  if (!f.modules && !f.kallsyms) return ['kvm'];
  const loaded = new Set([...(f.modules ?? []), ...[...(f.kallsyms?.values() ?? [])].filter(Boolean)]);
  return NOTIFIERS.filter((n) => {
    if (n.module) return loaded.has(n.module);
    const start = callbacksFor(n, f.version)?.start;
    return start !== undefined && f.kallsyms?.has(start) === true;
  }).map((n) => n.id);
}

export function buildRecipe(f: KernelFacts, opts: RecipeOptions = {}): Recipe {
  const group = opts.group ?? 'reaplay';
  const layout: InvalidateLayout = f.btf ? btfLayout(f.btf, f.version) : tableLayout(f.version);
  const limitations: Limitation[] = [];
  const notes = [...layout.notes];
  const events: Recipe['events'] = [];
  for (const t of TRACEPOINTS) {
    const p = tracepointPresence(f, t);
    if (p === 'absent') {
      limitations.push(tracepointLimitation(t));
      continue;
    }
    events.push({ name: t.name, why: t.why, known: p === 'present' });
  }

  const probes: ProbeDef[] = [];
  const add = (kind: 'p' | 'r', event: string, symbol: string, args: FetchArg[], role: ProbeDef['role'], extra: Partial<ProbeDef> = {}) =>
    probes.push({ kind, group, event, symbol, args, role, ...extra });
  const ret = (type: string): FetchArg[] => [{ name: 'ret', fetch: '$retval', type }];

  if (layout.style === 'void') {
    limitations.push({
      what: `${CORE.start} returns nothing before 4.19: callbacks cannot fail, so there is nothing to pair`,
      checkSays: 'no unpaired-invalidate finding; victims and reaper attempts from the oom tracepoints and the kernel log',
    });
  }
  if (layout.style === 'args') {
    limitations.push({
      what: `4.19: ${CORE.start}(mm, start, end, blockable) and ${CORE.end}(mm, start, end, only_end) take no range struct`,
      checkSays: 'starts and ends are paired by mm, start and end; blockability comes from the blockable argument; a failed start leaves every notifier with an end op unpaired (no pairing fix)',
    });
  }
  add('p', 'inv_start', CORE.start, layout.startArgs, 'core_start');
  if (layout.startReturns) add('r', 'inv_start_ret', CORE.start, ret('s32'), 'core_start_ret');
  add('p', 'inv_end', CORE.end, layout.endArgs, 'core_end');
  add('p', 'mm_release', CORE.release, [{ name: 'mm', fetch: '%di', type: 'x64' }], 'mm_release');

  const reap = fnPresence(f, CORE.reap);
  if (reap !== 'absent') {
    add('p', 'reap', CORE.reap, [{ name: 'mm', fetch: '%di', type: 'x64' }], 'reap');
    add('r', 'reap_ret', CORE.reap, ret('u8'), 'reap_ret');
    if (reap === 'unknown') notes.push(`${CORE.reap} may be inlined on this build: if its kprobe is refused, drop the two reap lines`);
  } else if (fnPresence(f, CORE.reapOuter) === 'present') {
    add('p', 'reap', CORE.reapOuter, [{ name: 'tsk', fetch: '%di', type: 'x64' }, { name: 'mm', fetch: '%si', type: 'x64' }], 'reap');
    add('r', 'reap_ret', CORE.reapOuter, ret('u8'), 'reap_ret');
  } else {
    limitations.push({
      what: `${CORE.reap} and ${CORE.reapOuter} are inlined: the reap routine's own result cannot be probed`,
      checkSays: 'each attempt is judged from start/finish/skip_task_reaping and the "oom_reaper:" log lines instead of the routine\'s return value',
    });
  }

  const wanted = opts.notifiers ?? defaultNotifiers(f);
  const used: string[] = [];
  for (const id of wanted) {
    const n = notifierById(id);
    if (!n) throw new Error(`--notifiers ${id}: unknown notifier; one of ${NOTIFIERS.map((x) => x.id).join(', ')}`);
    if (addNotifier(n, f, layout, add, limitations, notes)) used.push(id);
  }

  return {
    release: f.release,
    version: f.version,
    offsets: layout.from === 'btf' ? `BTF (${f.btf!.file})` : `version table for ${f.version.join('.')} (no BTF: verify with pahole; struct randomisation breaks fixed offsets)`,
    sources: f.sources,
    events,
    probes,
    notifiers: used,
    limitations,
    notes,
    group,
    instance: opts.instance ?? 'reaplay',
    bufferKb: opts.bufferKb ?? BUFFER_KB,
    clock: TRACE_CLOCK,
  };
}

function addNotifier(
  n: Notifier, f: KernelFacts, layout: InvalidateLayout,
  add: (kind: 'p' | 'r', event: string, symbol: string, args: FetchArg[], role: ProbeDef['role'], extra?: Partial<ProbeDef>) => void,
  limitations: Limitation[], notes: string[],
): boolean {
  const set = callbacksFor(n, f.version);
  if (!set) {
    notes.push(`${n.id}: no mmu notifier callbacks known for ${f.version.join('.')}`);
    return false;
  }
  const extra = { module: n.module, notifier: n.id };
  // A module symbol is only in kallsyms while the module is loaded; a kprobe on MOD:SYM waits for it.
  const absent = (sym: string) => f.kallsyms !== undefined && n.module !== undefined && f.modules?.has(n.module) === true && !f.kallsyms.has(sym);
  if (set.ops === 'interval') {
    const sym = set.invalidate!;
    if (absent(sym)) {
      notes.push(`${n.id}: ${sym} is not in /proc/kallsyms although ${n.module} is loaded (renamed or inlined); not probed`);
      return false;
    }
    add('p', `${n.id}_invalidate`, sym, [{ name: 'sub', fetch: '%di', type: 'x64' }, ...layout.cbArgs.slice(1)], 'cb_invalidate', extra);
    add('r', `${n.id}_invalidate_ret`, sym, [{ name: 'ret', fetch: '$retval', type: 'u8' }], 'cb_invalidate_ret', extra);
    limitations.push({
      what: `${n.id} uses an interval notifier (${sym}, returns true when done): a failure there is ended by the core itself`,
      checkSays: `its kprobe events are kept but not judged; pairing is judged on the core calls and the hlist notifiers (${modelRef('rules-unpaired')})`,
    });
    return true;
  }
  let any = false;
  if (set.start && !absent(set.start)) {
    add('p', `${n.id}_inv_start`, set.start, layout.cbArgs, 'cb_start', extra);
    add('r', `${n.id}_inv_start_ret`, set.start, [{ name: 'ret', fetch: '$retval', type: 's32' }], 'cb_start_ret', extra);
    any = true;
  }
  if (set.end && !absent(set.end)) {
    add('p', `${n.id}_inv_end`, set.end, layout.cbArgs, 'cb_end', extra);
    any = true;
  }
  if (set.release && !absent(set.release)) {
    add('p', `${n.id}_release`, set.release, layout.releaseCbArgs, 'cb_release', extra);
    any = true;
  }
  if (!any) notes.push(`${n.id}: none of its callbacks are in /proc/kallsyms although ${n.module} is loaded; not probed`);
  return any;
}

function tracepointLimitation(t: Tracepoint): Limitation {
  switch (t.name) {
    case 'oom':
      return { what: 'no oom:* reaper tracepoints (before 4.13)', checkSays: 'victims and reaper attempts only from the kernel log; premature selection at most suggested' };
    case 'kmem:rss_stat':
      return { what: 'no kmem:rss_stat (before 5.5)', checkSays: 'no memory curve per mm; an mm is tied to its process by pid only, memory release from the kernel log and exit events' };
    case 'mmap:exit_mmap':
      return { what: 'no mmap:exit_mmap tracepoint (before 6.1)', checkSays: "the victim's own teardown is seen through the __mmu_notifier_release kprobe and sched_process_exit" };
    case 'kvm:kvm_unmap_hva_range':
      return { what: 'no kvm:kvm_unmap_hva_range on x86 before 5.13', checkSays: "KVM's start is seen only through its kprobes; without them a KVM leak is named, not shown" };
    default:
      return { what: `no ${t.name} tracepoint`, checkSays: `${t.why}: not available to check` };
  }
}
