import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../types/event.ts';
import type { KprobeDef } from '../types/kprobe.ts';
import { parseKprobeDefinition } from '../../parsers/kprobe-events/parse.ts';
import { DECODERS, decodeEvent, decodeGeneric, type DecodeContext } from './index.ts';

const SRC = { file: 'test', line: 1, offset: 0 };
const NO_KPROBES: DecodeContext = { kprobe: () => undefined };

function ev(name: string, text: string): TraceEvent {
  return { ts: 0n, cpu: 0, pid: 1, comm: 'x', name, text, src: SRC };
}

const decode = (name: string, text: string, ctx = NO_KPROBES) => decodeEvent(ev(name, text), ctx);

function defs(...lines: string[]): DecodeContext {
  const map = new Map<string, KprobeDef>();
  for (const l of lines) {
    const d = parseKprobeDefinition(l, SRC)!;
    map.set(`${d.group}:${d.event}`, d);
  }
  return { kprobe: (n) => map.get(n) };
}

describe('oom', () => {
  it('reads the short and the long mark_victim', () => {
    expect(decode('oom:mark_victim', 'pid=4242')).toEqual({ pid: 4242 });
    expect(decode('oom:mark_victim',
      'pid=385 comm=victim total-vm=279752kB anon-rss=64888kB file-rss:4kB shmem-rss:700kB uid=0 pgtables=172kB oom_score_adj=0',
    )).toEqual({
      pid: 385, comm: 'victim', total_vm_kb: 279752, anon_rss_kb: 64888, file_rss_kb: 4,
      shmem_rss_kb: 700, uid: 0, pgtables_kb: 172, oom_score_adj: 0,
    });
  });

  it('takes a comm with blanks, `=` and a fake field as text', () => {
    const f = decode('oom:mark_victim',
      'pid=7 comm=a b=c total-vm=9kB total-vm=1kB anon-rss=2kB file-rss:3kB shmem-rss:4kB uid=5 pgtables=6kB oom_score_adj=-1000');
    expect(f).toMatchObject({ pid: 7, comm: 'a b=c total-vm=9kB', total_vm_kb: 1, oom_score_adj: -1000 });
  });

  it('reads reclaim_retry_zone with its padded zone', () => {
    expect(decode('oom:reclaim_retry_zone',
      'node=0 zone=Normal   order=0 reclaimable=312 available=10840 min_wmark=11264 no_progress_loops=16 wmark_check=0',
    )).toMatchObject({ zone: 'Normal', reclaimable_pages: 312, no_progress_loops: 16 });
  });

  it('returns undefined for a text that does not match', () => {
    expect(decode('oom:mark_victim', 'pid=abc')).toBeUndefined();
    expect(decode('oom:wake_reaper', '')).toBeUndefined();
    expect(decode('kmem:rss_stat', 'mm_id=1 curr=0 size=4096B')).toBeUndefined();
  });
});

describe('kmem:rss_stat', () => {
  it('maps member= to the counter name and keeps the index', () => {
    expect(decode('kmem:rss_stat', 'mm_id=78557558 curr=0 member=1 size=8192B'))
      .toEqual({ mm_id: 78557558, curr: false, member: 1, type: 'MM_ANONPAGES', size: 8192 });
    expect(decode('kmem:rss_stat', 'mm_id=1 curr=1 member=9 size=0B')).toMatchObject({ member: 9, type: null });
  });

  it('reads type=', () => {
    expect(decode('kmem:rss_stat', 'mm_id=3579621790 curr=1 type=MM_SHMEMPAGES size=20480B'))
      .toEqual({ mm_id: 3579621790, curr: true, type: 'MM_SHMEMPAGES', size: 20480 });
  });
});

describe('per-mm events', () => {
  it('reads exit_mmap hashed (tracefs, with 6.1 newline) and raw', () => {
    expect(decode('mmap:exit_mmap', 'mt_mod 00000000aace2428, DESTROY\n')).toEqual({ mt: '00000000aace2428', mt_hashed: true });
    expect(decode('mmap:exit_mmap', 'mt_mod 0xffff8de141061f80, DESTROY')).toEqual({ mt: '0xffff8de141061f80', mt_hashed: false });
  });

  it('reads sched_process_exit with and without 6.19 group_dead', () => {
    expect(decode('sched:sched_process_exit', 'comm=stress pid=4242 prio=120')).toEqual({ comm: 'stress', pid: 4242, prio: 120 });
    expect(decode('sched:sched_process_exit', 'comm=stress pid=4242 prio=120 group_dead=true')).toMatchObject({ group_dead: true });
    expect(decode('sched:sched_process_exit', 'comm=a pid=1 prio=2 pid=5 prio=120 group_dead=false'))
      .toEqual({ comm: 'a pid=1 prio=2', pid: 5, prio: 120, group_dead: false });
  });

  it('reads fork with two free-text comms', () => {
    expect(decode('sched:sched_process_fork', 'comm=my app pid=10 child_comm=x child_pid=3 child_pid=11'))
      .toEqual({ comm: 'my app', pid: 10, child_comm: 'x child_pid=3', child_pid: 11 });
  });

  it('reads task_newtask clone_flags (%lx and 6.19 %llx) as numbers', () => {
    expect(decode('task:task_newtask', 'pid=4243 comm=stress clone_flags=3d0f00 oom_score_adj=0'))
      .toEqual({ pid: 4243, comm: 'stress', clone_flags: 0x3d0f00, oom_score_adj: 0 });
    expect(decode('task:task_newtask', 'pid=1 comm=c clone_flags=200000100 oom_score_adj=-17')).toMatchObject({ clone_flags: 0x200000100 });
    expect(decode('task:task_newtask', 'pid=1 comm=c clone_flags=ffffffffffffffff oom_score_adj=0'))
      .toMatchObject({ clone_flags: 0xffffffffffffffffn });
  });

  it('reads signal_generate with a comm holding blanks', () => {
    expect(decode('signal:signal_generate', 'sig=9 errno=0 code=128 comm=a grp=0 b pid=4242 grp=1 res=0'))
      .toEqual({ sig: 9, errno: 0, code: 128, comm: 'a grp=0 b', pid: 4242, grp: 1, res: 0 });
  });

  it('reads kvm addresses, with or without 0x at zero', () => {
    expect(decode('kvm:kvm_unmap_hva_range', 'mmu notifier unmap range: 0000000000000000 -- 0x00000000401000'))
      .toEqual({ start: '0x0', end: '0x401000' });
    expect(decode('kvm:kvm_test_age_hva', 'mmu notifier test age hva: 0x007f3a2c001000')).toEqual({ hva: '0x7f3a2c001000' });
  });

  it('has a decoder for every event it names', () => {
    for (const name of ['oom:compact_retry', 'kvm:kvm_set_spte_hva', 'kvm:kvm_age_hva', 'sched:sched_process_exec', 'printk:console']) {
      expect(DECODERS[name]).toBeTypeOf('function');
    }
    expect(decode('sched:sched_switch', 'prev_comm=a prev_pid=1')).toBeNull();
  });
});

describe('kprobes', () => {
  const ctx = defs(
    'p:mn/mn_inv_start __mmu_notifier_invalidate_range_start range=%di:x64 mm=+8(%di):x64 flags=+32(%di):x32 event=+36(%di):u32',
    'r10:mn/mn_inv_start_ret __mmu_notifier_invalidate_range_start ret=$retval:s32',
    'p:mn/kvm_inv_start kvm:kvm_mmu_notifier_invalidate_range_start sub=%di:x64',
    'p:mn/big foo v=%di:u64 name=+0(%si):string',
  );

  it('gives tracefs and raw prints the same function from the definition', () => {
    const tracefs = decode('mn:mn_inv_start', '(__mmu_notifier_invalidate_range_start+0x0/0x190) range=0xffffd508c0107d90 mm=0xffff8de141060480 flags=0x0 event=0', ctx);
    const raw = decode('mn:mn_inv_start', '(ffffffffb3d20eb0) range=0xffffd508c0107d90 mm=0xffff8de141060480 flags=0x0 event=0', ctx);
    const common = { probe_func: '__mmu_notifier_invalidate_range_start', probe_offset: 0, is_return: false, mm: '0xffff8de141060480', flags: '0x0', event: 0 };
    expect(tracefs).toEqual({ ...common, range: '0xffffd508c0107d90' });
    expect(raw).toEqual({ ...common, range: '0xffffd508c0107d90', probe_addr: '0xffffffffb3d20eb0' });
  });

  it('reads both return-probe orders', () => {
    expect(decode('mn:mn_inv_start_ret', '(__oom_reap_task_mm+0x179/0x1a0 <- __mmu_notifier_invalidate_range_start) ret=-11', ctx))
      .toEqual({ probe_func: '__mmu_notifier_invalidate_range_start', probe_offset: 0, is_return: true, ret_site: '__oom_reap_task_mm+0x179/0x1a0', ret: -11 });
    expect(decode('mn:mn_inv_start_ret', '(ffffffffb3d20eb0 <- ffffffffb3c889a9) ret=-11', ctx))
      .toEqual({ probe_func: '__mmu_notifier_invalidate_range_start', probe_offset: 0, probe_addr: '0xffffffffb3d20eb0', is_return: true, ret_site: '0xffffffffb3c889a9', ret: -11 });
  });

  it('reads a module site and types u64 and strings', () => {
    expect(decode('mn:kvm_inv_start', '(kvm_mmu_notifier_invalidate_range_start+0x0/0x360 [kvm]) sub=0xffffd508c072ea48', ctx))
      .toMatchObject({ probe_func: 'kvm_mmu_notifier_invalidate_range_start', probe_module: 'kvm', sub: '0xffffd508c072ea48' });
    expect(decode('mn:big', '(foo+0x0/0x10) v=18446744073709551615 name="a b=c"', ctx))
      .toMatchObject({ v: 18446744073709551615n, name: 'a b=c' });
  });

  it('fails a text that does not fit its definition', () => {
    expect(decode('mn:mn_inv_start_ret', '(ffffffffb3d20eb0 <- ffffffffb3c889a9) ret=0xfffffff5', ctx)).toBeUndefined();
    expect(decode('mn:mn_inv_start', 'range=0x1', ctx)).toBeUndefined();
  });

  it('reads word-only definitions in one pass as strictly as the general reader', () => {
    const w = defs(
      'p:mn/w foo a=%di:x64 b=%si:s32 c=%dx',
      'p:mn/dup foo a=%di:u32 a=%si:u32 probe_func=%dx:u32 probe_module=%cx:u32',
      'p:mn/proto foo __proto__=%di:x64 z=%si:u8',
    );
    expect(decode('mn:w', '(foo+0x0/0x10) a=0x00FF b=-7 c=0x10  ', w)).toEqual({ probe_func: 'foo', probe_offset: 0, is_return: false, a: '0xff', b: -7, c: '0x10' });
    // Missing, empty, extra, reordered or mistyped values do not fit.
    for (const bad of ['a=0x1 b=2', 'a= b=2 c=0x1', 'a=0x1 b=2 c=0x1 d=4', 'b=2 a=0x1 c=0x1', 'a=0x1 b=0x2 c=0x1', 'a=0x1  b=2 c=0x1', 'a=0x1 b=2 c=zz']) {
      expect(decode('mn:w', `(foo+0x0/0x10) ${bad}`, w)).toBeUndefined();
    }
    // The site's fields win over an argument of their name; of two arguments of one name the later is kept.
    expect(decode('mn:dup', '(foo+0x0/0x10) a=1 a=2 probe_func=3 probe_module=4', w)).toEqual({ probe_func: 'foo', probe_offset: 0, is_return: false, a: 2, probe_module: 4 });
    const p = decode('mn:proto', '(foo+0x0/0x10) __proto__=0x1 z=5', w)!;
    expect(Object.getPrototypeOf(p)).toBe(Object.prototype);
    expect(p).toEqual({ probe_func: 'foo', probe_offset: 0, is_return: false, z: 5 });
  });

  it('reads an undefined kprobe by its looks', () => {
    expect(decode('?:p_foo_0', '(foo+0x4/0x20 [mymod]) a=0x10 b=-3 c=xyz')).toEqual({
      probe_func: 'foo', probe_offset: 4, probe_module: 'mymod', is_return: false, a: '0x10', b: -3, c: 'xyz',
    });
    expect(decode('probe:foo__return', '(ffffffffc02b8d60 <- ffffffffb3d20f2f) arg1=0x0'))
      .toMatchObject({ probe_func: '0xffffffffc02b8d60', probe_addr: '0xffffffffc02b8d60', is_return: true, arg1: '0x0' });
  });
});

describe('decodeGeneric', () => {
  it('reads key=value and key:value lazily, leaving comms as text', () => {
    const f = decodeGeneric('prev_comm=1234 prev_pid=4100 prev_prio=120 prev_state=S ==> next_comm=swapper/1 next_pid=0 file-rss:4kB ptr=0x00ff');
    expect(f.prev_comm).toBe('1234');
    expect(f).toEqual({
      prev_comm: '1234', prev_pid: 4100, prev_prio: 120, prev_state: 'S',
      next_comm: 'swapper/1', next_pid: 0, 'file-rss': '4kB', ptr: '0xff',
    });
    expect(Object.keys(decodeGeneric('a=1 b=2'))).toEqual(['a', 'b']);
    expect(JSON.stringify(decodeGeneric('x="a b" __proto__=1'))).toBe('{"x":"a b"}');
  });
});
