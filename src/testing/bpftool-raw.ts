// Test helper: one type in the text of `bpftool btf dump file F format raw`, so the reader can
// be compared with bpftool line for line.
import type { Btf, BtfType } from '../../parsers/btf/read.ts';

const LINKAGE = ['static', 'global', 'extern'];
const nm = (s: string) => `'${s || '(anon)'}'`;

function intEncoding(e: number): string {
  if (e & 1) return 'SIGNED';
  if (e & 2) return 'CHAR';
  if (e & 4) return 'BOOL';
  return '(none)';
}

export function bpftoolRaw(btf: Btf, t: BtfType): string {
  const head = `[${t.id}] ${t.kind} ${nm(t.name)}`;
  switch (t.kind) {
    case 'INT':
      return `${head} size=${t.size} bits_offset=${t.int!.offset} nr_bits=${t.int!.bits} encoding=${intEncoding(t.int!.encoding)}`;
    case 'PTR': case 'CONST': case 'VOLATILE': case 'RESTRICT': case 'TYPEDEF': case 'TYPE_TAG':
      return `${head} type_id=${t.type}`;
    case 'ARRAY':
      return `${head} type_id=${t.array!.type} index_type_id=${t.array!.indexType} nr_elems=${t.array!.nelems}`;
    case 'STRUCT': case 'UNION':
      return [`${head} size=${t.size} vlen=${t.members!.length}`,
        ...t.members!.map((m) => `\t${nm(m.name)} type_id=${m.type} bits_offset=${m.bitOffset}${m.bitfieldSize ? ` bitfield_size=${m.bitfieldSize}` : ''}`)].join('\n');
    case 'ENUM': case 'ENUM64': {
      const suffix = t.kind === 'ENUM64' ? (t.kindFlag ? 'LL' : 'ULL') : '';
      return [`${head} encoding=${t.kindFlag ? 'SIGNED' : 'UNSIGNED'} size=${t.size} vlen=${t.values!.length}`,
        ...t.values!.map((v) => `\t${nm(v.name)} val=${v.value}${suffix}`)].join('\n');
    }
    case 'FWD':
      return `${head} fwd_kind=${t.fwdUnion ? 'union' : 'struct'}`;
    case 'FUNC':
      return `${head} type_id=${t.type} linkage=${LINKAGE[t.linkage!] ?? t.linkage}`;
    case 'FUNC_PROTO':
      return [`${head} ret_type_id=${t.type} vlen=${t.params!.length}`, ...t.params!.map((p) => `\t${nm(p.name)} type_id=${p.type}`)].join('\n');
    case 'VAR':
      return `${head} type_id=${t.type}, linkage=${LINKAGE[t.linkage!] ?? t.linkage}`;
    case 'DATASEC':
      return [`${head} size=${t.size} vlen=${t.secinfo!.length}`,
        ...t.secinfo!.map((s) => {
          const v = btf.types[s.type];
          return `\ttype_id=${s.type} offset=${s.offset} size=${s.size}${v ? ` (${v.kind} ${nm(v.name)})` : ''}`;
        })].join('\n');
    case 'FLOAT':
      return `${head} size=${t.size}`;
    case 'DECL_TAG':
      return `${head} type_id=${t.type} component_idx=${t.componentIdx}`;
  }
}
