// The probe site a kprobe event prints first, in parentheses. tracefs resolves symbols;
// trace-cmd and perf apply the event's own print fmt, `(%lx)` and `(%lx <- %lx)`.
//   tracefs entry:   (__mmu_notifier_invalidate_range_start+0x0/0x190)
//   tracefs module:  (kvm_mmu_notifier_invalidate_range_start+0x0/0x360 [kvm])
//   tracefs return:  (__oom_reap_task_mm+0x179/0x1a0 <- __mmu_notifier_invalidate_range_start)
//   raw entry:       (ffffffffb3d20eb0)
//   raw return:      (ffffffffb3d20eb0 <- ffffffffb3c889a9)
// The two return forms are in opposite order: tracefs prints the return site first,
// the print fmt prints the probed function first.
import { normHex } from './decoder.ts';

/** One printed location. */
interface Location {
  text: string;
  /** Normalized address when printed as a number. */
  addr?: string;
  /** Printed as bare hex digits (the print fmt's `%lx`), not as tracefs' `0x…` fallback. */
  bare: boolean;
  sym?: string;
  offset?: number;
  module?: string;
}

export interface KprobeSite {
  isReturn: boolean;
  /** Probed function as printed: a symbol, or undefined when printed as an address. */
  func?: string;
  /** Probed address when printed as a number. */
  addr?: string;
  offset?: number;
  module?: string;
  /** Return site: the symbol text as printed, or the normalized address. */
  retSite?: string;
  /** Index just after the closing parenthesis. */
  end: number;
}

// ffffffffb3d20eb0 | 0xffffffffb3d20eb0 | sym+0x0/0x190 [kvm] | sym
const LOCATION = /^(?:(0x[0-9a-f]+)|([0-9a-f]{8,16})|([^\s+()<>[\]]+)(?:\+0x([0-9a-f]+)\/0x[0-9a-f]+)?(?: \[([\w-]+)\])?)$/;

function location(text: string): Location | undefined {
  const m = LOCATION.exec(text);
  if (!m) return undefined;
  if (m[1] !== undefined) return { text, addr: normHex(m[1]), bare: false };
  if (m[2] !== undefined) return { text, addr: normHex(m[2]), bare: true };
  const loc: Location = { text, bare: false, sym: m[3]! };
  if (m[4] !== undefined) loc.offset = parseInt(m[4], 16);
  if (m[5] !== undefined) loc.module = m[5];
  return loc;
}

/** The site at the start of `text`, or undefined when the text does not start with one. */
export function parseKprobeSite(text: string): KprobeSite | undefined {
  if (!text.startsWith('(')) return undefined;
  const close = text.indexOf(')');
  if (close < 0) return undefined;
  const inner = text.slice(1, close);
  const end = close + 1;
  const arrow = inner.indexOf(' <- ');
  if (arrow < 0) {
    const at = location(inner);
    if (!at) return undefined;
    return { isReturn: false, func: at.sym, addr: at.addr, offset: at.offset, module: at.module, end };
  }
  const a = location(inner.slice(0, arrow));
  const b = location(inner.slice(arrow + 4));
  if (!a || !b) return undefined;
  const printFmtOrder = a.bare && b.bare;
  const func = printFmtOrder ? a : b;
  const ret = printFmtOrder ? b : a;
  return {
    isReturn: true,
    func: func.sym,
    addr: func.addr,
    module: func.module,
    retSite: ret.addr ?? ret.text,
    end,
  };
}
