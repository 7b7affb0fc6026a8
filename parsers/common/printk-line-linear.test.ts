// Every printk rule reads a line in linear time: a crafted line made of the rule's
// own separators, repeated (the input that makes backtracking regexes blow up),
// decodes correctly and fast. Correctness is asserted; the time bound is generous
// (a loaded machine), far above what a linear reader needs and far below what a
// polynomial one takes on these lines.
import { describe, it, expect } from 'vitest';
import { decodePrintk } from './printk-line.ts';

const BOUND_MS = 100;

/** The best of three runs: a pause of a loaded machine (GC, another process) is not the reader's time. */
function timed(line: string): { kind: unknown; ms: number; fields: ReturnType<typeof decodePrintk> } {
  let ms = Infinity;
  let fields: ReturnType<typeof decodePrintk>;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    fields = decodePrintk(line);
    ms = Math.min(ms, performance.now() - t0);
  }
  return { kind: fields?.kind, ms, fields };
}

/** `head + sep × n + tail` filling about `size` characters. */
function crafted(head: string, sep: string, tail: string, size: number): string {
  return head + sep.repeat(Math.max(1, Math.floor((size - head.length - tail.length) / sep.length))) + tail;
}

// Per rule: head, the separators that rule's fields are cut at, a tail; and the kind the
// longest line a kernel can print (≤ 8 KiB here) must decode to.
const CASES: [string, string, string, string, string][] = [
  ['summary', 'oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/', ',mems_allowed=0,oom_memcg=/a,task_memcg=/b,task=', 'x,pid=1,uid=0', 'oom_summary'],
  ['kill', 'Out of memory: Killed process 1 (', ') total-vm:1kB, anon-rss:1kB, file-rss:1kB, shmem-rss:1kB, UID:1 pgtables:1kB oom_score_adj:1', ') total-vm:1kB, anon-rss:1kB, file-rss:1kB, shmem-rss:1kB', 'oom_kill'],
  ['kill prefix', ': Killed process 1 (x) total-vm:1kB'.slice(0, 2), ': : Killed process (', 'Out of memory: Killed process 1 (x) total-vm:1kB, anon-rss:1kB, file-rss:1kB', 'other'],
  ['kill el7', 'Killed process 1 (', '), UID 0, ) (', '), UID 0, total-vm:1kB, anon-rss:1kB, file-rss:1kB, shmem-rss:0kB', 'oom_kill'],
  ['choose', 'Memory cgroup out of memory: Kill process 1 (', ') score 1 or sacrifice child) (', ') score 1 or sacrifice child', 'oom_choose'],
  ['exiting', 'Out of memory: OOM victim 1 (', ') is already exiting. ', ') is already exiting. Skip killing the task', 'oom_victim_exiting'],
  ['invoked', 'a', ' invoked oom-killer: gfp_mask=0x0, ', ' invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0', 'oom_invoked'],
  ['cpuset', 'a', ' cpuset=/ mems_allowed=0 x', ' cpuset=/ mems_allowed=0', 'oom_cpuset'],
  ['task in', 'Task in /a', ' killed as a result of limit of /b', '', 'memcg_task_in'],
  ['memcg stats', 'Memory cgroup stats for /a', ': ab:1KB', ': cache:0KB rss:1KB', 'memcg_stats'],
  ['reaped', 'oom_reaper: reaped process 1 (', '), now anon-rss:0kB, file-rss:0kB, (', '), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB', 'oom_reaped'],
  ['unable', 'oom_reaper: unable to reap pid:1 (', ')(', ')', 'oom_unable_to_reap'],
  ['pinned', 'oom killer 1 (', ') has mm pinned by 2 (', ')', 'oom_mm_pinned'],
  ['cpu line', 'CPU: 0 PID: 1 Comm: ', ' Tainted: G ', ' Tainted: G           OE    --------  ---  5.14.0-285.el9.x86_64 #1', 'kernel_version'],
  ['warning', 'WARNING: CPU: 0 PID: 1 at a.c:1 ', 'f+0x1/0x2 ', 'f+0x1/0x2 [m]', 'other'],
  ['notifier', 'f+0x0/0x1 ', 'callback failed with -11 in ', 'callback failed with -11 in non-blockable context.', 'other'],
];

describe('printk rules read crafted lines in linear time', () => {
  for (const [name, head, sep, tail, kind] of CASES) {
    it(`${name}: 8 KiB line decodes, 1 MiB line is no kernel line`, () => {
      const small = timed(crafted(head, sep, tail, 8000));
      expect(small.ms).toBeLessThan(BOUND_MS);
      expect(small.kind).toBe(kind);
      const big = timed(crafted(head, sep, tail, 1 << 20));
      expect(big.ms).toBeLessThan(BOUND_MS);
      expect(big.kind).toBe('other');
    });
  }

  it('the summary scanner takes the pid and uid at the end and the comm after the last ,task=', () => {
    const f = decodePrintk(crafted('oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/', ',mems_allowed=0,oom_memcg=/a,task_memcg=/b,task=', 'x,pid=7,uid=3', 8000))!;
    expect(f).toMatchObject({ kind: 'oom_summary', task: 'x', pid: 7, uid: 3, constraint: 'CONSTRAINT_MEMCG' });
  });
});
