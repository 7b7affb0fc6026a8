// Generic kprobe decoder: the site (see kprobe-site.ts), then the arguments. With the
// event's definition the arguments are read in its order and typed by its type suffixes,
// and the probed function comes from the definition, so tracefs (symbols) and
// trace-cmd/perf (raw addresses) give the same fields. Without one, values are guessed.
import type { Fields, FieldValue } from '../types/event.ts';
import type { KprobeDef } from '../types/kprobe.ts';
import { normHex } from './decoder.ts';
import { isDecimal, isHex, unquote, wide } from './fields.ts';
import { guessValue } from './generic.ts';
import { parseKprobeSite } from './kprobe-site.ts';

export function looksLikeKprobe(text: string): boolean {
  return parseKprobeSite(text) !== undefined;
}

const STRING_TYPES = new Set(['string', 'ustring', 'symstr']);

// The arguments follow the definition: ` name=value` each, in order. A string value is
// free text (`"a b="c"`), so it ends at the last `" next=` that lets the rest match; the
// search is bounded (MAX_TRIES) so a crafted line costs linear time, never n^k.
const MAX_TRIES = 16;
const SYMBOL_MODULE = / \[[\w-]+\]/y;
const TRAILING_BLANKS = /\s*$/y;

/** What `\s` matches (ECMAScript WhiteSpace and LineTerminator), by code unit: runs per byte of every probe line. */
function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

function nonSpaceEnd(s: string, from: number): number {
  let i = from;
  while (i < s.length && !isSpace(s.charCodeAt(i))) i++;
  return i;
}

/** Where each argument's value ends, trying a string's possible ends from the last. */
function argValues(rest: string, def: KprobeDef): string[] | undefined {
  const values: string[] = [];
  const lastSep: (number | undefined)[] = [];
  let tries = 0;
  const at = (i: number, pos: number): boolean => {
    if (i === def.args.length) {
      TRAILING_BLANKS.lastIndex = pos;
      TRAILING_BLANKS.exec(rest);
      return TRAILING_BLANKS.lastIndex === rest.length;
    }
    if (++tries > MAX_TRIES * def.args.length) return false;
    const arg = def.args[i]!;
    const lead = ` ${arg.name}=`;
    if (!rest.startsWith(lead, pos)) return false;
    const v = pos + lead.length;
    const take = (end: number): boolean => {
      values[i] = rest.slice(v, end);
      return at(i + 1, end);
    };
    const type = arg.type;
    if (type && STRING_TYPES.has(type)) {
      if (rest.startsWith('(fault)', v)) return take(v + 7);
      if (rest[v] !== '"') return false;
      if (i === def.args.length - 1) {
        const end = rest.trimEnd().length;
        return end > v + 1 && rest[end - 1] === '"' && take(end);
      }
      const next = `" ${def.args[i + 1]!.name}=`;
      // The last separator does not depend on where this value starts: found once.
      let last = lastSep[i];
      if (last === undefined) last = lastSep[i] = rest.lastIndexOf(next);
      let n = 0;
      for (let q = last; q > v && n < MAX_TRIES; q = rest.lastIndexOf(next, q - 1), n++) {
        if (take(q + 1)) return true;
      }
      return false;
    }
    // `'%c'` (possibly a blank) first, as printed for char.
    if (type === 'char' && rest[v] === "'" && rest[v + 2] === "'" && take(v + 3)) return true;
    const word = nonSpaceEnd(rest, v);
    if (word === v) return false;
    if (type === 'symbol') {
      SYMBOL_MODULE.lastIndex = word;
      if (SYMBOL_MODULE.test(rest) && take(SYMBOL_MODULE.lastIndex)) return true;
    }
    return take(word);
  };
  return at(0, 0) ? values : undefined;
}

// x64, s32, u8 (optionally an array, `x8[4]`, printed `{0x1,0x2,…}`)
const SIZED = /^([usx])(?:8|16|32|64)$/;

/** How a printed value is typed, from its definition's type suffix. */
type Kind = 'untyped' | 'string' | 'hex' | 'decimal' | 'printed';

function kindOf(type: string | undefined): Kind {
  if (type === undefined) return 'untyped';
  if (STRING_TYPES.has(type)) return 'string';
  const m = SIZED.exec(type);
  if (m) return m[1] === 'x' ? 'hex' : 'decimal';
  if (type.startsWith('b')) return 'decimal';
  // symbol, char, %pd/%pD, arrays: kept as printed
  return 'printed';
}

/** A definition read once for every line of its event: each argument's kind, and whether each value is one word. */
interface Plan {
  kinds: Kind[];
  leads: string[];
  /** No string, char or symbol argument: every value ends at the next blank, no other end to try. */
  words: boolean;
}

const plans = new WeakMap<KprobeDef, Plan>();

function planOf(def: KprobeDef): Plan {
  let p = plans.get(def);
  if (!p) {
    const kinds = def.args.map((a) => kindOf(a.type));
    const words = def.args.every((a, i) => kinds[i] !== 'string' && a.type !== 'char' && a.type !== 'symbol');
    plans.set(def, (p = { kinds, leads: def.args.map((a) => ` ${a.name}=`), words }));
  }
  return p;
}

/** A printed value typed by its kind; undefined when it does not have that kind's shape. */
function typedValue(v: string, kind: Kind): FieldValue | undefined {
  switch (kind) {
    case 'untyped':
    case 'hex':
      return isHex(v) ? normHex(v) : undefined;
    case 'string':
      return v === '(fault)' ? null : unquote(v);
    case 'decimal':
      return isDecimal(v) ? wide(v) : undefined;
    default:
      return v;
  }
}

/** The values of a definition whose values are single words: one pass, nothing to try again. */
function wordValues(rest: string, plan: Plan): string[] | undefined {
  const values: string[] = [];
  let pos = 0;
  for (const lead of plan.leads) {
    if (!rest.startsWith(lead, pos)) return undefined;
    const v = pos + lead.length;
    pos = nonSpaceEnd(rest, v);
    if (pos === v) return undefined;
    values.push(rest.slice(v, pos));
  }
  TRAILING_BLANKS.lastIndex = pos;
  TRAILING_BLANKS.exec(rest);
  return TRAILING_BLANKS.lastIndex === rest.length ? values : undefined;
}

/** The fields `decodeKprobe` takes from the site. */
const SITE_FIELDS = new Set(['probe_func', 'probe_offset', 'probe_module', 'probe_addr', 'is_return', 'ret_site']);

/** The arguments into `f` (after the site's fields, which win over an argument of the same name); false if they do not fit `def`. */
function definedArgs(rest: string, def: KprobeDef, f: Fields): boolean {
  const plan = planOf(def);
  const values = plan.words ? wordValues(rest, plan) : argValues(rest, def);
  if (!values) return false;
  for (let i = 0; i < def.args.length; i++) {
    const v = typedValue(values[i]!, plan.kinds[i]!);
    if (v === undefined) return false;
    const name = def.args[i]!.name;
    // `__proto__` would set the object's prototype, not a field; of two arguments of one name the later is kept.
    if (name !== '__proto__' && !(SITE_FIELDS.has(name) && Object.hasOwn(f, name))) f[name] = v;
  }
  return true;
}

// ` ret=-11`, ` name="a b"`
const ARG = / ([A-Za-z_]\w*)=("[^"]*"|\S+)/y;

function guessedArgs(rest: string): Fields | undefined {
  const f: Fields = {};
  ARG.lastIndex = 0;
  let m: RegExpExecArray | null;
  let at = 0;
  while ((m = ARG.exec(rest))) {
    if (m[1] !== '__proto__') f[m[1]!] = guessValue(m[2]!);
    at = ARG.lastIndex;
  }
  return rest.slice(at).trim() === '' ? f : undefined;
}

/** Fields of a kprobe event; undefined when the text has no site or does not fit `def`. */
export function decodeKprobe(text: string, def?: KprobeDef): Fields | undefined {
  const site = parseKprobeSite(text);
  if (!site) return undefined;
  const rest = text.slice(site.end);
  const f: Fields = {
    probe_func: def ? def.func : (site.func ?? site.addr!),
    probe_offset: def ? def.offset : site.isReturn ? 0 : (site.offset ?? null),
  };
  const module = def ? def.module : site.module;
  if (module !== undefined) f.probe_module = module;
  if (site.addr !== undefined) f.probe_addr = site.addr;
  f.is_return = site.isReturn;
  if (site.retSite !== undefined) f.ret_site = site.retSite;
  if (def) return definedArgs(rest, def, f) ? f : undefined;
  const args = guessedArgs(rest);
  if (!args) return undefined;
  // Site fields win over an argument that happens to share a name.
  for (const [k, v] of Object.entries(args)) if (!Object.hasOwn(f, k)) f[k] = v;
  return f;
}
