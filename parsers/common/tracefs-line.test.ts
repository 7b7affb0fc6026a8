// The head scanner on the heads real recorders print and on odd ones: what it finds
// must not depend on the fast path (16-column comm) or the slow one (anything else).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { SAMPLES_DIR } from '../../src/testing/captures.ts';
import { commStart, newHead, scanHead, scanHeadGeneral, type LineHead } from './tracefs-line.ts';

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

describe('the fixed-layout path', () => {
  const lines = (rel: string, n: number): string[] =>
    gunzipSync(readFileSync(join(SAMPLES_DIR, rel))).toString('latin1').split('\n').slice(0, n);
  const real = [
    ...lines('5.10/mn_eagain_end/ftrace.txt.gz', 3000),
    ...lines('6.1/premature/ftrace.txt.gz', 3000),
    ...lines('6.1/premature/trace-cmd-report.txt.gz', 1000),
  ];
  const fields = (h: LineHead) => ({ ...h, ts: { ...h.ts } });
  const both = (line: string, padded: boolean) => {
    const buf = Buffer.from(line + '\n', 'latin1');
    const a = newHead();
    const b = newHead();
    const ok = scanHead(buf, 0, line.length, a, padded);
    expect(scanHeadGeneral(buf, 0, line.length, b, padded)).toBe(ok);
    if (ok) expect(fields(a)).toEqual(fields(b));
    return ok;
  };

  it('reads real lines of 5.10 and 6.1 as the general scan does', () => {
    let events = 0;
    for (const l of real) if (both(l, false)) events++;
    expect(events).toBeGreaterThan(6000);
  });

  it('agrees with the general scan on lines with a byte of the head changed, dropped or doubled', () => {
    // A fixed seed: the same lines every run.
    let seed = 12345;
    const rand = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
    const swaps = ' .:[]()-0123456789dNhs\t';
    const base = real.filter((l) => / \[\d{3}\] /.test(l)).slice(0, 600);
    let accepted = 0;
    let refused = 0;
    for (const l of base) {
      for (let k = 0; k < 30; k++) {
        const at = 10 + rand(50);
        const op = rand(3);
        const ch = swaps[rand(swaps.length)]!;
        const m = op === 0 ? l.slice(0, at) + ch + l.slice(at + 1) : op === 1 ? l.slice(0, at) + l.slice(at + 1) : l.slice(0, at) + l[at] + l.slice(at);
        if (both(m, false)) accepted++;
        else refused++;
        both(m, true);
      }
    }
    expect(accepted).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(1000);
  });
});
