// What the model needs recorded, independent of how it is recorded: the tracepoints (with the
// versions that have them), the core functions to probe, and the notifiers' callbacks.
// The recipe renders this for one kernel; a live reader can use the same lists.

export type Version = readonly [number, number];

export const atLeast = (v: Version, since: Version): boolean => v[0] > since[0] || (v[0] === since[0] && v[1] >= since[1]);

export interface Tracepoint {
  /** `system:name`, or `system` for every event of the system. */
  name: string;
  /** First version that has it (x86-64). */
  since: Version;
  /** BTF struct the kernel generates for it (`trace_event_raw_<event>`): present iff the tracepoint is built in. */
  btfStruct?: string;
  /** In a module: BTF of vmlinux cannot tell. */
  module?: string;
  why: string;
}

export const TRACEPOINTS: readonly Tracepoint[] = [
  { name: 'oom', since: [4, 13], btfStruct: 'trace_event_raw_mark_victim', why: 'victim selection, reaper wake, attempts and give-ups' },
  { name: 'kmem:rss_stat', since: [5, 5], btfStruct: 'trace_event_raw_rss_stat', why: 'memory of each mm over time; binds an mm to its process' },
  { name: 'mmap:exit_mmap', since: [6, 1], btfStruct: 'trace_event_raw_exit_mmap', why: 'when a victim tears its own address space down' },
  { name: 'sched:sched_process_fork', since: [2, 6], btfStruct: 'trace_event_raw_sched_process_fork', why: 'which tasks share an mm' },
  { name: 'sched:sched_process_exec', since: [3, 4], btfStruct: 'trace_event_raw_sched_process_exec', why: 'a task moving to a fresh mm' },
  { name: 'sched:sched_process_exit', since: [2, 6], btfStruct: 'trace_event_raw_sched_process_template', why: 'victim exit' },
  { name: 'sched:sched_process_free', since: [2, 6], btfStruct: 'trace_event_raw_sched_process_template', why: 'victim task freed' },
  { name: 'signal:signal_generate', since: [3, 2], btfStruct: 'trace_event_raw_signal_generate', why: 'the SIGKILL of the victim and the processes sharing its mm' },
  { name: 'printk:console', since: [3, 0], btfStruct: 'trace_event_raw_console', why: 'the OOM report and reaper lines on the trace clock' },
  // x86 has it since 5.13 (generic KVM code); arm/arm64 earlier (docs/formats.md#kvm).
  { name: 'kvm:kvm_unmap_hva_range', since: [5, 13], module: 'kvm', why: "KVM's invalidate start without kprobes" },
];

/** What a probe is for; check reads the same roles from the probed function (src/replay/kprobe-roles.ts). */
export type ProbeRole = 'core_start' | 'core_start_ret' | 'core_end' | 'mm_release' | 'reap' | 'reap_ret' | 'cb_start' | 'cb_start_ret' | 'cb_end' | 'cb_release';

export const CORE = {
  start: '__mmu_notifier_invalidate_range_start',
  end: '__mmu_notifier_invalidate_range_end',
  release: '__mmu_notifier_release',
  reap: '__oom_reap_task_mm',
  /** Probed only when __oom_reap_task_mm is not out of line. */
  reapOuter: 'oom_reap_task_mm',
} as const;

/** Which callback table the notifier registers: hlist (`mmu_notifier_ops`) or interval (`mmu_interval_notifier_ops`). */
export type OpsKind = 'hlist' | 'interval';

export interface NotifierCallbacks {
  /** Versions [since, until) this set of symbols is valid for (until exclusive; undefined = still current). */
  since: Version;
  until?: Version;
  ops: OpsKind;
  start?: string;
  end?: string;
  release?: string;
  /** Interval notifiers: the single `invalidate` callback (returns bool, true = done). */
  invalidate?: string;
}

export interface Notifier {
  id: string;
  /** Kernel module that holds the callbacks; undefined when built into vmlinux. */
  module?: string;
  label: string;
  sets: readonly NotifierCallbacks[];
}

// Symbols from the drivers' sources (x86-64); a set applies in [since, until).
export const NOTIFIERS: readonly Notifier[] = [
  {
    id: 'kvm', module: 'kvm', label: 'KVM guest memory',
    sets: [{ since: [4, 0], ops: 'hlist', start: 'kvm_mmu_notifier_invalidate_range_start', end: 'kvm_mmu_notifier_invalidate_range_end', release: 'kvm_mmu_notifier_release' }],
  },
  {
    id: 'amdgpu', module: 'amdgpu', label: 'AMD GPU userptr / HSA',
    sets: [
      { since: [4, 19], until: [5, 6], ops: 'hlist', start: 'amdgpu_mn_invalidate_range_start_gfx' },
      { since: [5, 6], ops: 'interval', invalidate: 'amdgpu_mn_invalidate_gfx' },
    ],
  },
  {
    id: 'i915', module: 'i915', label: 'Intel GPU userptr',
    sets: [
      { since: [4, 0], until: [5, 13], ops: 'hlist', start: 'userptr_mn_invalidate_range_start' },
      { since: [5, 13], ops: 'interval', invalidate: 'i915_gem_userptr_invalidate' },
    ],
  },
  {
    id: 'ib_umem', module: 'ib_core', label: 'RDMA on-demand paging (umem_odp)',
    sets: [
      { since: [4, 0], until: [5, 5], ops: 'hlist', start: 'ib_umem_notifier_invalidate_range_start', end: 'ib_umem_notifier_invalidate_range_end', release: 'ib_umem_notifier_release' },
      { since: [5, 5], ops: 'interval', invalidate: 'mlx5_ib_invalidate_range' },
    ],
  },
  {
    id: 'hmm', label: 'HMM mirror',
    sets: [
      { since: [4, 14], until: [5, 5], ops: 'hlist', start: 'hmm_invalidate_range_start', end: 'hmm_invalidate_range_end', release: 'hmm_release' },
    ],
  },
  {
    id: 'nouveau', module: 'nouveau', label: 'nouveau SVM',
    sets: [{ since: [5, 6], ops: 'hlist', start: 'nouveau_svmm_invalidate_range_start', release: 'nouveau_svmm_release' }],
  },
  {
    id: 'gru', module: 'gru', label: 'SGI GRU',
    sets: [{ since: [4, 0], ops: 'hlist', start: 'gru_invalidate_range_start', end: 'gru_invalidate_range_end', release: 'gru_release' }],
  },
  {
    id: 'mntest', module: 'mntest', label: 'test notifier module (OOM lab)',
    sets: [{ since: [4, 19], ops: 'hlist', start: 'mnt_invalidate_range_start', end: 'mnt_invalidate_range_end', release: 'mnt_release' }],
  },
];

export function notifierById(id: string): Notifier | undefined {
  return NOTIFIERS.find((n) => n.id === id);
}

/** The callback set a notifier has on this version, if any. */
export function callbacksFor(n: Notifier, v: Version): NotifierCallbacks | undefined {
  return n.sets.find((s) => atLeast(v, s.since) && (s.until === undefined || !atLeast(v, s.until)));
}

/** Default ring buffer per CPU for the recipe's instance, in KiB. */
export const BUFFER_KB = 16384;
/** Trace clock shared with the kernel log (local_clock). */
export const TRACE_CLOCK = 'perf';
