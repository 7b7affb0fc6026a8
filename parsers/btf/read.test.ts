// The BTF reader on the real BTF of three kernels (samples/btf: the guests' /sys/kernel/btf/vmlinux
// from the lab), compared with what `bpftool btf dump file F format raw` printed for them
// (bpftool-facts.json), and with bpftool itself on every type when it is installed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decompress } from 'fzstd';
import { describe, expect, it } from 'vitest';
import { BtfError, readBtf, type Btf } from './read.ts';
import { callbackParams, funcParams, funcReturn, structMembers } from './query.ts';
import { bpftoolRaw } from '../../src/testing/bpftool-raw.ts';
import { SAMPLES_DIR } from '../../src/testing/captures.ts';

const KERNELS = ['5.10', '6.1', '6.12'] as const;
const FACTS = JSON.parse(readFileSync(new URL('./bpftool-facts.json', import.meta.url), 'utf8')) as Record<string, { types: number; kinds: Record<string, number>; blocks: string[] }>;
const raw = (k: string): Uint8Array => decompress(readFileSync(join(SAMPLES_DIR, 'btf', `vmlinux-${k}.btf.zst`)));
const cache = new Map<string, Btf>();
const btfOf = (k: string): Btf => {
  let b = cache.get(k);
  if (!b) cache.set(k, (b = readBtf(raw(k), `vmlinux-${k}`)));
  return b;
};

function haveBpftool(): boolean {
  try {
    execFileSync('bpftool', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('BTF reader against bpftool', () => {
  for (const k of KERNELS) {
    it(`${k}: type count, kinds and the types the recipe reads print as bpftool prints them`, () => {
      const b = btfOf(k);
      const f = FACTS[k]!;
      expect(b.types.length - 1).toBe(f.types);
      const kinds: Record<string, number> = {};
      for (const t of b.types) if (t) kinds[t.kind] = (kinds[t.kind] ?? 0) + 1;
      expect(Object.fromEntries(Object.entries(kinds).sort())).toEqual(f.kinds);
      for (const block of f.blocks) {
        const id = Number(/^\[(\d+)\]/.exec(block)![1]);
        expect(bpftoolRaw(b, b.types[id]!)).toBe(block);
      }
    });
  }

  it.skipIf(!haveBpftool())('6.12: every type equals `bpftool btf dump format raw` (bpftool installed)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'btf-'));
    try {
      const file = join(dir, 'vmlinux');
      writeFileSync(file, raw('6.12'));
      const text = execFileSync('bpftool', ['btf', 'dump', 'file', file, 'format', 'raw'], { maxBuffer: 1 << 30 }).toString();
      const b = btfOf('6.12');
      const mine = b.types.slice(1).map((t) => bpftoolRaw(b, t!)).join('\n');
      expect(mine === text.trimEnd()).toBe(true);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it.skipIf(!haveBpftool() || !existsSync('/sys/kernel/btf/vmlinux'))("this machine's BTF: every type equals bpftool's dump (DECL_TAG, TYPE_TAG, ENUM64 too)", () => {
    const text = execFileSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'raw'], { maxBuffer: 1 << 30 }).toString();
    const b = readBtf(readFileSync('/sys/kernel/btf/vmlinux'), '/sys/kernel/btf/vmlinux');
    const mine = b.types.slice(1).map((t) => bpftoolRaw(b, t!)).join('\n');
    expect(mine === text.trimEnd()).toBe(true);
  });
});

describe('what the recipe asks of BTF', () => {
  it('struct mmu_notifier_range: 5.10/6.1 {vma, mm@8, start@16, end@24, flags@32, event@36}, 6.12 {mm@0 ... event@28}', () => {
    const offs = (k: string) => Object.fromEntries(structMembers(btfOf(k), 'mmu_notifier_range')!.map((m) => [m.name, m.offset]));
    expect(offs('5.10')).toMatchObject({ vma: 0, mm: 8, start: 16, end: 24, flags: 32, event: 36 });
    expect(offs('6.1')).toMatchObject({ vma: 0, mm: 8, start: 16, end: 24, flags: 32, event: 36 });
    expect(offs('6.12')).toEqual({ mm: 0, start: 8, end: 16, flags: 24, event: 28, owner: 32 });
  });

  it('prototypes: the end lost only_end in 6.12; start returns int, the reap routine bool', () => {
    for (const k of KERNELS) {
      const b = btfOf(k);
      expect(funcParams(b, '__mmu_notifier_invalidate_range_start')!.map((p) => p.typeName)).toEqual(['struct mmu_notifier_range *']);
      expect(funcReturn(b, '__mmu_notifier_invalidate_range_start')!.typeName).toBe('int');
      expect(funcParams(b, '__oom_reap_task_mm')!.map((p) => p.name)).toEqual(['mm']);
      expect(funcReturn(b, '__oom_reap_task_mm')!.typeName).toBe('bool');
      expect(funcParams(b, 'oom_reap_task_mm')).toBeUndefined();
      expect(callbackParams(b, 'mmu_notifier_ops', 'invalidate_range_start')!.map((p) => p.typeName)).toEqual(['struct mmu_notifier *', 'const struct mmu_notifier_range *']);
    }
    expect(funcParams(btfOf('6.1'), '__mmu_notifier_invalidate_range_end')!.map((p) => p.name)).toEqual(['range', 'only_end']);
    expect(funcParams(btfOf('6.12'), '__mmu_notifier_invalidate_range_end')!.map((p) => p.name)).toEqual(['range']);
  });

  it.skipIf(!existsSync('/sys/kernel/btf/vmlinux'))("reads this machine's own BTF", () => {
    const b = readBtf(readFileSync('/sys/kernel/btf/vmlinux'), '/sys/kernel/btf/vmlinux');
    expect(b.types.length).toBeGreaterThan(1000);
    expect(structMembers(b, 'mmu_notifier_range')?.map((m) => m.name)).toContain('start');
  });
});

describe('broken BTF: the error names the file, the byte offset and what was expected', () => {
  const good = () => raw('5.10');
  it('not BTF', () => {
    expect(() => readBtf(new TextEncoder().encode('this is not a BTF file at all'), 'x.btf')).toThrow(/x\.btf: at byte 0: expected the BTF magic 0xeb9f/);
  });
  it('too short for a header', () => {
    expect(() => readBtf(new Uint8Array([0x9f, 0xeb, 1]), 'x.btf')).toThrow(/x\.btf: at byte 0: expected a BTF header of 24 bytes, found 3/);
  });
  it('truncated: the sections run past the end', () => {
    const d = good();
    expect(() => readBtf(d.subarray(0, 100_000), 'cut.btf')).toThrow(/cut\.btf: at byte \d+: (type|string) section .* runs past the end/);
  });
  it('a record that would run past the type section', () => {
    const d = good().slice();
    const view = new DataView(d.buffer);
    // Shrink the type section to end inside the first struct's member list.
    view.setUint32(12, 100, true);
    expect(() => readBtf(d, 'short.btf')).toThrow(/short\.btf: at byte \d+: expected/);
  });
  it('a string offset outside the string section', () => {
    const d = good().slice();
    const view = new DataView(d.buffer);
    const hdr = view.getUint32(4, true);
    const typeOff = view.getUint32(8, true);
    view.setUint32(hdr + typeOff, 0x7fffffff, true); // name_off of type 1
    expect(() => readBtf(d, 'bad.btf')).toThrow(/bad\.btf: at byte \d+: string offset 2147483647 outside the string section/);
  });
  it('an unknown kind', () => {
    const d = good().slice();
    const view = new DataView(d.buffer);
    const at = view.getUint32(4, true) + view.getUint32(8, true);
    view.setUint32(at + 4, 31 << 24, true);
    expect(() => readBtf(d, 'kind.btf')).toThrow(new BtfError('kind.btf', at + 4, 'type 1: unknown kind 31'));
  });
});
