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

const isHex = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 97 && c <= 102);

/**
 * Lines `ffffffff81000000 T _text` or `… t name\t[module]`, scanned without a regex or a
 * bigint per line (a kernel has ~100k symbols and usually one or two are looked up):
 * each address is kept as two 32-bit halves, the name and module are read at lookup.
 */
export function parseKallsyms(text: string): Symbols {
  const hi: number[] = [];
  const lo: number[] = [];
  const at: number[] = [];
  const n = text.length;
  for (let p = 0; p < n; ) {
    let e = text.indexOf('\n', p);
    if (e < 0) e = n;
    const sp = text.indexOf(' ', p);
    // `HEX T NAME`: hex digits, one space, a one-character type, one space, a non-blank name.
    if (sp > p && sp + 3 < e && text.charCodeAt(sp + 2) === 32 && text.charCodeAt(sp + 1) > 32 && text.charCodeAt(sp + 3) > 32) {
      const type = text.charCodeAt(sp + 1);
      let ok = sp - p <= 16 && type !== 65 && type !== 97 && text.charCodeAt(sp + 3) !== 36; // not A, a or $name
      for (let i = p; ok && i < sp; i++) ok = isHex(text.charCodeAt(i));
      if (ok) {
        const split = Math.max(p, sp - 8);
        hi.push(split > p ? parseInt(text.slice(p, split), 16) : 0);
        lo.push(parseInt(text.slice(split, sp), 16));
        at.push(sp + 3);
      }
    }
    p = e + 1;
  }
  const symbolAt = (i: number, addr: bigint): Symbol => {
    const p = at[i]!;
    let e = p;
    while (e < n && text.charCodeAt(e) > 32) e++;
    const name = text.slice(p, e);
    let module: string | undefined;
    if (text.charCodeAt(e) === 9 && text.charCodeAt(e + 1) === 91) {
      let m = e + 2;
      while (m < n && text.charCodeAt(m) > 32) m++;
      if (m > e + 3 && text.charCodeAt(m - 1) === 93) module = text.slice(e + 2, m - 1);
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
