// Generic kprobe decoder: the site (see kprobe-site.ts), then the arguments. With the
// event's definition the arguments are read in its order and typed by its type suffixes,
// and the probed function comes from the definition, so tracefs (symbols) and
// trace-cmd/perf (raw addresses) give the same fields. Without one, values are guessed.
import type { Fields, FieldValue } from '../types/event.ts';
import type { KprobeArg, KprobeDef } from '../types/kprobe.ts';
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

function nonSpaceEnd(s: string, from: number): number {
  let i = from;
  while (i < s.length && !/\s/.test(s[i]!)) i++;
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

/** A printed value typed by its definition; undefined when it does not have that type's shape. */
function typedValue(v: string, arg: KprobeArg): FieldValue | undefined {
  const type = arg.type;
  if (type === undefined) return isHex(v) ? normHex(v) : undefined;
  if (STRING_TYPES.has(type)) return v === '(fault)' ? null : unquote(v);
  const m = SIZED.exec(type);
  if (m) {
    if (m[1] === 'x') return isHex(v) ? normHex(v) : undefined;
    return isDecimal(v) ? wide(v) : undefined;
  }
  if (type.startsWith('b')) return isDecimal(v) ? wide(v) : undefined;
  // symbol, char, %pd/%pD, arrays: kept as printed
  return v;
}

function definedArgs(rest: string, def: KprobeDef): Fields | undefined {
  const values = argValues(rest, def);
  if (!values) return undefined;
  const f: Fields = {};
  for (let i = 0; i < def.args.length; i++) {
    const arg = def.args[i]!;
    const v = typedValue(values[i]!, arg);
    if (v === undefined) return undefined;
    f[arg.name] = v;
  }
  return f;
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
  const args = def ? definedArgs(rest, def) : guessedArgs(rest);
  if (!args) return undefined;
  const f: Fields = {
    probe_func: def ? def.func : (site.func ?? site.addr!),
    probe_offset: def ? def.offset : site.isReturn ? 0 : (site.offset ?? null),
  };
  const module = def ? def.module : site.module;
  if (module !== undefined) f.probe_module = module;
  if (site.addr !== undefined) f.probe_addr = site.addr;
  f.is_return = site.isReturn;
  if (site.retSite !== undefined) f.ret_site = site.retSite;
  // Site fields win over an argument that happens to share a name.
  for (const [k, v] of Object.entries(args)) if (!Object.hasOwn(f, k)) f[k] = v;
  return f;
}
