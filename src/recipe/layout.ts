// How to fetch the invalidate range's fields in a kprobe: from the kernel's BTF when there is
// one, else from the version family table (docs/formats.md#kprobes). x86-64 argument registers.
import type { Btf } from '../../parsers/btf/read.ts';
import { callbackParams, funcParams, funcReturn, resolve, structMembers, type Param } from '../../parsers/btf/query.ts';
import { atLeast, CORE, type Version } from './what-to-record.ts';

export const ARG_REGS = ['%di', '%si', '%dx', '%cx', '%r8', '%r9'] as const;

export interface FetchArg {
  name: string;
  fetch: string;
  type: string;
}

export interface RangeField {
  name: 'mm' | 'start' | 'end' | 'flags' | 'event' | 'blockable';
  offset: number;
  type: string;
}

/** The calling convention of the core start/end and the hlist callbacks on one kernel. */
export interface InvalidateLayout {
  /** 'range': functions take `struct mmu_notifier_range *` (5.0+); 'args': (mm, start, end, blockable) (4.19); 'void': ≤4.18, start returns nothing. */
  style: 'range' | 'args' | 'void';
  /** Range struct fields (style 'range'). */
  fields: RangeField[];
  /** Core start/end arguments beyond the range (4.19: all of them). */
  startArgs: FetchArg[];
  endArgs: FetchArg[];
  /** hlist callback arguments (start and end share them). */
  cbArgs: FetchArg[];
  releaseCbArgs: FetchArg[];
  /** The start returns an int (4.19+). */
  startReturns: boolean;
  /** Where each fact came from. */
  from: 'btf' | 'table';
  notes: string[];
}

const WANTED: readonly RangeField['name'][] = ['mm', 'start', 'end', 'flags', 'event', 'blockable'];

// Fetch types the lab and check agree on: pointers and addresses as x64, flags x32, enum u32, bool u8.
function fetchType(name: RangeField['name'], size: number | undefined): string {
  if (name === 'flags') return size === 8 ? 'x64' : 'x32';
  if (name === 'event') return size === 8 ? 'u64' : 'u32';
  if (name === 'blockable') return 'u8';
  return size === 4 ? 'x32' : 'x64';
}

function rangeArgs(fields: RangeField[], reg: string): FetchArg[] {
  return fields.map((f) => ({ name: f.name, fetch: `+${f.offset}(${reg})`, type: f.type }));
}

const isRangePtr = (btf: Btf, p: Param): boolean => {
  const t = resolve(btf, p.type);
  if (t?.kind !== 'PTR') return false;
  const target = resolve(btf, t.type!);
  return (target?.kind === 'STRUCT' || target?.kind === 'FWD') && target.name === 'mmu_notifier_range';
};

function scalarArg(name: string, i: number, size: number | undefined): FetchArg {
  return { name, fetch: ARG_REGS[i]!, type: size === 1 ? 'u8' : size === 4 ? 'x32' : 'x64' };
}

/** Table layouts per version (x86-64). */
export function tableLayout(v: Version): InvalidateLayout {
  const base = { from: 'table' as const, notes: [] as string[] };
  const hlistRelease: FetchArg[] = [{ name: 'sub', fetch: '%di', type: 'x64' }, { name: 'mm', fetch: '%si', type: 'x64' }];
  if (!atLeast(v, [4, 19])) {
    const a: FetchArg[] = [{ name: 'mm', fetch: '%di', type: 'x64' }, { name: 'start', fetch: '%si', type: 'x64' }, { name: 'end', fetch: '%dx', type: 'x64' }];
    return { ...base, style: 'void', fields: [], startArgs: a, endArgs: a, cbArgs: [{ name: 'sub', fetch: '%di', type: 'x64' }, { name: 'mm', fetch: '%si', type: 'x64' }, { name: 'start', fetch: '%dx', type: 'x64' }, { name: 'end', fetch: '%cx', type: 'x64' }], releaseCbArgs: hlistRelease, startReturns: false };
  }
  if (!atLeast(v, [5, 0])) {
    const a: FetchArg[] = [{ name: 'mm', fetch: '%di', type: 'x64' }, { name: 'start', fetch: '%si', type: 'x64' }, { name: 'end', fetch: '%dx', type: 'x64' }];
    return {
      ...base, style: 'args', fields: [],
      startArgs: [...a, { name: 'blockable', fetch: '%cx', type: 'u8' }],
      endArgs: [...a, { name: 'only_end', fetch: '%cx', type: 'u8' }],
      cbArgs: [{ name: 'sub', fetch: '%di', type: 'x64' }, { name: 'mm', fetch: '%si', type: 'x64' }, { name: 'start', fetch: '%dx', type: 'x64' }, { name: 'end', fetch: '%cx', type: 'x64' }, { name: 'blockable', fetch: '%r8', type: 'u8' }],
      releaseCbArgs: hlistRelease, startReturns: true,
    };
  }
  let fields: RangeField[];
  if (!atLeast(v, [5, 2])) fields = [{ name: 'mm', offset: 0, type: 'x64' }, { name: 'start', offset: 8, type: 'x64' }, { name: 'end', offset: 16, type: 'x64' }, { name: 'blockable', offset: 24, type: 'u8' }];
  else if (!atLeast(v, [6, 3])) fields = [{ name: 'mm', offset: 8, type: 'x64' }, { name: 'start', offset: 16, type: 'x64' }, { name: 'end', offset: 24, type: 'x64' }, { name: 'flags', offset: 32, type: 'x32' }, { name: 'event', offset: 36, type: 'u32' }];
  else fields = [{ name: 'mm', offset: 0, type: 'x64' }, { name: 'start', offset: 8, type: 'x64' }, { name: 'end', offset: 16, type: 'x64' }, { name: 'flags', offset: 24, type: 'x32' }, { name: 'event', offset: 28, type: 'u32' }];
  // only_end left __mmu_notifier_invalidate_range_end with the secondary-TLB rework of 6.6.
  const onlyEnd = !atLeast(v, [6, 6]);
  return {
    ...base, style: 'range', fields,
    startArgs: [{ name: 'range', fetch: '%di', type: 'x64' }, ...rangeArgs(fields, '%di')],
    endArgs: [{ name: 'range', fetch: '%di', type: 'x64' }, ...rangeArgs(fields, '%di'), ...(onlyEnd ? [{ name: 'only_end', fetch: '%si', type: 'u8' }] : [])],
    cbArgs: [{ name: 'sub', fetch: '%di', type: 'x64' }, ...rangeArgs(fields, '%si')],
    releaseCbArgs: hlistRelease, startReturns: true,
  };
}

/** Core function arguments from its BTF prototype: the range expanded, other parameters by register. */
function coreArgs(btf: Btf, func: string, fields: RangeField[]): FetchArg[] | undefined {
  const params = funcParams(btf, func);
  if (!params) return undefined;
  const out: FetchArg[] = [];
  params.forEach((p, i) => {
    if (i >= ARG_REGS.length) return;
    if (isRangePtr(btf, p)) out.push({ name: 'range', fetch: ARG_REGS[i]!, type: 'x64' }, ...rangeArgs(fields, ARG_REGS[i]!));
    else out.push(scalarArg(p.name || `arg${i + 1}`, i, p.size));
  });
  return out;
}

/** Layout read from BTF; fields BTF lacks fall back to the table, and the notes say which. */
export function btfLayout(btf: Btf, v: Version): InvalidateLayout {
  const table = tableLayout(v);
  const members = structMembers(btf, 'mmu_notifier_range');
  if (!members) {
    return { ...table, notes: [`${btf.file}: no struct mmu_notifier_range (a kernel before 5.0 or without mmu notifiers); the version table is used`] };
  }
  const fields: RangeField[] = [];
  for (const name of WANTED) {
    const m = members.find((x) => x.name === name);
    if (m) fields.push({ name, offset: m.offset, type: fetchType(name, m.size) });
  }
  const notes: string[] = [];
  const startArgs = coreArgs(btf, CORE.start, fields);
  const endArgs = coreArgs(btf, CORE.end, fields);
  if (!startArgs) notes.push(`${CORE.start}: no prototype in BTF; arguments from the version table`);
  if (!endArgs) notes.push(`${CORE.end}: no prototype in BTF; arguments from the version table`);
  // hlist callbacks: (subscription, range) since 5.0; the range's register from the ops prototype.
  const cb = callbackParams(btf, 'mmu_notifier_ops', 'invalidate_range_start');
  let cbArgs = table.cbArgs;
  if (cb) {
    const ri = cb.findIndex((p) => isRangePtr(btf, p));
    if (ri >= 0 && ri < ARG_REGS.length) cbArgs = [{ name: 'sub', fetch: '%di', type: 'x64' }, ...rangeArgs(fields, ARG_REGS[ri]!)];
  } else notes.push('mmu_notifier_ops.invalidate_range_start: not in BTF; callback arguments from the version table');
  const rel = callbackParams(btf, 'mmu_notifier_ops', 'release');
  const releaseCbArgs = rel && rel.length >= 2 ? [{ name: 'sub', fetch: '%di', type: 'x64' }, { name: 'mm', fetch: ARG_REGS[1], type: 'x64' }] : table.releaseCbArgs;
  const ret = funcReturn(btf, CORE.start);
  return {
    style: 'range',
    fields,
    startArgs: startArgs ?? table.startArgs,
    endArgs: endArgs ?? table.endArgs,
    cbArgs,
    releaseCbArgs,
    startReturns: ret ? ret.size !== 0 : table.startReturns,
    from: 'btf',
    notes,
  };
}
