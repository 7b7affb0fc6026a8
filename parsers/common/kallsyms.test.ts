// kallsyms lookups as libtraceevent resolves them, on hand-written lines in /proc/kallsyms'
// layout (a module's symbols, absolute ones, a `$` local), with lines that are not symbols.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HAVE_SHARED, bundledBinaryCaptures, sharedCaptures } from '../../src/testing/captures.ts';
import { openTraceDat } from '../trace-dat/header.ts';
import { FileSource } from './byte-source.ts';
import { exactSymbol, parseKallsyms, scanKallsyms } from './kallsyms.ts';

const KALLSYMS = [
  '0000000000000000 A fixed_percpu_data',
  'ffffffff81000000 T _text',
  'ffffffff81000000 T startup_64',
  'ffffffff812a3f40 t __oom_reap_task_mm',
  'ffffffff812a4190 T oom_reaper',
  'ffffffff812a4190 t $x.12',
  'ffffffff812a4300 a not_absolute_but_lower_a',
  'ffffffff812A4400 T upper_case_hex_is_not_kallsyms',
  'zzzz T not_hex',
  'ffffffff812a4500 T',
  'ffffffffc0a01000 t mn_inv_start\t[mntest]',
  'ffffffffc0a01100 t mntest_release\t[mntest]',
  'ffffffffc0a02000 T _end_of_mntest',
  '',
].join('\n');

const symbols = parseKallsyms(new TextEncoder().encode(KALLSYMS));
const at = (addr: bigint): string | undefined => {
  const s = symbols.lookup(addr);
  return s && `${s.name}+0x${s.offset.toString(16)}${s.module ? ` [${s.module}]` : ''}`;
};

describe('kallsyms', () => {
  it('finds the greatest address at or below, the last of equal ones in file order', () => {
    expect(at(0xffffffff81000000n)).toBe('startup_64+0x0');
    expect(at(0xffffffff812a3f44n)).toBe('__oom_reap_task_mm+0x4');
    expect(at(0xffffffff812a4194n)).toBe('oom_reaper+0x4');
  });

  it('skips absolute symbols (A and a), $ names, and lines that are not `HEX T NAME`', () => {
    expect(at(0x10n)).toBeUndefined();
    expect(at(0xffffffff812a4304n)).toBe('oom_reaper+0x174');
    expect(at(0xffffffff812a4404n)).toBe('oom_reaper+0x274');
    expect(at(0xffffffff812a4504n)).toBe('oom_reaper+0x374');
  });

  it("names a module's symbols with their module", () => {
    expect(at(0xffffffffc0a01008n)).toBe('mn_inv_start+0x8 [mntest]');
    expect(at(0xffffffffc0a01104n)).toBe('mntest_release+0x4 [mntest]');
  });

  it('resolves nothing at or past the highest symbol, or below the lowest', () => {
    expect(at(0xffffffffc0a02000n)).toBeUndefined();
    expect(at(0xffffffffc0a03000n)).toBeUndefined();
    expect(at(0xffffffff80000000n)).toBeUndefined();
  });

  it('gives the same answers by its sorted index, once lookups are many', () => {
    const many = parseKallsyms(new TextEncoder().encode(KALLSYMS));
    for (let i = 0n; i < 40n; i++) many.lookup(0xffffffff81000000n + i);
    expect(many.lookup(0xffffffff812a3f44n)?.name).toBe('__oom_reap_task_mm');
    expect(many.lookup(0xffffffffc0a01008n)?.module).toBe('mntest');
    expect(many.lookup(0xffffffffc0a02000n)).toBeUndefined();
  });
});

describe('kallsyms: a lookup of an exact address searches instead of scanning', () => {
  const scanOf = (text: string) => scanKallsyms(Buffer.from(text));
  const same = (text: string, addrs: bigint[]): void => {
    const scan = scanOf(text);
    for (const a of addrs) expect(parseKallsyms(new TextEncoder().encode(text)).lookup(a), a.toString(16)).toEqual(scan(a));
  };

  it('agrees with the scan on the hand-written lines, at every address they print and next to it', () => {
    const addrs = [...KALLSYMS.matchAll(/^([0-9a-fA-F]+) /gm)].flatMap((m) => {
      const a = BigInt(`0x${m[1]}`);
      return [a - 1n, a, a + 1n];
    });
    expect(addrs.length).toBeGreaterThan(20);
    same(KALLSYMS, addrs);
  });

  it('takes the last counted line of the address, not a later absolute or `$` one, and resolves the first line', () => {
    const text = ['ffffffff81000000 T first', 'ffffffff81000010 t one', 'ffffffff81000010 t two', 'ffffffff81000010 a abs', 'ffffffff81000010 t $x', 'ffffffff81000020 T top', ''].join('\n');
    expect(parseKallsyms(Buffer.from(text)).lookup(0xffffffff81000010n)?.name).toBe('two');
    expect(parseKallsyms(Buffer.from(text)).lookup(0xffffffff81000000n)?.name).toBe('first');
    same(text, [0xffffffff81000000n, 0xffffffff81000010n, 0xffffffff81000020n]);
    // Decided by the search itself, not by the scan it falls back to.
    expect(exactSymbol(Buffer.from(text), 0xffffffff81000010n)?.name).toBe('two');
    expect(exactSymbol(Buffer.from(text), 0xffffffff81000000n)?.name).toBe('first');
    expect(exactSymbol(Buffer.from(text), 0xffffffff81000011n)).toBeUndefined();
  });

  it('resolves nothing at the highest address, wherever it is in the file', () => {
    const text = ['ffffffffc0000000 t high [m]', 'ffffffff81000000 T low', 'ffffffff81000010 T mid', ''].join('\n');
    expect(parseKallsyms(Buffer.from(text)).lookup(0xffffffffc0000000n)).toBeUndefined();
    expect(parseKallsyms(Buffer.from(text)).lookup(0xffffffff81000010n)?.name).toBe('mid');
    same(text, [0xffffffffc0000000n, 0xffffffff81000010n, 0xffffffff81000000n]);
  });

  it('agrees with the scan on the kallsyms of every trace.dat at hand, at sampled symbol addresses, beside them, and at the extremes', async () => {
    const files = [...bundledBinaryCaptures(), ...(HAVE_SHARED ? sharedCaptures() : [])].map((c) => join(c.dir, 'trace.dat')).filter((f) => existsSync(f));
    expect(files.length).toBeGreaterThan(0);
    let compared = 0;
    for (const f of files.slice(0, 6)) {
      const src = await FileSource.open(f);
      let kallsyms: Uint8Array;
      try {
        const { header, rest } = await openTraceDat(src);
        await rest(true);
        kallsyms = header.data.kallsyms;
      } finally {
        await src.close();
      }
      const text = Buffer.from(kallsyms);
      const addrs = [...text.toString('latin1').matchAll(/^([0-9a-f]{16}) /gm)].map((m) => BigInt(`0x${m[1]}`));
      expect(addrs.length, f).toBeGreaterThan(10);
      const step = Math.max(1, Math.floor(addrs.length / 60));
      const max = addrs.reduce((a, b) => (b > a ? b : a));
      const picked = addrs.filter((_, i) => i % step === 0).flatMap((a) => [a, a + 1n]);
      const scan = scanKallsyms(text);
      const symbols = parseKallsyms(kallsyms);
      for (const a of [...picked, max, addrs[0]!, addrs[addrs.length - 1]!]) {
        expect(symbols.lookup(a), `${f} ${a.toString(16)}`).toEqual(scan(a));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(100);
  }, 60_000);
});
