// Event-name resolution and filtering. tracefs text and trace-cmd report print only
// an event's name; perf prints `system:name`. Everything downstream speaks
// `system:name`, so the short name is resolved here: from kprobe definitions given
// as input, then from the table of known tracepoints; `?:name` when unknown.
import type { KprobeDef } from '../../src/types/kprobe.ts';

export const KPROBES_TOKEN = '@kprobes';

export interface NameEntry {
  full: string;
  system: string;
  event: string;
  /** Matches the filter. */
  selected: boolean;
  /** Selected and built into an event (not when the run only counts). */
  wanted: boolean;
  /** Events seen with this name (all of them, wanted or not). */
  count: number;
  kprobe?: KprobeDef;
}

/** System of every tracepoint the toolkit decodes or commonly meets beside them. */
const KNOWN_SYSTEMS: Record<string, string> = {};
const SYSTEM_EVENTS: Record<string, string[]> = {
  oom: ['mark_victim', 'wake_reaper', 'start_task_reaping', 'finish_task_reaping', 'skip_task_reaping',
    'oom_score_adj_update', 'reclaim_retry_zone', 'compact_retry'],
  kmem: ['rss_stat', 'kmalloc', 'kfree', 'mm_page_alloc', 'mm_page_free'],
  mmap: ['exit_mmap', 'vm_unmapped_area', 'vma_mas_szero', 'vma_store'],
  kvm: ['kvm_unmap_hva_range', 'kvm_age_hva', 'kvm_test_age_hva', 'kvm_set_spte_hva', 'kvm_unmap_hva'],
  sched: ['sched_process_exit', 'sched_process_fork', 'sched_process_free', 'sched_process_exec',
    'sched_process_wait', 'sched_switch', 'sched_wakeup', 'sched_wakeup_new', 'sched_waking', 'sched_migrate_task'],
  task: ['task_newtask', 'task_rename'],
  signal: ['signal_generate', 'signal_deliver'],
  printk: ['console'],
  irq: ['irq_handler_entry', 'irq_handler_exit', 'softirq_entry', 'softirq_exit', 'softirq_raise'],
  irq_vectors: ['local_timer_entry', 'local_timer_exit', 'reschedule_entry', 'reschedule_exit',
    'call_function_entry', 'call_function_exit', 'call_function_single_entry', 'call_function_single_exit'],
  raw_syscalls: ['sys_enter', 'sys_exit'],
  ftrace: ['print', 'bprint', 'bputs', 'function', 'funcgraph_entry', 'funcgraph_exit'],
  vmscan: ['mm_vmscan_direct_reclaim_begin', 'mm_vmscan_direct_reclaim_end', 'mm_vmscan_kswapd_wake'],
};
for (const [system, events] of Object.entries(SYSTEM_EVENTS)) for (const e of events) KNOWN_SYSTEMS[e] = system;

/** `oom:*`, `*:mn_*`, `mark_victim` (no colon: matches the event part under any system). */
function globToRegExp(glob: string): RegExp {
  const g = glob.includes(':') ? glob : `*:${glob}`;
  const body = g.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

export class EventNames {
  private readonly short = new Map<string, NameEntry>();
  private readonly full = new Map<string, NameEntry>();
  private readonly kprobes = new Map<string, KprobeDef>();
  private readonly patterns: RegExp[] | undefined;
  /** The filter token `@kprobes` selects every event a kprobe definition names, whatever its group. */
  private readonly wantKprobes: boolean;

  /**
   * `countOnly`: the run only counts events by name (`parse --stats`), so readers that
   * can count from the name bytes build no event at all.
   */
  constructor(
    readonly filter?: readonly string[],
    readonly countOnly = false,
  ) {
    const globs = filter?.filter((g) => g !== KPROBES_TOKEN);
    this.wantKprobes = !filter || filter.length === 0 || filter.includes(KPROBES_TOKEN);
    this.patterns = filter && filter.length ? (globs ?? []).map(globToRegExp) : undefined;
  }

  /** Register a kprobe definition; later lookups of its event name resolve to its group. */
  addKprobe(def: KprobeDef): void {
    this.kprobes.set(def.event, def);
    this.kprobes.set(`${def.group}:${def.event}`, def);
    // A name resolved before the definition arrived must not keep a stale system.
    this.short.delete(def.event);
  }

  kprobe(nameOrFull: string): KprobeDef | undefined {
    return this.kprobes.get(nameOrFull);
  }

  /** Every kprobe definition registered, once each (a range parser in a worker needs them). */
  kprobeDefs(): KprobeDef[] {
    return [...new Set(this.kprobes.values())];
  }

  get hasKprobes(): boolean {
    return this.kprobes.size > 0;
  }

  wants(full: string, isKprobe = false): boolean {
    return !this.patterns || (isKprobe && this.wantKprobes) || this.patterns.some((p) => p.test(full));
  }

  /** Entry for a name printed without its system (tracefs text, trace-cmd report). */
  byShort(name: string): NameEntry {
    let e = this.short.get(name);
    if (e) return e;
    const kp = this.kprobes.get(name);
    const system = kp ? kp.group : (KNOWN_SYSTEMS[name] ?? '?');
    e = this.byFull(`${system}:${name}`);
    this.short.set(name, e);
    return e;
  }

  /** Entry for a `system:name` (perf script, CSV). */
  byFull(full: string): NameEntry {
    let e = this.full.get(full);
    if (e) return e;
    const colon = full.indexOf(':');
    const system = colon >= 0 ? full.slice(0, colon) : '?';
    const event = colon >= 0 ? full.slice(colon + 1) : full;
    e = { full: colon >= 0 ? full : `?:${full}`, system, event, selected: false, wanted: false, count: 0, kprobe: this.kprobes.get(full) };
    e.selected = e.wanted = this.wants(e.full, e.kprobe !== undefined);
    this.full.set(full, e);
    return e;
  }

  /** Every name seen, with its count. */
  entries(): NameEntry[] {
    return [...this.full.values()].filter((e) => e.count > 0);
  }
}
