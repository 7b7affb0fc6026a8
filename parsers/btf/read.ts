// Reader of BTF, the kernel's BPF Type Format (Documentation/bpf/btf.rst): a header, a type
// section of variable-length records and a string section. `/sys/kernel/btf/vmlinux` is one.
// Type ids start at 1 (0 is void) in record order.

export type BtfKindName =
  | 'INT' | 'PTR' | 'ARRAY' | 'STRUCT' | 'UNION' | 'ENUM' | 'FWD' | 'TYPEDEF' | 'VOLATILE' | 'CONST'
  | 'RESTRICT' | 'FUNC' | 'FUNC_PROTO' | 'VAR' | 'DATASEC' | 'FLOAT' | 'DECL_TAG' | 'TYPE_TAG' | 'ENUM64';

// Index = the kind number in `info` bits 24-28.
const KINDS: readonly (BtfKindName | undefined)[] = [
  undefined, 'INT', 'PTR', 'ARRAY', 'STRUCT', 'UNION', 'ENUM', 'FWD', 'TYPEDEF', 'VOLATILE', 'CONST',
  'RESTRICT', 'FUNC', 'FUNC_PROTO', 'VAR', 'DATASEC', 'FLOAT', 'DECL_TAG', 'TYPE_TAG', 'ENUM64',
];

export interface BtfMember {
  name: string;
  type: number;
  /** Offset from the start of the struct, in bits. */
  bitOffset: number;
  /** Width of a bitfield member (0 when not a bitfield). */
  bitfieldSize: number;
}

export interface BtfParam {
  name: string;
  type: number;
}

export interface BtfEnumValue {
  name: string;
  value: bigint;
}

export interface BtfSecInfo {
  type: number;
  offset: number;
  size: number;
}

export interface BtfType {
  id: number;
  kind: BtfKindName;
  name: string;
  kindFlag: boolean;
  /** `size` for INT, ENUM, STRUCT, UNION, DATASEC, FLOAT, ENUM64. */
  size?: number;
  /** Referenced type for PTR, TYPEDEF, modifiers, FUNC (its FUNC_PROTO), VAR, DECL_TAG; return type of FUNC_PROTO. */
  type?: number;
  /** INT: encoding bits (1 signed, 2 char, 4 bool), bit offset and width. */
  int?: { encoding: number; offset: number; bits: number };
  array?: { type: number; indexType: number; nelems: number };
  members?: BtfMember[];
  params?: BtfParam[];
  values?: BtfEnumValue[];
  /** FUNC: 0 static, 1 global, 2 extern; VAR: 0 static, 1 global, 2 extern. */
  linkage?: number;
  secinfo?: BtfSecInfo[];
  /** DECL_TAG: -1 for the declaration itself, else the member or parameter index. */
  componentIdx?: number;
  /** FWD: a forward union (kind_flag set) rather than a struct. */
  fwdUnion?: boolean;
  /** Byte offset of the record in the file. */
  fileOffset: number;
}

export class BtfError extends Error {
  constructor(readonly file: string, readonly offset: number, what: string) {
    super(`${file}: at byte ${offset}: ${what}`);
    this.name = 'BtfError';
  }
}

export interface Btf {
  file: string;
  littleEndian: boolean;
  /** types[id]; types[0] is undefined (void). */
  types: (BtfType | undefined)[];
  /** Name -> ids of the named types (one name can have several kinds). */
  byName: Map<string, number[]>;
}

const MAGIC = 0xeb9f;
const HEADER_MIN = 24;

/** Parse a whole BTF blob. Throws BtfError naming the file, the byte offset and what was expected. */
export function readBtf(data: Uint8Array, file = 'btf'): Btf {
  if (data.length < HEADER_MIN) throw new BtfError(file, 0, `expected a BTF header of ${HEADER_MIN} bytes, found ${data.length} bytes`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let le: boolean;
  if (view.getUint16(0, true) === MAGIC) le = true;
  else if (view.getUint16(0, false) === MAGIC) le = false;
  else throw new BtfError(file, 0, `expected the BTF magic 0xeb9f, found 0x${view.getUint16(0, true).toString(16)}`);
  const version = view.getUint8(2);
  if (version !== 1) throw new BtfError(file, 2, `expected BTF version 1, found ${version}`);
  const hdrLen = view.getUint32(4, le);
  if (hdrLen < HEADER_MIN || hdrLen > data.length) throw new BtfError(file, 4, `header length ${hdrLen} out of range`);
  const typeOff = view.getUint32(8, le);
  const typeLen = view.getUint32(12, le);
  const strOff = view.getUint32(16, le);
  const strLen = view.getUint32(20, le);
  const typeStart = hdrLen + typeOff;
  const strStart = hdrLen + strOff;
  if (typeStart + typeLen > data.length) throw new BtfError(file, 8, `type section [${typeStart}, ${typeStart + typeLen}) runs past the end (${data.length} bytes)`);
  if (strStart + strLen > data.length) throw new BtfError(file, 16, `string section [${strStart}, ${strStart + strLen}) runs past the end (${data.length} bytes)`);

  const decoder = new TextDecoder('utf-8', { fatal: false });
  const strCache = new Map<number, string>();
  const str = (off: number, at: number): string => {
    if (off === 0) return '';
    const hit = strCache.get(off);
    if (hit !== undefined) return hit;
    if (off >= strLen) throw new BtfError(file, at, `string offset ${off} outside the string section (${strLen} bytes)`);
    let end = strStart + off;
    const limit = strStart + strLen;
    while (end < limit && data[end] !== 0) end++;
    if (end === limit) throw new BtfError(file, at, `string at offset ${off} is not NUL-terminated`);
    const s = decoder.decode(data.subarray(strStart + off, end));
    strCache.set(off, s);
    return s;
  };

  const types: (BtfType | undefined)[] = [undefined];
  const byName = new Map<string, number[]>();
  const end = typeStart + typeLen;
  let p = typeStart;
  const need = (n: number, what: string) => {
    if (p + n > end) throw new BtfError(file, p, `expected ${what} (${n} bytes), the type section ends at ${end}`);
  };
  const u32 = (o: number) => view.getUint32(o, le);
  const s32 = (o: number) => view.getInt32(o, le);

  while (p < end) {
    need(12, `type record ${types.length}`);
    const at = p;
    const nameOff = u32(p);
    const info = u32(p + 4);
    const sizeOrType = u32(p + 8);
    p += 12;
    const kindNo = (info >>> 24) & 0x1f;
    const kind = KINDS[kindNo];
    if (!kind) throw new BtfError(file, at + 4, `type ${types.length}: unknown kind ${kindNo}`);
    const vlen = info & 0xffff;
    const kindFlag = (info >>> 31) === 1;
    const t: BtfType = { id: types.length, kind, name: str(nameOff, at), kindFlag, fileOffset: at };
    switch (kind) {
      case 'INT': {
        need(4, 'INT encoding');
        const v = u32(p);
        p += 4;
        t.size = sizeOrType;
        t.int = { encoding: (v >>> 24) & 0x0f, offset: (v >>> 16) & 0xff, bits: v & 0xff };
        break;
      }
      case 'PTR': case 'TYPEDEF': case 'VOLATILE': case 'CONST': case 'RESTRICT': case 'TYPE_TAG':
        t.type = sizeOrType;
        break;
      case 'FWD':
        t.fwdUnion = kindFlag;
        break;
      case 'FUNC':
        t.type = sizeOrType;
        t.linkage = vlen;
        break;
      case 'FLOAT':
        t.size = sizeOrType;
        break;
      case 'ARRAY':
        need(12, 'btf_array');
        t.array = { type: u32(p), indexType: u32(p + 4), nelems: u32(p + 8) };
        p += 12;
        break;
      case 'STRUCT': case 'UNION': {
        need(12 * vlen, `${vlen} members`);
        t.size = sizeOrType;
        t.members = [];
        for (let i = 0; i < vlen; i++, p += 12) {
          const off = u32(p + 8);
          t.members.push({
            name: str(u32(p), p),
            type: u32(p + 4),
            bitOffset: kindFlag ? off & 0xffffff : off,
            bitfieldSize: kindFlag ? off >>> 24 : 0,
          });
        }
        break;
      }
      case 'ENUM': {
        need(8 * vlen, `${vlen} enumerators`);
        t.size = sizeOrType;
        t.values = [];
        for (let i = 0; i < vlen; i++, p += 8) {
          // kind_flag: signed values; otherwise unsigned.
          const v = kindFlag ? BigInt(s32(p + 4)) : BigInt(u32(p + 4));
          t.values.push({ name: str(u32(p), p), value: v });
        }
        break;
      }
      case 'ENUM64': {
        need(12 * vlen, `${vlen} enumerators`);
        t.size = sizeOrType;
        t.values = [];
        for (let i = 0; i < vlen; i++, p += 12) {
          const raw = (BigInt(u32(p + 8)) << 32n) | BigInt(u32(p + 4));
          t.values.push({ name: str(u32(p), p), value: kindFlag ? BigInt.asIntN(64, raw) : raw });
        }
        break;
      }
      case 'FUNC_PROTO': {
        need(8 * vlen, `${vlen} parameters`);
        t.type = sizeOrType;
        t.params = [];
        for (let i = 0; i < vlen; i++, p += 8) t.params.push({ name: str(u32(p), p), type: u32(p + 4) });
        break;
      }
      case 'VAR':
        need(4, 'btf_var');
        t.type = sizeOrType;
        t.linkage = u32(p);
        p += 4;
        break;
      case 'DATASEC': {
        need(12 * vlen, `${vlen} section entries`);
        t.size = sizeOrType;
        t.secinfo = [];
        for (let i = 0; i < vlen; i++, p += 12) t.secinfo.push({ type: u32(p), offset: u32(p + 4), size: u32(p + 8) });
        break;
      }
      case 'DECL_TAG':
        need(4, 'btf_decl_tag');
        t.type = sizeOrType;
        t.componentIdx = s32(p);
        p += 4;
        break;
    }
    if (t.name) {
      const l = byName.get(t.name);
      if (l) l.push(t.id);
      else byName.set(t.name, [t.id]);
    }
    types.push(t);
  }
  return { file, littleEndian: le, types, byName };
}
