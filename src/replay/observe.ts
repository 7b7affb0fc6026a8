// What the trace itself shows about the kernel's behaviour, whatever its version
// says (docs/model.md#capabilities): these refine the family's default capabilities.
import type { Capabilities } from './capabilities.ts';
import type { ObservedCaps } from './kernel.ts';
import type { ModelState } from './state.ts';
import { formatNs } from '../../parsers/common/timestamp.ts';
import { formatSourceRef } from '../types/source-ref.ts';

export function observeCapabilities(s: ModelState): ObservedCaps {
  const caps: Partial<Capabilities> = {};
  const reasons: string[] = [];
  if (s.victims.some((v) => v.mark.name === 'oom:mark_victim' && typeof v.mark.fields?.comm === 'string')) {
    caps.markVictimExtended = true;
    reasons.push('mark_victim prints comm and RSS (the extended format)');
  }
  const delays = s.victims.filter((v) => v.wake && v.mark.name === 'oom:mark_victim').map((v) => v.wake!.ts - v.mark.ts);
  if (delays.length) {
    const min = delays.reduce((a, b) => (a < b ? a : b));
    if (delays.every((d) => d >= 1_500_000_000n && d <= 3_000_000_000n)) {
      caps.reaperDelayMs = 2000;
      reasons.push(`wake_reaper came ${formatNs(min).slice(0, -6)} s after mark_victim: the 2 s reaper delay`);
    } else if (delays.every((d) => d < 100_000_000n)) {
      caps.reaperDelayMs = 0;
      reasons.push('wake_reaper came right after mark_victim: no reaper delay');
    }
  }
  for (const c of s.calls) {
    if (c.retval === undefined || c.retval >= 0) continue;
    const ok = c.callbacks.find((cb) => cb.phase === 'start' && cb.retval === 0);
    if (ok && c.callbacks.some((cb) => cb.phase === 'end' && cb.instance === ok.instance)) {
      caps.hlistEndOnFailure = true;
      reasons.push(`${ok.instance}'s invalidate_range_end is called inside a failed start (${formatSourceRef(c.entry.src)}): the pairing fix is present`);
      break;
    }
  }
  return { caps, reasons };
}
