import { describe, it, expect } from 'vitest';
import { decodePrintk } from './printk-line.ts';

describe('decodePrintk: OOM invocation and summary', () => {
  it('oom_invoked ≥5.0 and ≤4.19 (nodemask) and ≤4.4 (no flag names)', () => {
    expect(decodePrintk('victim invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0')).toEqual({
      kind: 'oom_invoked', comm: 'victim', gfp_mask: '0xcc0', gfp_flags: 'GFP_KERNEL', order: 0, oom_score_adj: 0,
    });
    expect(decodePrintk('syz-executor0 invoked oom-killer: gfp_mask=0x6200ca(GFP_HIGHUSER_MOVABLE), nodemask=(null), order=0, oom_score_adj=-1000')).toMatchObject({
      kind: 'oom_invoked', nodemask: '(null)', oom_score_adj: -1000,
    });
    expect(decodePrintk('a b invoked oom-killer: gfp_mask=0x24201ca, nodemask=0-1,3, order=3, oom_score_adj=5')).toEqual({
      kind: 'oom_invoked', comm: 'a b', gfp_mask: '0x24201ca', nodemask: '0-1,3', order: 3, oom_score_adj: 5,
    });
    // sysrq f: no allocation, order -1
    expect(decodePrintk('kworker/0:1 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=-1, oom_score_adj=0')).toMatchObject({ order: -1 });
  });

  it('oom_summary: memcg and global, and its KERN_CONT fragments', () => {
    expect(decodePrintk('oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/oomlab,task_memcg=/oomlab,task=victim,pid=385,uid=0')).toEqual({
      kind: 'oom_summary', constraint: 'CONSTRAINT_MEMCG', nodemask: '(null)', cpuset: '/', mems_allowed: '0',
      oom_memcg: '/oomlab', global_oom: false, task_memcg: '/oomlab', task: 'victim', pid: 385, uid: 0,
    });
    expect(decodePrintk('oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0-1,global_oom,task_memcg=/user.slice/user-1000.slice/session-2.scope,task=stress,pid=4242,uid=1000')).toEqual({
      kind: 'oom_summary', constraint: 'CONSTRAINT_NONE', nodemask: '(null)', cpuset: '/', mems_allowed: '0-1',
      global_oom: true, task_memcg: '/user.slice/user-1000.slice/session-2.scope', task: 'stress', pid: 4242, uid: 1000,
    });
    expect(decodePrintk('oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null)')).toEqual({ kind: 'oom_summary_part', constraint: 'CONSTRAINT_MEMCG', nodemask: '(null)' });
    expect(decodePrintk(',task=victim,pid=385,uid=0')).toEqual({ kind: 'oom_summary_part', task: 'victim', pid: 385, uid: 0 });
    expect(decodePrintk(',cpuset=')).toEqual({ kind: 'other' });
  });

  it('a comm or cgroup path made to look like the fixed text stays text; pid comes from the end', () => {
    const f = decodePrintk('oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/a,pid=1,task_memcg=/a,pid=1,task=x,pid=9,uid=0,pid=77,uid=5')!;
    expect(f).toMatchObject({ kind: 'oom_summary', pid: 77, uid: 5 });
    expect(decodePrintk('Out of memory: Killed process 12 (evil) total-vm:1kB) total-vm:5kB, anon-rss:1kB, file-rss:2kB, shmem-rss:3kB')).toMatchObject({
      kind: 'oom_kill', pid: 12, comm: 'evil) total-vm:1kB', total_vm_kb: 5,
    });
  });
});

describe('decodePrintk: choice and kill in each version', () => {
  it('oom_choose (≤5.1) with each prefix', () => {
    expect(decodePrintk('Out of memory: Kill process 4242 (stress) score 912 or sacrifice child')).toEqual({
      kind: 'oom_choose', prefix: 'Out of memory', pid: 4242, comm: 'stress', score: 912,
    });
    expect(decodePrintk('Memory cgroup out of memory: Kill process 1 (a) score 0 or sacrifice child')).toMatchObject({ prefix: 'Memory cgroup out of memory' });
    expect(decodePrintk('Out of memory (oom_kill_allocating_task): Kill process 1 (a) score 0 or sacrifice child')).toMatchObject({ prefix: 'Out of memory (oom_kill_allocating_task)' });
  });

  it('oom_kill ≤5.1 (no prefix), 5.2–5.3, ≥5.4', () => {
    expect(decodePrintk('Killed process 4242 (stress) total-vm:8402412kB, anon-rss:7864320kB, file-rss:1536kB, shmem-rss:0kB')).toEqual({
      kind: 'oom_kill', pid: 4242, comm: 'stress', total_vm_kb: 8402412, anon_rss_kb: 7864320, file_rss_kb: 1536, shmem_rss_kb: 0,
    });
    expect(decodePrintk('Out of memory: Killed process 4242 (stress) total-vm:8402412kB, anon-rss:7864320kB, file-rss:1536kB, shmem-rss:0kB')).toEqual({
      kind: 'oom_kill', prefix: 'Out of memory', pid: 4242, comm: 'stress', total_vm_kb: 8402412, anon_rss_kb: 7864320, file_rss_kb: 1536, shmem_rss_kb: 0,
    });
    expect(decodePrintk('Memory cgroup out of memory: Killed process 385 (victim) total-vm:279752kB, anon-rss:64888kB, file-rss:4kB, shmem-rss:700kB, UID:0 pgtables:172kB oom_score_adj:-17')).toEqual({
      kind: 'oom_kill', prefix: 'Memory cgroup out of memory', pid: 385, comm: 'victim', total_vm_kb: 279752, anon_rss_kb: 64888,
      file_rss_kb: 4, shmem_rss_kb: 700, uid: 0, pgtables_kb: 172, oom_score_adj: -17,
    });
    expect(decodePrintk('Out of memory (oom_kill_allocating_task): Killed process 7 (x y) total-vm:1kB, anon-rss:0kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:4kB oom_score_adj:1000')).toMatchObject({
      prefix: 'Out of memory (oom_kill_allocating_task)', comm: 'x y', uid: 1000,
    });
  });

  it('a value past 2^53 is a bigint', () => {
    expect(decodePrintk('Killed process 1 (a) total-vm:18446744073709551615kB, anon-rss:0kB, file-rss:0kB, shmem-rss:0kB')).toMatchObject({ total_vm_kb: 18446744073709551615n });
  });

  it('exiting victim, pinned mm, group kill', () => {
    expect(decodePrintk('Memory cgroup out of memory: OOM victim 4242 (stress) is already exiting. Skip killing the task')).toEqual({
      kind: 'oom_victim_exiting', prefix: 'Memory cgroup out of memory', pid: 4242, comm: 'stress',
    });
    expect(decodePrintk('oom killer 4242 (stress) has mm pinned by 1 (systemd)')).toEqual({
      kind: 'oom_mm_pinned', pid: 4242, comm: 'stress', pinned_by_pid: 1, pinned_by_comm: 'systemd',
    });
    expect(decodePrintk('Tasks in /batch.slice/job 42 are going to be killed due to memory.oom.group set')).toEqual({ kind: 'oom_group_kill', cgroup: '/batch.slice/job 42' });
  });
});

describe('decodePrintk: reaper and notifiers', () => {
  it('oom_reaped and oom_unable_to_reap', () => {
    expect(decodePrintk('oom_reaper: reaped process 4242 (stress), now anon-rss:0kB, file-rss:0kB, shmem-rss:12kB')).toEqual({
      kind: 'oom_reaped', pid: 4242, comm: 'stress', anon_rss_kb: 0, file_rss_kb: 0, shmem_rss_kb: 12,
    });
    expect(decodePrintk('oom_reaper: unable to reap pid:385 (victim)')).toEqual({ kind: 'oom_unable_to_reap', pid: 385, comm: 'victim' });
  });

  it('notifier_failed: module, no module, blockable, unresolved address, build id', () => {
    expect(decodePrintk('mnt_invalidate_range_start+0x0/0x110 [mntest] callback failed with -11 in non-blockable context.')).toEqual({
      kind: 'notifier_failed', symbol: 'mnt_invalidate_range_start', offset: 0, size: 0x110, module: 'mntest', errno: -11, blockable: false,
    });
    expect(decodePrintk('kvm_mmu_notifier_invalidate_range_start+0x0/0x2a0 callback failed with -16 in blockable context.')).toEqual({
      kind: 'notifier_failed', symbol: 'kvm_mmu_notifier_invalidate_range_start', offset: 0, size: 0x2a0, errno: -16, blockable: true,
    });
    expect(decodePrintk('0xffffffffc0a01230 callback failed with -11 in non-blockable context.')).toEqual({
      kind: 'notifier_failed', symbol: '0xffffffffc0a01230', errno: -11, blockable: false,
    });
    expect(decodePrintk('nouveau_svmm_invalidate_range_start+0x0/0x140 [nouveau 0123456789abcdef] callback failed with -11 in non-blockable context.')).toMatchObject({ module: 'nouveau' });
  });
});

describe('decodePrintk: memcg lines', () => {
  it('≤4.19 memcg header lines and usage counters', () => {
    expect(decodePrintk('Task in /oomlab/a killed as a result of limit of /oomlab')).toEqual({ kind: 'memcg_task_in', task_memcg: '/oomlab/a', oom_memcg: '/oomlab' });
    expect(decodePrintk('Memory limit reached of cgroup /syz0')).toEqual({ kind: 'memcg_limit_reached', oom_memcg: '/syz0' });
    expect(decodePrintk('memory: usage 65536kB, limit 65536kB, failcnt 78')).toEqual({ kind: 'memcg_usage', counter: 'memory', usage_kb: 65536, limit_kb: 65536, failcnt: 78 });
    expect(decodePrintk('memory+swap: usage 0kB, limit 9007199254740988kB, failcnt 0')).toMatchObject({ counter: 'memory+swap', limit_kb: 9007199254740988 });
    expect(decodePrintk('Memory cgroup stats for /oomlab:')).toEqual({ kind: 'memcg_stats', memcg: '/oomlab' });
    expect(decodePrintk('Memory cgroup stats for /syz0: cache:680KB rss:176336KB')).toEqual({ kind: 'memcg_stats', memcg: '/syz0' });
    expect(decodePrintk('syz-executor0 cpuset=syz0 mems_allowed=0')).toEqual({ kind: 'oom_cpuset', comm: 'syz-executor0', cpuset: 'syz0', mems_allowed: '0' });
  });
});

describe('decodePrintk: warnings, sysrq, versions', () => {
  it('warning ≤6.18 (with and without file, ≤4.x "()"), ≥6.19', () => {
    expect(decodePrintk('WARNING: CPU: 0 PID: 31 at mm/mmu_notifier.c:510 __mmu_notifier_invalidate_range_start.cold+0x3c/0x52')).toEqual({
      kind: 'warning', file: 'mm/mmu_notifier.c', line: 510, cpu: 0, pid: 31, symbol: '__mmu_notifier_invalidate_range_start.cold', offset: 0x3c, size: 0x52,
    });
    expect(decodePrintk('WARNING: CPU: 1 PID: 7 at drivers/x.c:3 foo+0x1/0x2 [mod]()')).toMatchObject({ file: 'drivers/x.c', line: 3, module: 'mod', symbol: 'foo' });
    expect(decodePrintk('WARNING: CPU: 1 PID: 7 at foo+0x1/0x2')).toEqual({ kind: 'warning', cpu: 1, pid: 7, symbol: 'foo', offset: 1, size: 2 });
    expect(decodePrintk('WARNING: mm/mmu_notifier.c:495 at __mmu_notifier_invalidate_range_start+0x1c0/0x230, CPU#1: oom_reaper/31')).toEqual({
      kind: 'warning', file: 'mm/mmu_notifier.c', line: 495, cpu: 1, pid: 31, comm: 'oom_reaper', symbol: '__mmu_notifier_invalidate_range_start', offset: 0x1c0, size: 0x230,
    });
    expect(decodePrintk('WARNING: at foo+0x1/0x2 [m], CPU#0: kworker/0:1/12')).toMatchObject({ comm: 'kworker/0:1', pid: 12, module: 'm' });
    expect(decodePrintk('Speculative Return Stack Overflow: WARNING: See https://kernel.org/doc/html/latest/admin-guide/hw-vuln/srso.html for mitigation options.')).toEqual({ kind: 'other' });
  });

  it('sysrq_oom and no-victim lines', () => {
    expect(decodePrintk('sysrq: Manual OOM execution')).toEqual({ kind: 'sysrq_oom' });
    expect(decodePrintk('SysRq : Manual OOM execution')).toEqual({ kind: 'sysrq_oom' });
    expect(decodePrintk('OOM request ignored. No task eligible')).toEqual({ kind: 'oom_no_victim', sysrq: true });
    expect(decodePrintk('Out of memory and no killable processes...')).toEqual({ kind: 'oom_no_victim', sysrq: false });
  });

  it('kernel_version from the banner and from dump headers (Tainted, Not tainted, UID, Kdump)', () => {
    expect(decodePrintk('Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)')).toEqual({
      kind: 'kernel_version', release: '6.1.0-56-amd64',
    });
    expect(decodePrintk('CPU: 1 PID: 385 Comm: victim Tainted: G           OE      6.1.0-56-amd64 #1  Debian 6.1.192-2')).toEqual({
      kind: 'kernel_version', release: '6.1.0-56-amd64', cpu: 1, pid: 385, comm: 'victim', tainted: true, taint: 'G           OE',
    });
    expect(decodePrintk('CPU: 0 PID: 2050 Comm: syz-executor0 Not tainted 4.19.0-rc7-next-20181009+ #90')).toEqual({
      kind: 'kernel_version', release: '4.19.0-rc7-next-20181009+', cpu: 0, pid: 2050, comm: 'syz-executor0', tainted: false, taint: '',
    });
    expect(decodePrintk('CPU: 3 UID: 1000 PID: 9 Comm: a Not tainted 1.2 Kdump: loaded Tainted: W 6.12.95 #1')).toMatchObject({
      release: '6.12.95', uid: 1000, pid: 9, comm: 'a Not tainted 1.2', tainted: true,
    });
  });
});

describe('decodePrintk: framing', () => {
  it('strips the ≤5.18 console time prefix into log_ts and reads only the first line', () => {
    expect(decodePrintk('[   13.502863] oom_reaper: unable to reap pid:358 (victim)')).toEqual({
      kind: 'oom_unable_to_reap', pid: 358, comm: 'victim', log_ts: 13_502_863_000n,
    });
    expect(decodePrintk('[   13.499546] anon 65900544\n[   13.499546] file 0')).toEqual({ kind: 'other', log_ts: 13_499_546_000n });
    expect(decodePrintk('oom_reaper: unable to reap pid:1 (a)\r')).toMatchObject({ kind: 'oom_unable_to_reap' });
  });

  it('unknown and empty messages are `other`', () => {
    for (const t of ['', ' ', 'mntest: release tgid 385 mm ffff8de141060480', 'Call Trace:', '[  pid  ]   uid  tgid total_vm      rss']) {
      expect(decodePrintk(t)).toEqual({ kind: 'other' });
    }
  });
});
