// A kprobe definition as written to /sys/kernel/tracing/kprobe_events, e.g.
//   p:mn/mn_inv_start __mmu_notifier_invalidate_range_start range=%di:x64 mm=+8(%di):x64
//   r10:mn/mn_inv_start_ret __mmu_notifier_invalidate_range_start ret=$retval:s32
// trace-cmd and perf print a kprobe's site as a raw address; the definition tells
// which function an event probes and whether it fires on return.
import type { SourceRef } from './event.ts';

export interface KprobeArg {
  name: string;
  /** Fetch spec, e.g. `+8(%di)`, `$retval`. */
  fetch: string;
  /** Type suffix, e.g. `x64`, `s32`, `u8`, `string`; undefined = native hex word. */
  type?: string;
}

export interface KprobeDef {
  group: string;
  event: string;
  isReturn: boolean;
  maxactive?: number;
  /** Probed function symbol (without module or offset). */
  func: string;
  module?: string;
  offset: number;
  args: KprobeArg[];
  src: SourceRef;
}
