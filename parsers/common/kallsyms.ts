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

/** The symbol whose `HEX T NAME` line's name starts at `p`, `addr - base` from it. */
function symbolAt(text: Buffer, p: number, addr: bigint, base: bigint): Symbol {
  const n = text.length;
  let e = p;
  while (e < n && text[e]! > 32) e++;
  const name = text.toString('utf8', p, e);
  let module: string | undefined;
  if (text[e] === 9 && text[e + 1] === 91) {
    let m = e + 2;
    while (m < n && text[m]! > 32) m++;
    if (m > e + 3 && text[m - 1] === 93) module = text.toString('utf8', e + 2, m - 1);
  }
  return { name, offset: addr - base, module };
}

/**
 * Whether the line at `p` is a symbol the lookup counts with a 16-digit address: `HEX T
 * NAME`, not absolute (`A`/`a`) and not a `$` name (the rules of the full scan below).
 */
function counted16(text: Buffer, p: number): boolean {
  if (p + 19 >= text.length || text[p + 16] !== 32 || text[p + 18] !== 32) return false;
  const type = text[p + 17]!;
  const name = text[p + 19]!;
  if (type <= 32 || name <= 32 || type === 65 || type === 97 || name === 36) return false;
  for (let i = p; i < p + 16; i++) if (hexValue(text[i]!) < 0) return false;
  return true;
}

/** How many lines from the end an exact lookup reads to find a higher symbol before it scans them all. */
const TOP_PROBE_LINES = 4096;

/**
 * The symbol at exactly `addr`, found by searching the text for its address, without
 * scanning every line: what the full scan gives when a counted line has that address and a
 * higher one exists (a kprobe's site is a function's start). Only for 16-digit addresses
 * (≥ 2^60), which no shorter printed address can equal. Undefined when this cannot
 * decide: the caller scans.
 */
export function exactSymbol(text: Buffer, addr: bigint): Symbol | undefined {
  if (addr < 1n << 60n) return undefined;
  const hex = Buffer.from(addr.toString(16), 'latin1');
  const pattern = Buffer.concat([Buffer.from('\n'), hex, Buffer.from(' ')]);
  // The last counted line of that address in file order (the scan's tie rule).
  let line = -1;
  for (let from = text.length; line < 0 && from >= 0; ) {
    const at = text.lastIndexOf(pattern, from);
    if (at < 0) break;
    if (counted16(text, at + 1)) line = at + 1;
    from = at - 1;
  }
  if (line < 0 && text.subarray(0, 17).equals(pattern.subarray(1)) && counted16(text, 0)) line = 0;
  if (line < 0) return undefined;
  // At the highest address the scan resolves nothing: a higher counted line must exist.
  let end = text.length;
  for (let k = 0; k < TOP_PROBE_LINES && end > 0; k++) {
    const start = text.lastIndexOf(10, end - 1) + 1;
    if (end - start > 16 && counted16(text, start) && text.compare(hex, 0, 16, start, start + 16) > 0) return symbolAt(text, line + 19, addr, addr);
    end = start - 1;
  }
  return undefined;
}

/**
 * Lines `ffffffff81000000 T _text` or `… t name\t[module]`. A lookup of a symbol's own
 * address (the usual kprobe site) searches for it; any other scans every line as bytes in
 * one pass, without a regex, a string or a bigint per line (a kernel has ~100k symbols):
 * each address is kept as two 32-bit halves, the name and module are read at lookup.
 */
export function parseKallsyms(bytes: Uint8Array): Symbols {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  let scanned: ((addr: bigint) => Symbol | undefined) | undefined;
  const cache = new Map<bigint, Symbol | undefined>();
  return {
    lookup(addr) {
      if (cache.has(addr)) return cache.get(addr);
      const sym = exactSymbol(text, addr) ?? (scanned ??= scanKallsyms(text))(addr);
      cache.set(addr, sym);
      return sym;
    },
  };
}

/** Every line scanned: the rule itself (and the oracle of the search's tests). */
export function scanKallsyms(text: Buffer): (addr: bigint) => Symbol | undefined {
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
  // The highest address: a target past the last symbol is not resolved (libtraceevent).
  let top = -1;
  for (let i = 0; i < hi.length; i++) if (top < 0 || hi[i]! > hi[top]! || (hi[i] === hi[top] && lo[i]! >= lo[top]!)) top = i;
  // The greatest address ≤ the target, the last of equal ones in file order: a scan while
  // lookups are few, a sorted index (~100k entries) once they are not.
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
  let lookups = 0;
  return (addr) => {
    const ah = Number(addr >> 32n);
    const al = Number(addr & 0xffffffffn);
    const best = lookups++ < 32 ? scan(ah, al) : search(ah, al);
    if (best < 0 || (hi[best] === hi[top] && lo[best] === lo[top])) return undefined;
    return symbolAt(text, at[best]!, addr, (BigInt(hi[best]!) << 32n) | BigInt(lo[best]!));
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
