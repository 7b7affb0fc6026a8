// An event's `print fmt` compiled once and rendered on demand (evidence lines, `parse
// --out`): the printf subset libtraceevent applies (`%d %u %x %lx %Lx %llx %hd %s %p %pS`,
// flags, width) over `REC->field`, `REC->array[i]`, C's integer operators (binary `|| &&
// | ^ & == != < > <= >= << >> + - * / %`, unary `! ~ -`, `?:`), `__get_str()`,
// `__print_symbolic()`, `__print_flags()`. Addresses printed with
// `%pS`/`%ps` resolve through the file's kallsyms, pointer `%s` through its printk formats.
// A format it cannot evaluate prints `field=value` pairs.
import { type EventFormat, type RawValue, fieldReader, readFields } from './format-file.ts';
import type { Symbols } from './kallsyms.ts';
import { isBlank } from './blank.ts';

type Expr =
  | { k: 'field'; name: string }
  | { k: 'index'; name: string; i: number }
  | { k: 'num'; v: bigint }
  | { k: 'str'; v: string }
  | { k: 'cond'; c: Expr; a: Expr; b: Expr }
  | { k: 'bin'; op: BinOp; a: Expr; b: Expr }
  | { k: 'unary'; op: '!' | '~' | '-'; e: Expr }
  | { k: 'symbolic'; e: Expr; map: Map<bigint, string>; byNumber: Map<number, string> }
  | { k: 'flags'; e: Expr; delim: string; map: [bigint, string][] };

interface Spec {
  flags: string;
  width: number;
  len: string;
  conv: string;
  /** `%pS` extension letter */
  ext: string;
}

type Piece = string | Spec;

export interface Lookups {
  symbols?: Symbols;
  printk?: Map<bigint, string>;
}

/** One print argument of a record (`b`, its view `v`, payload at `base`, `len` bytes) as the print fmt evaluates it. */
export type ArgReader = (b: Uint8Array, v: DataView, base: number, len: number) => RawValue | undefined;

export interface Renderer {
  /** The text of the record whose payload is `len` bytes at `base` in `b` (`v` its view). */
  render(b: Uint8Array, v: DataView, base: number, len: number, look: Lookups): string;
  /** The printf conversion of each `REC->field` argument (`x`, `d`, `u`, `s`, …). */
  convOf: Map<string, string>;
  /** The format string (unescaped) when the print fmt could be compiled, else undefined. */
  printf?: string;
  /** Its arguments, each compiled to a reader of the record's bytes (fields read by offset, symbols mapped). */
  args?: ArgReader[];
}

function unescape(s: string): string {
  return s.replace(/\\(n|t|"|\\)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

/** Splits `a, f(b, c), {1, "x,y"}` at top-level commas. */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = false;
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      cur += c;
      if (c === '\\') cur += s[++i] ?? '';
      else if (c === '"') quote = false;
      continue;
    }
    if (c === '"') quote = true;
    else if (c === '(' || c === '{') depth++;
    else if (c === ')' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** `c ? a : b` split at its top-level `?` and `:`, or undefined. */
function ternary(s: string): [string, string, string] | undefined {
  let depth = 0;
  let quote = false;
  let q = -1;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === '"') quote = false;
    } else if (ch === '"') quote = true;
    else if (ch === '(' || ch === '{') depth++;
    else if (ch === ')' || ch === '}') depth--;
    else if (depth === 0 && ch === '?' && q < 0) q = i;
    else if (depth === 0 && ch === ':' && q >= 0) return [s.slice(0, q), s.slice(q + 1, i), s.slice(i + 1)];
  }
  return undefined;
}

type BinOp = '||' | '&&' | '|' | '^' | '&' | '==' | '!=' | '<' | '>' | '<=' | '>=' | '<<' | '>>' | '+' | '-' | '*' | '/' | '%';

/** C's binary operators a print fmt may use (sched_switch's prev_state masks), lowest precedence first. */
const LEVELS: BinOp[][] = [['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '>', '<=', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];

const TWO_CHAR: readonly string[] = ['||', '&&', '==', '!=', '<=', '>=', '<<', '>>'];
/** After one of these (or at the start) a sign, `!` or `~` is unary. */
const BEFORE_UNARY = '|^&<>=!~+-*/%(';

/**
 * `a OP b` split at its last top-level operator of the lowest precedence present (C's
 * binary operators associate to the left), or undefined; a unary `*` or `&` (a pointer's
 * target, an address) is not evaluated (the format falls back to `field=value` pairs).
 */
function binary(s: string): [BinOp, string, string] | 'unsupported' | undefined {
  let depth = 0;
  let quote = false;
  const found: { op: BinOp; at: number }[] = [];
  let prev = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === '"') quote = false;
      continue;
    }
    if (ch === '"') quote = true;
    else if (ch === '(' || ch === '{' || ch === '[') depth++;
    else if (ch === ')' || ch === '}' || ch === ']') depth--;
    else if (depth === 0) {
      const two = s.slice(i, i + 2);
      if (two === '->') {
        i++;
        prev = '>';
        continue;
      }
      const unary = prev === '' || BEFORE_UNARY.includes(prev.slice(-1));
      if (TWO_CHAR.includes(two) && !unary) {
        found.push({ op: two as BinOp, at: i });
        i++;
        prev = two;
        continue;
      }
      if ('|^&<>+-*/%'.includes(ch)) {
        if (!unary) found.push({ op: ch as BinOp, at: i });
        else if (ch !== '-' && ch !== '+') return 'unsupported';
      }
    }
    if (!isBlank(ch.charCodeAt(0))) prev = ch;
  }
  for (const level of LEVELS) {
    const last = found.filter((f) => level.includes(f.op)).pop();
    if (last) return [last.op, s.slice(0, last.at), s.slice(last.at + last.op.length)];
  }
  return undefined;
}

function parseExpr(s: string): Expr | undefined {
  s = s.trim();
  const t = ternary(s);
  if (t) {
    const [c, a, b] = t.map(parseExpr);
    return c && a && b ? { k: 'cond', c, a, b } : undefined;
  }
  // A cast to a 64-bit integer changes no value here (x86_64 and arm64 kernels: long is 64 bits).
  const cast = /^\((?:unsigned |signed )?(?:long long|long|u64|s64)\)\s*(\S[\s\S]*)$/.exec(s);
  if (cast && !binary(cast[1]!) && !ternary(cast[1]!)) return parseExpr(cast[1]!);
  const bin = binary(s);
  if (bin === 'unsupported') return undefined;
  if (bin) {
    const a = parseExpr(bin[1]);
    const b = parseExpr(bin[2]);
    return a && b ? { k: 'bin', op: bin[0], a, b } : undefined;
  }
  // `!x`, `~x`, `-x` (a negative number literal is read below as one).
  const un = /^([!~-])\s*([\s\S]+)$/.exec(s);
  if (un && !/^-(0x[0-9a-f]+|\d+)$/i.test(s)) {
    const e = parseExpr(un[2]!);
    return e ? { k: 'unary', op: un[1] as '!' | '~' | '-', e } : undefined;
  }
  let m = /^REC->(\w+)$/.exec(s);
  if (m) return { k: 'field', name: m[1]! };
  // An element of an array field (raw_syscalls:sys_enter's `REC->args[0]`).
  m = /^REC->(\w+)\[(\d+)\]$/.exec(s);
  if (m) return { k: 'index', name: m[1]!, i: Number(m[2]) };
  m = /^__get_(?:str|dynamic_array|rel_str)\((\w+)\)$/.exec(s);
  if (m) return { k: 'field', name: m[1]! };
  if (/^-?(0x[0-9a-f]+|\d+)$/i.test(s)) return { k: 'num', v: BigInt(s) };
  m = /^"((?:[^"\\]|\\.)*)"$/.exec(s);
  if (m) return { k: 'str', v: unescape(m[1]!) };
  m = /^\((.*)\)$/s.exec(s);
  if (m) return parseExpr(m[1]!);
  m = /^__print_(symbolic|flags)\(([\s\S]*)\)$/.exec(s);
  if (m) {
    const parts = splitArgs(m[2]!);
    const e = parseExpr(parts[0] ?? '');
    if (!e) return undefined;
    const pairs: [bigint, string][] = [];
    const rest = m[1] === 'flags' ? parts.slice(2) : parts.slice(1);
    for (const p of rest) {
      const pm = symbolPair(p);
      if (!pm) return undefined;
      const key = parseExpr(pm[0]);
      if (!key || key.k !== 'num') return undefined;
      pairs.push([key.v, unescape(pm[1])]);
    }
    if (m[1] === 'symbolic') {
      // The same names by number: a field up to 32 bits is read as one, and needs no BigInt to look up.
      const byNumber = new Map(pairs.filter(([k]) => BigInt(Number(k)) === k).map(([k, v]) => [Number(k), v]));
      return { k: 'symbolic', e, map: new Map(pairs), byNumber };
    }
    const dm = /^"((?:[^"\\]|\\.)*)"$/.exec((parts[1] ?? '').trim());
    return { k: 'flags', e, delim: dm ? unescape(dm[1]!) : '|', map: pairs };
  }
  return undefined;
}

const isDigitCode = (c: number): boolean => c >= 48 && c <= 57;
const FLAG_CHARS = '-#0 +';
const CONVERSIONS = 'diouxXcsp%';

/**
 * The conversion spec at `fmt[at]` (a `%`): `%[flags][width][.prec][len]conv`, scanned
 * once (a regex with `0` both a flag and a width digit backtracks on `%000...`).
 * Flags are taken greedily and the width after them, as C's printf reads them.
 */
function specAt(fmt: string, at: number): { flags: string; width: string; len: string; conv: string; end: number } | undefined {
  let i = at + 1;
  while (i < fmt.length && FLAG_CHARS.includes(fmt[i]!)) i++;
  const flags = fmt.slice(at + 1, i);
  const w0 = i;
  while (i < fmt.length && isDigitCode(fmt.charCodeAt(i))) i++;
  const width = fmt.slice(w0, i);
  if (fmt[i] === '.' && isDigitCode(fmt.charCodeAt(i + 1))) {
    i++;
    while (i < fmt.length && isDigitCode(fmt.charCodeAt(i))) i++;
  }
  let len = '';
  for (const l of ['hh', 'll', 'h', 'l', 'L', 'z', 'j', 't']) {
    if (fmt.startsWith(l, i) && CONVERSIONS.includes(fmt[i + l.length] ?? '\0')) {
      len = l;
      break;
    }
  }
  i += len.length;
  const conv = fmt[i];
  if (conv === undefined || !CONVERSIONS.includes(conv)) return undefined;
  return { flags, width, len, conv, end: i + 1 };
}

/** `{ KEY, "text" }` of a __print_symbolic/__print_flags list: key and raw text, by one scan. */
export function symbolPair(p: string): [string, string] | undefined {
  const t = p;
  if (t[0] !== '{' || t[t.length - 1] !== '}') return undefined;
  const s = t.slice(1, -1).trimEnd();
  const last = s.length - 1;
  if (s[last] !== '"') return undefined;
  // stop[k]: where a string body read from k ends (its closing quote), -1 if it runs out.
  const stop = new Int32Array(s.length + 2).fill(-1);
  for (let k = last; k >= 0; k--) stop[k] = s[k] === '"' ? k : s[k] === '\\' ? (k + 2 <= last ? stop[k + 2]! : -1) : stop[k + 1]!;
  let firstKey = 0;
  while (firstKey < s.length && isBlank(s.charCodeAt(firstKey))) firstKey++;
  for (let c = s.indexOf(','); c >= 0; c = s.indexOf(',', c + 1)) {
    if (c <= firstKey) continue;
    let q = c + 1;
    while (q < s.length && isBlank(s.charCodeAt(q))) q++;
    if (s[q] === '"' && q < last && stop[q + 1] === last) return [s.slice(firstKey, c).trimEnd(), s.slice(q + 1, last)];
  }
  return undefined;
}

export function parsePieces(fmt: string): Piece[] {
  const out: Piece[] = [];
  let last = 0;
  for (let at = fmt.indexOf('%'); at >= 0; at = fmt.indexOf('%', at)) {
    const m = specAt(fmt, at);
    if (!m) {
      at++;
      continue;
    }
    if (at > last) out.push(fmt.slice(last, at));
    let end = m.end;
    if (m.conv === '%') out.push('%');
    else {
      let ext = '';
      // Only the symbol extensions take letters; `%p,` and `%p ` stay plain pointers.
      if (m.conv === 'p' && /^[sSfFB]/.test(fmt[end] ?? '')) {
        ext = fmt[end]!;
        end += 1;
      }
      out.push({ flags: m.flags, width: m.width ? Number(m.width) : 0, len: m.len, conv: m.conv, ext });
    }
    last = at = end;
  }
  if (last < fmt.length) out.push(fmt.slice(last));
  return out;
}

function toBig(v: RawValue | undefined): bigint | undefined {
  if (typeof v === 'number') return BigInt(v);
  if (typeof v === 'bigint') return v;
  return undefined;
}

function bits(len: string): number {
  return len === 'hh' ? 8 : len === 'h' ? 16 : len === '' ? 32 : 64;
}

function pad(s: string, spec: Spec, numeric: boolean): string {
  if (s.length >= spec.width) return s;
  if (spec.flags.includes('-')) return s.padEnd(spec.width);
  if (numeric && spec.flags.includes('0')) {
    const sign = s.startsWith('-') ? '-' : s.startsWith('0x') ? '0x' : '';
    return sign + s.slice(sign.length).padStart(spec.width - sign.length, '0');
  }
  return s.padStart(spec.width);
}

function hex(v: bigint): string {
  return v.toString(16);
}

function formatOne(spec: Spec, v: RawValue | string | undefined, look: Lookups): string {
  switch (spec.conv) {
    case 's': {
      if (typeof v === 'string') return pad(v, spec, false);
      const p = toBig(v);
      if (p === undefined) return '';
      const s = look.printk?.get(BigInt.asUintN(64, p));
      return pad(s ?? `0x${hex(BigInt.asUintN(64, p))}`, spec, false);
    }
    case 'c': {
      const p = toBig(v as RawValue);
      return pad(p === undefined ? '' : String.fromCharCode(Number(BigInt.asUintN(8, p))), spec, false);
    }
    case 'p': {
      const p = toBig(v as RawValue);
      if (p === undefined) return String(v ?? '');
      const addr = BigInt.asUintN(64, p);
      if (spec.ext && look.symbols) {
        const s = look.symbols.lookup(addr);
        if (s) {
          const mod = s.module ? ` [${s.module}]` : '';
          return spec.ext === 's' || spec.ext === 'f' ? `${s.name}${mod}` : `${s.name}+0x${hex(s.offset)}${mod}`;
        }
      }
      return pad(`0x${hex(addr)}`, spec, true);
    }
    default: {
      if (Array.isArray(v) || v instanceof Uint8Array) return `{${[...v].map(String).join(',')}}`;
      if (typeof v === 'string') return v;
      const p = toBig(v);
      if (p === undefined) return '';
      const n = bits(spec.len);
      if (spec.conv === 'd' || spec.conv === 'i') return pad(BigInt.asIntN(n, p).toString(), spec, true);
      const u = BigInt.asUintN(n, p);
      if (spec.conv === 'u') return pad(u.toString(), spec, true);
      if (spec.conv === 'o') return pad(u.toString(8), spec, true);
      let s = hex(u);
      if (spec.conv === 'X') s = s.toUpperCase();
      if (spec.flags.includes('#') && u !== 0n) s = `0x${s}`;
      return pad(s, spec, true);
    }
  }
}

/** C's value of `x OP y` for the integer operators (comparisons give 1 or 0); undefined where C's is undefined (a division by zero). */
function arith(op: BinOp, x: RawValue | undefined, y: RawValue | undefined): bigint | undefined {
  const a = toBig(x);
  const b = toBig(y);
  if (a === undefined || b === undefined) return undefined;
  switch (op) {
    case '||': return a !== 0n || b !== 0n ? 1n : 0n;
    case '&&': return a !== 0n && b !== 0n ? 1n : 0n;
    case '==': return a === b ? 1n : 0n;
    case '!=': return a !== b ? 1n : 0n;
    case '<': return a < b ? 1n : 0n;
    case '>': return a > b ? 1n : 0n;
    case '<=': return a <= b ? 1n : 0n;
    case '>=': return a >= b ? 1n : 0n;
    case '/': return b === 0n ? undefined : a / b;
    case '%': return b === 0n ? undefined : a % b;
    case '|': return a | b;
    case '^': return a ^ b;
    case '&': return a & b;
    case '<<': return a << b;
    case '>>': return a >> b;
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
  }
}

function element(v: RawValue | undefined, i: number): RawValue | undefined {
  return Array.isArray(v) || v instanceof Uint8Array ? v[i] : undefined;
}

const truthy = (c: RawValue | undefined): boolean => (typeof c === 'string' ? c.length > 0 : toBig(c as RawValue) !== 0n && c !== undefined);

function symbolic(e: Extract<Expr, { k: 'symbolic' }>, x: RawValue | undefined): string | undefined {
  if (typeof x === 'number') {
    const name = e.byNumber.get(x);
    if (name !== undefined) return name;
  }
  const v = toBig(x);
  if (v === undefined) return undefined;
  return e.map.get(v) ?? `0x${hex(BigInt.asUintN(64, v))}`;
}

function flags(e: Extract<Expr, { k: 'flags' }>, x: RawValue | undefined): string | undefined {
  let v = toBig(x);
  if (v === undefined) return undefined;
  const names: string[] = [];
  for (const [bit, name] of e.map) {
    if (bit === 0n ? v === 0n : (v & bit) === bit) {
      names.push(name);
      v &= ~bit;
    }
  }
  if (v !== 0n) names.push(`0x${hex(v)}`);
  return names.join(e.delim);
}

/** `e` compiled to a reader of the record's bytes: the one evaluation of a print argument (fields read by offset). */
function compileArg(e: Expr, fmt: EventFormat): ArgReader {
  switch (e.k) {
    case 'field': {
      const f = fmt.field(e.name);
      return f ? fieldReader(f) : () => undefined;
    }
    case 'index': {
      const f = fmt.field(e.name);
      if (!f) return () => undefined;
      const read = fieldReader(f);
      const i = e.i;
      return (b, v, base, len) => element(read(b, v, base, len), i);
    }
    case 'num': {
      const v = e.v;
      return () => v;
    }
    case 'str': {
      const v = e.v;
      return () => v;
    }
    case 'cond': {
      const c = compileArg(e.c, fmt);
      const a = compileArg(e.a, fmt);
      const b = compileArg(e.b, fmt);
      return (bytes, v, base, len) => (truthy(c(bytes, v, base, len)) ? a : b)(bytes, v, base, len);
    }
    case 'bin': {
      const a = compileArg(e.a, fmt);
      const b = compileArg(e.b, fmt);
      const op = e.op;
      // C evaluates the right side of `||` and `&&` only when the left does not decide.
      if (op === '||' || op === '&&') {
        return (bytes, v, base, len) => {
          const x = toBig(a(bytes, v, base, len));
          if (x === undefined) return undefined;
          if ((op === '||') === (x !== 0n)) return op === '||' ? 1n : 0n;
          return arith(op, x, b(bytes, v, base, len));
        };
      }
      return (bytes, v, base, len) => arith(op, a(bytes, v, base, len), b(bytes, v, base, len));
    }
    case 'unary': {
      const inner = compileArg(e.e, fmt);
      const op = e.op;
      return (b, v, base, len) => {
        const x = toBig(inner(b, v, base, len));
        if (x === undefined) return undefined;
        return op === '!' ? (x === 0n ? 1n : 0n) : op === '~' ? ~x : -x;
      };
    }
    case 'symbolic': {
      const inner = compileArg(e.e, fmt);
      return (b, v, base, len) => symbolic(e, inner(b, v, base, len));
    }
    case 'flags': {
      const inner = compileArg(e.e, fmt);
      return (b, v, base, len) => flags(e, inner(b, v, base, len));
    }
  }
}

/** `name=value` pairs: what an event whose print fmt cannot be evaluated prints. */
function fallback(fmt: EventFormat, b: Uint8Array, base: number, len: number): string {
  const values = readFields(fmt, b, base, len);
  return fmt.fields.map((f) => {
    const v = values.get(f.name);
    const s = typeof v === 'bigint' ? `0x${hex(BigInt.asUintN(64, v))}` : Array.isArray(v) || v instanceof Uint8Array ? `{${[...v].join(',')}}` : String(v ?? '');
    return `${f.name}=${s}`;
  }).join(' ');
}

export function compilePrintFmt(fmt: EventFormat): Renderer {
  const convOf = new Map<string, string>();
  const text = fmt.printFmt.trim();
  const q = text.startsWith('"') ? findClose(text) : -1;
  if (q < 0) return { render: (b, _v, base, len) => fallback(fmt, b, base, len), convOf };
  const printf = unescape(text.slice(1, q));
  const pieces = parsePieces(printf);
  const rest = text.slice(q + 1).trim().replace(/^,/, '');
  const args = splitArgs(rest).map(parseExpr);
  const specs = pieces.filter((p): p is Spec => typeof p !== 'string');
  if (args.some((a) => a === undefined) || args.length !== specs.length) return { render: (b, _v, base, len) => fallback(fmt, b, base, len), convOf };
  specs.forEach((s, i) => {
    const a = args[i]!;
    if (a.k === 'field') convOf.set(a.name, s.conv === 'p' ? 'x' : s.conv);
  });
  const compiled = args.map((a) => compileArg(a!, fmt));
  return {
    convOf,
    printf,
    args: compiled,
    render(b, v, base, len, look) {
      let out = '';
      let i = 0;
      for (const p of pieces) {
        if (typeof p === 'string') out += p;
        else out += formatOne(p, compiled[i++]!(b, v, base, len), look);
      }
      return out;
    },
  };
}

function findClose(s: string): number {
  for (let i = 1; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return i;
  }
  return -1;
}
