// One line of /sys/kernel/tracing/kprobe_events (Documentation/trace/kprobetrace.rst):
//   p[:[GRP/][EVENT]] [MOD:]SYM[+offs]|MEMADDR [FETCHARGS]
//   r[MAXACTIVE][:[GRP/][EVENT]] [MOD:]SYM[+0] [FETCHARGS]
//   p[:[GRP/][EVENT]] [MOD:]SYM%return [FETCHARGS]
//   -:[GRP/]EVENT
import type { SourceRef } from '../../src/types/event.ts';
import type { KprobeArg, KprobeDef } from '../../src/types/kprobe.ts';

/** Group of probes defined without one. */
export const DEFAULT_GROUP = 'kprobes';

// p:mn/mn_inv_start    r10:mn/mn_inv_start_ret    p    r:my_event    p:grp/
const HEAD = /^([pr])(\d*)(?::(?:([A-Za-z_]\w*)\/)?([A-Za-z_]\w*)?)?$/;

// kvm:kvm_mmu_notifier_invalidate_range_start    __oom_reap_task_mm+0x10    foo.isra.0%return
const SYMBOL_TARGET = /^(?:([\w-]+):)?([A-Za-z_.][\w.$]*)(?:\+(0x[0-9a-f]+|\d+))?(%return)?$/i;
// 0xffffffff81000000
const ADDRESS_TARGET = /^(0x[0-9a-f]+|\d+)$/i;

// -:mn/mn_inv_start
const REMOVAL = /^-:(?:[A-Za-z_]\w*\/)?[A-Za-z_]\w*$/;

// range=%di:x64    +8(%di):x64    ret=$retval:s32    comm=$comm    name=+0(+8(%si)):string
const NAMED_ARG = /^([A-Za-z_]\w*)=(.+)$/;
const TYPE = /^(?:[usx](?:8|16|32|64)|char|string|ustring|symbol|symstr|b\d+@\d+\/(?:8|16|32|64)|%p[dD])(?:\[\d+\])?$/;
const FETCH = /^(?:%\w+|@\S+|\$\w+|[+-]u?(?:0x[0-9a-f]+|\d+)\(.+\)|\\\S+)$/i;

export function isRemoval(line: string): boolean {
  return REMOVAL.test(line.trim());
}

function parseArg(token: string, index: number): KprobeArg | undefined {
  const named = NAMED_ARG.exec(token);
  const name = named ? named[1]! : `arg${index + 1}`;
  let fetch = named ? named[2]! : token;
  let type: string | undefined;
  const colon = fetch.lastIndexOf(':');
  if (colon > 0 && TYPE.test(fetch.slice(colon + 1))) {
    type = fetch.slice(colon + 1);
    fetch = fetch.slice(0, colon);
  }
  if (!FETCH.test(fetch)) return undefined;
  // `$comm` and immediate strings are strings without saying so.
  if (type === undefined && (fetch === '$comm' || fetch.startsWith('\\"'))) type = 'string';
  return type === undefined ? { name, fetch } : { name, fetch, type };
}

/** The kernel's default event name: `p_<sym>_<off>`, `:` and `.` made `_`. */
function defaultEvent(isReturn: boolean, target: string, offset: number): string {
  const base = ADDRESS_TARGET.test(target) ? `${isReturn ? 'r' : 'p'}_${target}` : `${isReturn ? 'r' : 'p'}_${target}_${offset}`;
  return base.replace(/[:.]/g, '_');
}

/** A definition, or undefined when the line is not one (comments and removals included). */
export function parseKprobeDefinition(line: string, src: SourceRef): KprobeDef | undefined {
  const tokens = line.trim().split(/\s+/);
  if (tokens.length < 2) return undefined;
  const head = HEAD.exec(tokens[0]!);
  if (!head) return undefined;
  const [, kind, maxactive, group, event] = head;
  if (kind === 'p' && maxactive) return undefined;

  const target = tokens[1]!;
  let func: string;
  let module: string | undefined;
  let offset = 0;
  let isReturn = kind === 'r';
  let nameBase: string;
  const sym = SYMBOL_TARGET.exec(target);
  if (sym) {
    module = sym[1];
    func = sym[2]!;
    offset = sym[3] ? Number(sym[3]) : 0;
    if (sym[4]) {
      if (isReturn) return undefined;
      isReturn = true;
    }
    nameBase = module ? `${module}:${func}` : func;
  } else if (ADDRESS_TARGET.test(target)) {
    func = `0x${BigInt(target).toString(16)}`;
    nameBase = func;
  } else {
    return undefined;
  }
  // A return probe fires on function exit; only offset 0 is accepted.
  if (isReturn && offset !== 0) return undefined;

  const args: KprobeArg[] = [];
  for (let i = 2; i < tokens.length; i++) {
    const arg = parseArg(tokens[i]!, i - 2);
    if (!arg) return undefined;
    args.push(arg);
  }
  const def: KprobeDef = {
    group: group ?? DEFAULT_GROUP,
    event: event ?? defaultEvent(isReturn, nameBase, offset),
    isReturn,
    func,
    offset,
    args,
    src,
  };
  if (maxactive) def.maxactive = Number(maxactive);
  if (module !== undefined) def.module = module;
  return def;
}
