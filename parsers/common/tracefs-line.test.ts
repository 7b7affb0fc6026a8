// The head scanner on the heads real recorders print and on odd ones: what it finds
// must not depend on the fast path (16-column comm) or the slow one (anything else).
import { describe, expect, it } from 'vitest';
import { commStart, newHead, scanHead } from './tracefs-line.ts';

function scan(line: string, padded = false) {
  const buf = Buffer.from(line + '\n', 'latin1');
  const h = newHead();
  if (!scanHead(buf, 0, line.length, h, padded)) return undefined;
  const s = (a: number, b: number): string => buf.toString('latin1', a, b);
  return {
    comm: s(commStart(buf, h), h.commEnd),
    pid: h.pid,
    tgid: h.tgid,
    cpu: h.cpu,
    flags: s(h.flagsStart, h.flagsEnd),
    secs: h.ts.secs,
    nanos: h.ts.nanos,
    raw: h.ts.raw,
    name: s(h.nameStart, h.nameEnd),
    text: s(h.textStart, line.length),
  };
}

describe('scanHead', () => {
  it("reads 6.1's five flag characters and 5.10's four", () => {
    expect(scan('            init-1       [000] d.h2.     9.821052: local_timer_entry: vector=236')).toEqual({
      comm: 'init', pid: 1, tgid: -2, cpu: 0, flags: 'd.h2.', secs: 9, nanos: 821052000, raw: false,
      name: 'local_timer_entry', text: 'vector=236',
    });
    expect(scan('            init-1       [000] .N..     7.016056: rss_stat: mm_id=852898386 curr=0')).toMatchObject({
      comm: 'init', pid: 1, cpu: 0, flags: '.N..', secs: 7, nanos: 16056000, name: 'rss_stat', text: 'mm_id=852898386 curr=0',
    });
  });

  it('reads a head with no flags (trace-cmd report before 3.3), its text after the padded name', () => {
    expect(scan('           sleep-374   [001]    12.059818: rss_stat:             mm_id=148051342 curr=1', true)).toEqual({
      comm: 'sleep', pid: 374, tgid: -2, cpu: 1, flags: '', secs: 12, nanos: 59818000, raw: false,
      name: 'rss_stat', text: 'mm_id=148051342 curr=1',
    });
  });

  it('reads a comm with spaces, dashes and brackets, in 16 columns and wider', () => {
    expect(scan('  kworker/u4:2-mm-1234    [001] .....    50.000001: sched_switch: x')).toMatchObject({ comm: 'kworker/u4:2-mm', pid: 1234, cpu: 1 });
    expect(scan('      my task x-77      [000] .....    50.000002: sched_wakeup: y')).toMatchObject({ comm: 'my task x', pid: 77, cpu: 0 });
    expect(scan('          <idle>-0       [001] ..s1.     9.821327: softirq_entry: vec=9')).toMatchObject({ comm: '<idle>', pid: 0, flags: '..s1.' });
    expect(scan('[a] b-[c]-2-9 [003] ..... 1.5: x: t')).toMatchObject({ comm: '[a] b-[c]-2', pid: 9, cpu: 3, nanos: 500000000 });
    expect(scan('a-very-long-comm-name-12345 [001] ..... 1.000001: x: t')).toMatchObject({ comm: 'a-very-long-comm-name', pid: 12345 });
  });

  it('reads the TGID column before or after the CPU, known or not', () => {
    expect(scan('          victim-358     (    358) [000] ....    13.504663: mark_victim: pid=358')).toMatchObject({ pid: 358, tgid: 358, cpu: 0, flags: '....' });
    expect(scan('          victim-358     [000] (-------) ....    13.504663: mark_victim: pid=358')).toMatchObject({ pid: 358, tgid: -1, cpu: 0, flags: '....' });
  });

  it('reads a counter clock (no fraction) and a stamp right after the CPU', () => {
    expect(scan('            init-1       [000] .....  123456789: sys_exit: NR 1 = 2')).toMatchObject({ secs: 123456789, nanos: 0, raw: true, flags: '.....' });
    expect(scan('            init-1       [000]   12.5: sys_exit: NR 1 = 2')).toMatchObject({ secs: 12, nanos: 500000000, flags: '' });
  });

  it('refuses heads that only look like events', () => {
    expect(scan('            init-1       [000] .....     9.820556 sys_exit: NR 1 = 2')).toBeUndefined();
    expect(scan('            init-1       [000] .....     9.820556: sys_exit NR 1 = 2')).toBeUndefined();
    expect(scan('            init-1       [000] .....     9.820556: : NR 1 = 2')).toBeUndefined();
    expect(scan('            init-1       [000 .....     9.820556: sys_exit: NR 1 = 2')).toBeUndefined();
    expect(scan('            init-1       (000] .....     9.820556: sys_exit: NR 1 = 2')).toBeUndefined();
    expect(scan('            init-12345678901 [000] .....     9.820556: sys_exit: x')).toBeUndefined();
    expect(scan('            init-1       [000] .....     9.8205561234: sys_exit: x')).toBeUndefined();
    expect(scan('            init-1       [000] .....')).toBeUndefined();
    expect(scan('            init-1')).toBeUndefined();
  });
});
