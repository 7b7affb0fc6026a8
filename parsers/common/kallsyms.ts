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

const LINE = /^([0-9a-f]+) (\S) (\S+)(?:\t\[(\S+)\])?/;

export function parseKallsyms(text: string): Symbols {
  const addrs: bigint[] = [];
  const names: string[] = [];
  const mods: (string | undefined)[] = [];
  const rows: [bigint, string, string | undefined][] = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m || m[2] === 'A' || m[2] === 'a' || m[3]!.startsWith('$')) continue;
    rows.push([BigInt(`0x${m[1]}`), m[3]!, m[4]]);
  }
  rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [a, n, mod] of rows) {
    addrs.push(a);
    names.push(n);
    mods.push(mod);
  }
  return {
    lookup(addr) {
      let lo = 0;
      let hi = addrs.length - 1;
      let best = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (addrs[mid]! <= addr) {
          best = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (best < 0 || best === addrs.length - 1) return undefined;
      return { name: names[best]!, offset: addr - addrs[best]!, module: mods[best] };
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
