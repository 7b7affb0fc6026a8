// /proc/kallsyms as a trace.dat stores it, resolved the way libtraceevent does: absolute
// symbols (`A`/`a`) and `$` names skipped, the greatest address ≤ the target wins.
export interface Symbol {
  name: string;
  offset: bigint;
  module?: string;
}

export interface Symbols {
  lookup(addr: bigint): Symbol | undefined;
}

/** A lower-case hex digit's value, else -1 (kallsyms prints addresses in lower case). */
const hexValue = (c: number): number => (c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1);

/**
 * Lines `ffffffff81000000 T _text` or `… t name\t[module]`, scanned as bytes in one pass,
 * without a regex, a string or a bigint per line (a kernel has ~100k symbols and usually a
 * few are looked up): each address is kept as two 32-bit halves, the name and module are
 * read at lookup.
 */
export function parseKallsyms(bytes: Uint8Array): Symbols {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const hi: number[] = [];
  const lo: number[] = [];
  const at: number[] = [];
  const n = text.length;
  for (let p = 0; p < n; ) {
    // `HEX T NAME`: hex digits, one space, a one-character type, one space, a non-blank name.
    let sp = p;
    while (sp < n && hexValue(text[sp]!) >= 0) sp++;
    if (sp > p && sp - p <= 16 && sp + 3 < n && text[sp] === 32 && text[sp + 1]! > 32 && text[sp + 2] === 32 && text[sp + 3]! > 32) {
      const type = text[sp + 1];
      if (type !== 65 && type !== 97 && text[sp + 3] !== 36) { // not A, a or $name
        const split = Math.max(p, sp - 8);
        let h = 0;
        let l = 0;
        for (let i = p; i < split; i++) h = h * 16 + hexValue(text[i]!);
        for (let i = split; i < sp; i++) l = l * 16 + hexValue(text[i]!);
        hi.push(h);
        lo.push(l);
        at.push(sp + 3);
      }
    }
    while (sp < n && text[sp] !== 10) sp++;
    p = sp + 1;
  }
  const symbolAt = (i: number, addr: bigint): Symbol => {
    const p = at[i]!;
    let e = p;
    while (e < n && text[e]! > 32) e++;
    const name = text.toString('utf8', p, e);
    let module: string | undefined;
    if (text[e] === 9 && text[e + 1] === 91) {
      let m = e + 2;
      while (m < n && text[m]! > 32) m++;
      if (m > e + 3 && text[m - 1] === 93) module = text.toString('utf8', e + 2, m - 1);
    }
    const base = (BigInt(hi[i]!) << 32n) | BigInt(lo[i]!);
    return { name, offset: addr - base, module };
  };
  // The highest address: a target past the last symbol is not resolved (libtraceevent).
  let top = -1;
  for (let i = 0; i < hi.length; i++) if (top < 0 || hi[i]! > hi[top]! || (hi[i] === hi[top] && lo[i]! >= lo[top]!)) top = i;
  // The greatest address ≤ the target, the last of equal ones in file order: a scan while
  // lookups are few (kprobe sites repeat), a sorted index (~100k entries) once they are not.
  const scan = (ah: number, al: number): number => {
    let best = -1;
    for (let i = 0; i < hi.length; i++) {
      const h = hi[i]!;
      if (h < ah || (h === ah && lo[i]! <= al)) {
        if (best < 0 || h > hi[best]! || (h === hi[best] && lo[i]! >= lo[best]!)) best = i;
      }
    }
    return best;
  };
  let sorted: number[] | undefined;
  const search = (ah: number, al: number): number => {
    sorted ??= hi.map((_, j) => j).sort((a, b) => hi[a]! - hi[b]! || lo[a]! - lo[b]! || a - b);
    let l = 0;
    let h = sorted.length - 1;
    let best = -1;
    while (l <= h) {
      const mid = (l + h) >> 1;
      const j = sorted[mid]!;
      if (hi[j]! < ah || (hi[j] === ah && lo[j]! <= al)) {
        best = j;
        l = mid + 1;
      } else h = mid - 1;
    }
    return best;
  };
  const cache = new Map<bigint, Symbol | undefined>();
  return {
    lookup(addr) {
      if (cache.has(addr)) return cache.get(addr);
      const ah = Number(addr >> 32n);
      const al = Number(addr & 0xffffffffn);
      const best = cache.size < 32 ? scan(ah, al) : search(ah, al);
      const sym = best < 0 || (hi[best] === hi[top] && lo[best] === lo[top]) ? undefined : symbolAt(best, addr);
      cache.set(addr, sym);
      return sym;
    },
  };
}

/** printk_formats lines `0xffffffff8a94aef8 : "CPU_ON"` → address → string. */
export function parsePrintkFormats(text: string): Map<bigint, string> {
  const out = new Map<bigint, string>();
  for (const line of text.split('\n')) {
    const m = /^0x([0-9a-f]+) : "(.*)"$/.exec(line);
    if (m) out.set(BigInt(`0x${m[1]}`), m[2]!.replace(/\\n$/, ''));
  }
  return out;
}
