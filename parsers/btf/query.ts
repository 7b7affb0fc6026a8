// Questions a kprobe writer asks of BTF: where a struct member lies, what a function's
// parameters are, whether a function exists.
import type { Btf, BtfType } from './read.ts';

const MODIFIERS = new Set(['TYPEDEF', 'CONST', 'VOLATILE', 'RESTRICT', 'TYPE_TAG']);

export function typeById(btf: Btf, id: number): BtfType | undefined {
  return btf.types[id];
}

/** The named type of one kind (the first such, as BTF may repeat names across kinds). */
export function findType(btf: Btf, kind: BtfType['kind'], name: string): BtfType | undefined {
  for (const id of btf.byName.get(name) ?? []) {
    const t = btf.types[id];
    if (t?.kind === kind) return t;
  }
  return undefined;
}

/** Follow typedefs and qualifiers down to the type they name. */
export function resolve(btf: Btf, id: number): BtfType | undefined {
  let t = btf.types[id];
  for (let guard = 0; t && MODIFIERS.has(t.kind) && guard < 64; guard++) t = btf.types[t.type!];
  return t;
}

/** Size in bytes of a type (pointers are 8 bytes on the 64-bit kernels BTF is read from). */
export function sizeOf(btf: Btf, id: number): number | undefined {
  const t = resolve(btf, id);
  if (!t) return undefined;
  if (t.size !== undefined) return t.size;
  if (t.kind === 'PTR') return 8;
  if (t.kind === 'ARRAY') {
    const e = sizeOf(btf, t.array!.type);
    return e === undefined ? undefined : e * t.array!.nelems;
  }
  return undefined;
}

/** C spelling of a type, e.g. `struct mm_struct *`, `const struct mmu_notifier_range *`. */
export function typeName(btf: Btf, id: number, depth = 0): string {
  if (id === 0) return 'void';
  const t = btf.types[id];
  if (!t || depth > 16) return '?';
  switch (t.kind) {
    case 'PTR': return `${typeName(btf, t.type!, depth + 1)} *`;
    case 'CONST': return `const ${typeName(btf, t.type!, depth + 1)}`;
    case 'VOLATILE': return `volatile ${typeName(btf, t.type!, depth + 1)}`;
    case 'RESTRICT': return `${typeName(btf, t.type!, depth + 1)} restrict`;
    case 'TYPE_TAG': return typeName(btf, t.type!, depth + 1);
    case 'STRUCT': return `struct ${t.name || '(anon)'}`;
    case 'UNION': return `union ${t.name || '(anon)'}`;
    case 'ENUM': case 'ENUM64': return `enum ${t.name || '(anon)'}`;
    case 'FWD': return `${t.fwdUnion ? 'union' : 'struct'} ${t.name}`;
    case 'ARRAY': return `${typeName(btf, t.array!.type, depth + 1)}[${t.array!.nelems}]`;
    case 'FUNC_PROTO': return 'function';
    default: return t.name || '(anon)';
  }
}

export interface MemberLocation {
  name: string;
  /** Byte offset from the start of the outermost struct. */
  offset: number;
  bitOffset: number;
  bitfieldSize: number;
  /** Size in bytes of the member's type. */
  size: number | undefined;
  type: number;
  typeName: string;
}

/** Every member of a struct or union, anonymous members flattened, offsets from its start. */
export function membersOf(btf: Btf, t: BtfType, base = 0): MemberLocation[] {
  const out: MemberLocation[] = [];
  for (const m of t.members ?? []) {
    const bit = base + m.bitOffset;
    const inner = resolve(btf, m.type);
    if (!m.name && inner && (inner.kind === 'STRUCT' || inner.kind === 'UNION')) {
      out.push(...membersOf(btf, inner, bit));
      continue;
    }
    out.push({
      name: m.name,
      offset: Math.floor(bit / 8),
      bitOffset: bit,
      bitfieldSize: m.bitfieldSize,
      size: sizeOf(btf, m.type),
      type: m.type,
      typeName: typeName(btf, m.type),
    });
  }
  return out;
}

export function structMembers(btf: Btf, name: string): MemberLocation[] | undefined {
  const t = findType(btf, 'STRUCT', name);
  return t ? membersOf(btf, t) : undefined;
}

export interface Param {
  name: string;
  type: number;
  typeName: string;
  size: number | undefined;
}

function protoParams(btf: Btf, proto: BtfType | undefined): Param[] | undefined {
  if (!proto || proto.kind !== 'FUNC_PROTO') return undefined;
  return proto.params!
    // A trailing type 0 parameter marks varargs.
    .filter((p, i, all) => !(p.type === 0 && i === all.length - 1))
    .map((p) => ({ name: p.name, type: p.type, typeName: typeName(btf, p.type), size: sizeOf(btf, p.type) }));
}

/** Parameters of a function the BTF describes (a FUNC record), or undefined when it has none. */
export function funcParams(btf: Btf, func: string): Param[] | undefined {
  const f = findType(btf, 'FUNC', func);
  return f ? protoParams(btf, btf.types[f.type!]) : undefined;
}

/** The return type of a FUNC, or undefined. */
export function funcReturn(btf: Btf, func: string): { type: number; typeName: string; size: number | undefined } | undefined {
  const f = findType(btf, 'FUNC', func);
  const proto = f ? btf.types[f.type!] : undefined;
  if (!proto || proto.kind !== 'FUNC_PROTO') return undefined;
  return { type: proto.type!, typeName: typeName(btf, proto.type!), size: proto.type ? sizeOf(btf, proto.type) : 0 };
}

/** Parameters of a function-pointer member, e.g. `mmu_notifier_ops.invalidate_range_start`. */
export function callbackParams(btf: Btf, struct: string, member: string): Param[] | undefined {
  const m = structMembers(btf, struct)?.find((x) => x.name === member);
  if (!m) return undefined;
  const ptr = resolve(btf, m.type);
  return ptr?.kind === 'PTR' ? protoParams(btf, resolve(btf, ptr.type!)) : undefined;
}
