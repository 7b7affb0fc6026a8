import { describe, expect, it } from 'vitest';
import { parseKprobeDefinition } from './parse.ts';

const SRC = { file: 'kprobe_events.txt', line: 3, offset: 40 };
const parse = (line: string) => parseKprobeDefinition(line, SRC);

describe('parseKprobeDefinition', () => {
  it('reads an entry probe with typed fetch args', () => {
    expect(parse('p:mn/mn_inv_end __mmu_notifier_invalidate_range_end range=%di:x64 mm=+8(%di):x64 only_end=%si:u8 raw=%dx')).toEqual({
      group: 'mn', event: 'mn_inv_end', isReturn: false, func: '__mmu_notifier_invalidate_range_end', offset: 0,
      args: [
        { name: 'range', fetch: '%di', type: 'x64' },
        { name: 'mm', fetch: '+8(%di)', type: 'x64' },
        { name: 'only_end', fetch: '%si', type: 'u8' },
        { name: 'raw', fetch: '%dx' },
      ],
      src: SRC,
    });
  });

  it('reads a module return probe with maxactive', () => {
    expect(parse('r10:mn/kvm_inv_start_ret kvm:kvm_mmu_notifier_invalidate_range_start ret=$retval:s32')).toMatchObject({
      group: 'mn', event: 'kvm_inv_start_ret', isReturn: true, maxactive: 10, module: 'kvm',
      func: 'kvm_mmu_notifier_invalidate_range_start', args: [{ name: 'ret', fetch: '$retval', type: 's32' }],
    });
  });

  it('names unnamed probes as the kernel does', () => {
    expect(parse('p __mmu_notifier_invalidate_range_start %di')).toMatchObject({
      group: 'kprobes', event: 'p___mmu_notifier_invalidate_range_start_0', args: [{ name: 'arg1', fetch: '%di' }],
    });
    expect(parse('r kvm:kvm_mmu_notifier_invalidate_range_start')).toMatchObject({
      group: 'kprobes', event: 'r_kvm_kvm_mmu_notifier_invalidate_range_start_0', module: 'kvm',
    });
    expect(parse('p:grp/ foo.isra.0+0x10')).toMatchObject({ group: 'grp', event: 'p_foo_isra_0_16', offset: 16 });
    expect(parse('p:myev 0xffffffff81000000')).toMatchObject({ group: 'kprobes', event: 'myev', func: '0xffffffff81000000' });
  });

  it('reads %return and string types', () => {
    expect(parse('p:g/e do_sys_open%return ret=$retval')).toMatchObject({ isReturn: true, event: 'e' });
    expect(parse('p:g/e do_sys_open name=+0(%si):string c=$comm')).toMatchObject({
      args: [{ name: 'name', type: 'string' }, { name: 'c', fetch: '$comm', type: 'string' }],
    });
  });

  it('refuses malformed definitions', () => {
    for (const bad of [
      'p:mn/mn_inv_start',
      'x:mn/e foo',
      'p:mn/e foo bad$arg',
      'p:mn/e foo ret=$retval:s33',
      'r:mn/e foo+8',
      'p5:mn/e foo',
      'p:mn/e /bin/bash:0x4245c0',
      'p:1mn/e foo',
      '',
    ]) expect(parse(bad), bad).toBeUndefined();
  });
});
