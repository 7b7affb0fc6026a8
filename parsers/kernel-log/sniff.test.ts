import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { bundledCaptures, captureFile, HAVE_SHARED, sharedCaptures, type Capture } from '../../src/testing/captures.ts';
import { sniffKernelLog } from './sniff.ts';

const head = (s: string): string => Buffer.from(s).subarray(0, 64 * 1024).toString('latin1');

describe('sniffKernelLog: inline samples', () => {
  it('is confident for every kernel-log style', () => {
    const samples = [
      '[    0.000000] Linux version 6.1.0 (x) #1\n[    0.000001] Command line: quiet\n',
      '<6>[    1.234567] a\n<4>[    1.234568] b\n',
      'kern  :info  : [    5.123456] a\nkern  :warn  : [    5.123457] b\n',
      'kern  :info  : a\nkern  :err   : b\n',
      '6,1234,5123456,-;a\n SUBSYSTEM=pci\n4,1235,5123457,-,caller=T1;b\n',
      '-- Logs begin at Sat 2025-11-22 08:00:01 UTC. --\n[    5.123456] vm kernel: a\n',
      'Nov 22 08:56:09 vm kernel: a\nNov 22 08:56:10 vm kernel: b\n',
      '2025-11-22T08:56:09+0000 vm kernel: a\n',
      'Sat 2025-11-22 08:56:09 UTC vm kernel: a\n1763801769.123456 vm kernel: b\n',
      '[Sat Nov 22 08:56:09 2025] a\n',
      '[    1.234567][  T123] a\r\n[    1.234568][    C1] b\r\n',
      'Linux (none) 6.1.0-56-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16) x86_64 GNU/Linux\n',
      'Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org) (gcc-12) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2\n',
    ];
    for (const s of samples) expect(sniffKernelLog(head(s)), s).toBeGreaterThanOrEqual(0.9);
  });

  it('accepts untimed dmesg that shows an OOM kill, below the timed styles', () => {
    const s = 'victim invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\nHardware name: QEMU\nCall Trace:\n';
    expect(sniffKernelLog(s)).toBeGreaterThanOrEqual(0.5);
    expect(sniffKernelLog(s)).toBeLessThan(0.9);
  });

  it('is low for trace text, even when it carries printk:console events', () => {
    const samples = [
      '# tracer: nop\n#\n            init-1       [000] ...1.     6.899413: rss_stat: mm_id=1 curr=0\n',
      '          victim-358     [000] d...    13.489944: console: [   13.488982] victim invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n',
      'cpus=2\n           sleep-374   [000]    11.923140: rss_stat:             mm_id=1 curr=1\n',
      '           sleep   374 [000]    11.922501:             kmem:rss_stat: mm_id=1 curr=1\n',
      '           sleep   374/374   [000]    11.922501426:      printk:console: [   13.488982] x\n',
      'p:mn/mn_inv_start __mmu_notifier_invalidate_range_start range=%di:x64\n',
      'time,cpu,pid,comm,event,text\n1.0,0,1,a,oom:mark_victim,pid=1\n',
      '',
    ];
    for (const s of samples) expect(sniffKernelLog(head(s)), s).toBeLessThan(0.5);
  });
});

/** The bundled samples always, every shared capture too when ../shared/traces is there. */
const captures = [...bundledCaptures(), ...(HAVE_SHARED ? sharedCaptures() : [])];
const label = (c: Capture): string => `${c.bundled ? 'samples' : 'shared'} ${c.id}`;

describe('sniffKernelLog: real captures', () => {
  it('has the bundled samples at least', () => {
    expect(captures.filter((c) => c.bundled).length).toBeGreaterThan(0);
  });

  /** The first 64 KiB of a capture's file (plain or gzipped), as the sniffer gets it. */
  const head64 = (path: string): string => {
    const b = readFileSync(path);
    return (path.endsWith('.gz') ? gunzipSync(b) : b).subarray(0, 64 * 1024).toString('latin1');
  };
  const LOGS = ['dmesg.txt', 'uname.txt', 'proc-version.txt'];
  const OTHERS = ['ftrace.txt', 'trace-cmd-report.txt', 'perf-script.txt', 'perf-script-fields.txt', 'kprobe_events.txt', 'truth.json'];

  for (const c of captures) {
    for (const f of LOGS) {
      const path = captureFile(c, f);
      (path ? it : it.skip)(`${label(c)}: ${f} is a kernel log`, () => {
        expect(sniffKernelLog(head64(path!)), f).toBeGreaterThanOrEqual(0.9);
      });
    }
    for (const f of OTHERS) {
      const path = captureFile(c, f);
      (path ? it : it.skip)(`${label(c)}: ${f} (a recorder's output) is not`, () => {
        expect(sniffKernelLog(head64(path!)), f).toBeLessThan(0.5);
      });
    }
  }
});
