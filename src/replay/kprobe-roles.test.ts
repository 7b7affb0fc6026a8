// Kprobe roles are resolved once per definition (event name) of a capture.
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../types/event.ts';
import { kprobeRoles } from './kprobe-roles.ts';

const ev = (name: string, fields?: Record<string, unknown>): TraceEvent => ({ name, fields } as unknown as TraceEvent);

describe('kprobeRoles', () => {
  it('matches the probed function on the first decoded event of a name and keeps the answer', () => {
    const asked: string[] = [];
    const roleOf = kprobeRoles((n) => (asked.push(n), n.startsWith('kprobes:')));
    const start = ev('kprobes:kvm_inv_start', { probe_func: 'kvm_mmu_notifier_invalidate_range_start', probe_module: 'kvm' });
    expect(roleOf(start)).toEqual({ role: 'cb_start', instance: 'kvm' });
    // A later line of the same definition is not matched again (its fields are not read).
    expect(roleOf(ev('kprobes:kvm_inv_start', { probe_func: 'something_else' }))).toEqual({ role: 'cb_start', instance: 'kvm' });
    expect(roleOf(ev('kprobes:kvm_inv_start'))).toEqual({ role: 'cb_start', instance: 'kvm' });
    expect(asked).toEqual(['kprobes:kvm_inv_start']);
  });
  it('an undecoded first event does not decide the definition', () => {
    const roleOf = kprobeRoles(() => true);
    expect(roleOf(ev('kprobes:mn_inv_start_ret'))).toBeUndefined();
    expect(roleOf(ev('kprobes:mn_inv_start_ret', { probe_func: '__mmu_notifier_invalidate_range_start', is_return: true, ret: -11 }))).toEqual({ role: 'core_start_ret' });
  });
  it('names that are not kprobes, and kprobes on functions the model does not read, have no role', () => {
    const roleOf = kprobeRoles((n) => n === 'kprobes:other');
    expect(roleOf(ev('oom:mark_victim', { probe_func: '__mmu_notifier_invalidate_range_start' }))).toBeUndefined();
    expect(roleOf(ev('kprobes:other', { probe_func: 'do_exit' }))).toBeUndefined();
    expect(roleOf(ev('kprobes:other', { probe_func: '__oom_reap_task_mm' }))).toBeUndefined();
  });
  it('each capture has its own table: one name may be another probe there', () => {
    const a = kprobeRoles(() => true);
    const b = kprobeRoles(() => true);
    expect(a(ev('kprobes:p1', { probe_func: '__oom_reap_task_mm' }))).toEqual({ role: 'reap' });
    expect(b(ev('kprobes:p1', { probe_func: '__mmu_notifier_release' }))).toEqual({ role: 'mm_release' });
  });
});
