// kallsyms lookups as libtraceevent resolves them, on hand-written lines in /proc/kallsyms'
// layout (a module's symbols, absolute ones, a `$` local), with lines that are not symbols.
import { describe, expect, it } from 'vitest';
import { parseKallsyms } from './kallsyms.ts';

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
