import { describe, expect, it } from 'vitest';
import { sniffPerfScript } from './sniff.ts';

const lines = (...l: string[]): string => l.map((x) => `${x}\n`).join('');

describe('sniffPerfScript', () => {
  it('is confident on both perf script layouts', () => {
    expect(sniffPerfScript(lines(
      '           sleep   374 [001]    11.882230:             kmem:rss_stat: mm_id=2961897897 curr=1',
      '          victim   384 [001]    12.450675:            printk:console: anon 66625536',
      'file 0',
      '      oom_reaper    32 [001]    14.461220:     mn:__oom_reap_task_mm: (ffffffff89888830) mm=0xffff8e2241063180',
    ))).toBeGreaterThanOrEqual(0.9);
    expect(sniffPerfScript(lines(
      '           sleep   374/374   [001]    11.882230315:             kmem:rss_stat: mm_id=2961897897 curr=1',
      '          stress    4240/4242    [003]  1234.567890123: oom:mark_victim: pid=4242',
    ))).toBeGreaterThanOrEqual(0.9);
  });

  it('is low on tracefs text, trace_pipe and trace-cmd report', () => {
    expect(sniffPerfScript(lines(
      '# tracer: nop',
      '#',
      '          victim-385     [001] .N.1.    12.512232: mark_victim: pid=385',
    ))).toBeLessThan(0.5);
    expect(sniffPerfScript(lines(
      '          victim-385     [001] .N.1.    12.512232: mark_victim: pid=385',
      '          victim-385     [001]    12.512232: mark_victim: pid=385',
    ))).toBeLessThan(0.5);
    expect(sniffPerfScript(lines(
      'cpus=2',
      '          victim-385   [001]    12.506570: console:              Memory cgroup stats for',
      '          victim-358   [000] ....    13.504663: mark_victim:          pid=358',
    ))).toBeLessThan(0.5);
    expect(sniffPerfScript(lines('[   12.562276] file 0', 'hello'))).toBe(0);
  });
});
