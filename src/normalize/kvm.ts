// kvm:* mmu-notifier tracepoints (virt/kvm/kvm_main.c, include/trace/events/kvm.h).
// `%#016lx` prints `0x` then zero padding in the kernel; libtraceevent drops the `0x`
// for zero, so the prefix is optional.
import type { Decoder } from './decoder.ts';
import { normHex } from './decoder.ts';
import type { Fields } from '../types/event.ts';
import { onText } from './fields.ts';

// mmu notifier unmap range: 0x00000000400000 -- 0x00000000401000
const UNMAP_RANGE = /^mmu notifier unmap range: ((?:0x)?[0-9a-f]+) -- ((?:0x)?[0-9a-f]+)$/;
// mmu notifier age hva: 0x007f3a2c000000 -- 0x007f3a2c200000
const AGE = /^mmu notifier age hva: ((?:0x)?[0-9a-f]+) -- ((?:0x)?[0-9a-f]+)$/;
// mmu notifier test age hva: 0x007f3a2c001000
const TEST_AGE = /^mmu notifier test age hva: ((?:0x)?[0-9a-f]+)$/;
// mmu notifier set pte hva: 0x007f3a2c001000
const SET_SPTE = /^mmu notifier set pte hva: ((?:0x)?[0-9a-f]+)$/;
// mmu notifier unmap hva: 0x7f3a2c001000   (arm, 4.16 era)
const UNMAP_HVA = /^mmu notifier unmap hva: ((?:0x)?[0-9a-f]+)$/;

function range(re: RegExp): Decoder {
  return onText((text): Fields | undefined => {
    const m = re.exec(text);
    return m ? { start: normHex(m[1]!), end: normHex(m[2]!) } : undefined;
  });
}

function hva(re: RegExp): Decoder {
  return onText((text): Fields | undefined => {
    const m = re.exec(text);
    return m ? { hva: normHex(m[1]!) } : undefined;
  });
}

export const KVM_DECODERS: Record<string, Decoder> = {
  'kvm:kvm_unmap_hva_range': range(UNMAP_RANGE),
  'kvm:kvm_age_hva': range(AGE),
  'kvm:kvm_test_age_hva': hva(TEST_AGE),
  'kvm:kvm_set_spte_hva': hva(SET_SPTE),
  'kvm:kvm_unmap_hva': hva(UNMAP_HVA),
};
