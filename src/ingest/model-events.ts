// The events the reference model reads (kernel-model.md §3): everything else in a
// trace is counted but never built, which keeps multi-GB traces fast and small.
import { KPROBES_TOKEN } from '../../parsers/common/event-names.ts';

export const MODEL_EVENTS: readonly string[] = [
  'oom:*',
  'kmem:rss_stat',
  'mmap:exit_mmap',
  'sched:sched_process_exit',
  'sched:sched_process_fork',
  'sched:sched_process_free',
  'sched:sched_process_exec',
  'task:task_newtask',
  'signal:signal_generate',
  'printk:console',
  'kvm:kvm_unmap_hva_range',
  'kvm:kvm_age_hva',
  'kvm:kvm_test_age_hva',
  'kvm:kvm_set_spte_hva',
  KPROBES_TOKEN,
];
