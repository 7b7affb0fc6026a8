// The tracefs event format file (`events/<system>/<name>/format`), parsed once per event,
// and a decoder compiled from it: each field's offset, size, signedness and kind, so a
// binary record is read without parsing any text. trace.dat and perf.data carry these files.
//
//   name: mark_victim
//   ID: 511
//   format:
//   	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
//   	field:__data_loc char[] comm;	offset:12;	size:4;	signed:0;
//   print fmt: "pid=%d comm=%s …", REC->pid, __get_str(comm), …

export type FieldKind = 'int' | 'chars' | 'array' | 'dataloc' | 'relloc';

export interface FieldDef {
  /** The C declaration without the trailing `;`. */
  decl: string;
  name: string;
  offset: number;
  size: number;
  signed: boolean;
  kind: FieldKind;
  /** Element size of an array (`unsigned long args[6]` → 8). */
  elemSize: number;
  /** A char array or a `__data_loc char[]`: read as a string up to its NUL. */
  isString: boolean;
}

export interface EventFormat {
  system: string;
  name: string;
  /** `system:name` */
  full: string;
  id: number;
  common: FieldDef[];
  fields: FieldDef[];
  /** The text after `print fmt: ` (may span lines). */
  printFmt: string;
  field(name: string): FieldDef | undefined;
}

const FIELD_LINE = /^\s*field:(.*?);\s*offset:(\d+);\s*size:(\d+);(?:\s*signed:(\d+);)?/;

function fieldDef(decl: string, offset: number, size: number, signed: boolean): FieldDef {
  const d = decl.trim();
  const dyn = d.startsWith('__data_loc') ? 'dataloc' : d.startsWith('__rel_loc') ? 'relloc' : undefined;
  // The name is the last identifier, before any `[N]`.
  const m = /([A-Za-z_]\w*)\s*(\[[^\]]*\])?\s*$/.exec(d);
  const name = m ? m[1]! : d;
  const isChar = /\bchar\b/.test(d) && !d.includes('*');
  if (dyn) return { decl: d, name, offset, size, signed, kind: dyn, elemSize: 1, isString: isChar };
  const arr = m?.[2];
  if (arr) {
    const n = Number(arr.slice(1, -1));
    if (isChar) return { decl: d, name, offset, size, signed, kind: 'chars', elemSize: 1, isString: true };
    const elemSize = n > 0 ? size / n : size;
    return { decl: d, name, offset, size, signed, kind: 'array', elemSize, isString: false };
  }
  return { decl: d, name, offset, size, signed, kind: 'int', elemSize: size, isString: false };
}

/** Parses one format file; undefined when it has no name or ID. */
export function parseFormatFile(text: string, system: string): EventFormat | undefined {
  let name: string | undefined;
  let id: number | undefined;
  const common: FieldDef[] = [];
  const fields: FieldDef[] = [];
  let inCommon = true;
  let printFmt = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('name: ')) name = line.slice(6).trim();
    else if (line.startsWith('ID: ')) id = Number(line.slice(4).trim());
    else if (line.startsWith('print fmt: ')) {
      printFmt = [line.slice(11), ...lines.slice(i + 1)].join('\n').replace(/\s+$/, '');
      break;
    } else {
      const m = FIELD_LINE.exec(line);
      if (m) {
        const f = fieldDef(m[1]!, Number(m[2]), Number(m[3]), m[4] === '1');
        (inCommon && f.name.startsWith('common_') ? common : fields).push(f);
        if (!f.name.startsWith('common_')) inCommon = false;
      } else if (line.trim() === '' && common.length > 0) inCommon = false;
    }
  }
  if (name === undefined || id === undefined || !Number.isInteger(id)) return undefined;
  const byName = new Map<string, FieldDef>();
  for (const f of [...common, ...fields]) byName.set(f.name, f);
  return { system, name, full: `${system}:${name}`, id, common, fields, printFmt, field: (n) => byName.get(n) };
}

/** A field's value: numbers up to 32 bits, bigints for 64-bit words, strings for char data, arrays raw. */
export type RawValue = number | bigint | string | Uint8Array | (number | bigint)[];

const utf8 = new TextDecoder('utf-8');

function cString(b: Uint8Array, start: number, end: number): string {
  let e = start;
  while (e < end && b[e] !== 0) e++;
  return utf8.decode(b.subarray(start, e));
}

/** Reads one field of the record at `base` (its payload `len` bytes) from `b` and its view `v`. */
export type FieldReader = (b: Uint8Array, v: DataView, base: number, len: number) => RawValue | undefined;

function intReader(at: number, size: number, signed: boolean, le: boolean): (v: DataView, p: number) => number | bigint {
  switch (size) {
    case 1: return signed ? (v, p) => v.getInt8(p + at) : (v, p) => v.getUint8(p + at);
    case 2: return signed ? (v, p) => v.getInt16(p + at, le) : (v, p) => v.getUint16(p + at, le);
    case 4: return signed ? (v, p) => v.getInt32(p + at, le) : (v, p) => v.getUint32(p + at, le);
    case 8: return signed ? (v, p) => v.getBigInt64(p + at, le) : (v, p) => v.getBigUint64(p + at, le);
    default: return () => 0;
  }
}

/** A reader for one field, compiled from its offset, size, signedness and kind: no text is parsed per record. */
export function compileField(f: FieldDef, le = true): FieldReader {
  const { offset, size } = f;
  const end = offset + size;
  switch (f.kind) {
    case 'int': {
      const r = intReader(offset, size, f.signed, le);
      return (_b, v, base, len) => (end > len ? undefined : r(v, base));
    }
    case 'chars':
      return (b, _v, base, len) => (end > len ? undefined : cString(b, base + offset, base + end));
    case 'array': {
      const elems: ((v: DataView, p: number) => number | bigint)[] = [];
      for (let o = 0; o + f.elemSize <= size; o += f.elemSize) elems.push(intReader(offset + o, f.elemSize, f.signed, le));
      return (_b, v, base, len) => (end > len ? undefined : elems.map((r) => r(v, base)));
    }
    case 'dataloc':
    case 'relloc': {
      const rel = f.kind === 'relloc' ? offset + 4 : 0;
      const isString = f.isString;
      return (b, v, base, len) => {
        if (end > len) return undefined;
        const word = v.getUint32(base + offset, le);
        const off = (word & 0xffff) + rel;
        const n = word >>> 16;
        if (off + n > len) return undefined;
        return isString ? cString(b, base + off, base + off + n) : b.slice(base + off, base + off + n);
      };
    }
  }
}

const compiled = new WeakMap<FieldDef, FieldReader>();
const compiledBig = new WeakMap<FieldDef, FieldReader>();

/** The compiled reader of `f` (compiled once per field and byte order). */
export function fieldReader(f: FieldDef, le = true): FieldReader {
  const cache = le ? compiled : compiledBig;
  let r = cache.get(f);
  if (!r) cache.set(f, (r = compileField(f, le)));
  return r;
}

/** One field of the record whose payload is `b[base, base + len)`; undefined when it lies outside. */
export function readField(f: FieldDef, b: Uint8Array, base: number, len: number, le = true): RawValue | undefined {
  return fieldReader(f, le)(b, new DataView(b.buffer, b.byteOffset, b.byteLength), base, len);
}

/** Reads the (non-common) fields of one record by name. */
export function readFields(fmt: EventFormat, b: Uint8Array, base: number, len: number, le = true): Map<string, RawValue> {
  const out = new Map<string, RawValue>();
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (const f of fmt.fields) {
    const v = fieldReader(f, le)(b, view, base, len);
    if (v !== undefined) out.set(f.name, v);
  }
  return out;
}

