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

/** Printed shape of one argument's value, by type. */
function valuePattern(type: string | undefined): string {
  if (type && STRING_TYPES.has(type)) return '".*"|\\(fault\\)';
  // `%pS`: sym+0x0/0x10 [mod]
  if (type === 'symbol') return '\\S+(?: \\[[\\w-]+\\])?';
  // `'%c'`, possibly a blank
  if (type === 'char') return "'.'|\\S+";
  return '\\S+';
}

const ARGS_RE = new WeakMap<KprobeDef, RegExp>();

// ` range=0xffffd508c0107d90 mm=0xffff8de141060480 ... event=0`: one group per argument.
function argsRegExp(def: KprobeDef): RegExp {
  let re = ARGS_RE.get(def);
  if (!re) {
    const body = def.args.map((a) => ` ${a.name.replace(/\W/g, '\\$&')}=(${valuePattern(a.type)})`).join('');
    re = new RegExp(`^${body}\\s*$`, 's');
    ARGS_RE.set(def, re);
  }
  return re;
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
  const m = argsRegExp(def).exec(rest);
  if (!m) return undefined;
  const f: Fields = {};
  for (let i = 0; i < def.args.length; i++) {
    const arg = def.args[i]!;
    const v = typedValue(m[i + 1]!, arg);
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
