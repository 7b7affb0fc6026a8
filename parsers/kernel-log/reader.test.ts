import { describe, it, expect } from 'vitest';
import { diagCounts, feed, type Fed } from '../../src/testing/feed.ts';
import { kernelLogImporter } from './index.ts';

/** Parse whole and in 1-, 7- and 4096-byte chunks; every run must give the same result. */
function parseAll(input: Buffer | string, filter?: string[], maxLine?: number): Fed {
  const opts = { file: 'in', events: filter, maxLine };
  const whole = feed(kernelLogImporter, input, opts);
  for (const chunk of [1, 7, 4096]) {
    const p = feed(kernelLogImporter, input, { ...opts, chunk });
    expect(p.events, `chunk ${chunk}`).toEqual(whole.events);
    expect(p.meta, `chunk ${chunk}`).toEqual(whole.meta);
    expect(diagCounts(p.ctx), `chunk ${chunk}`).toEqual(diagCounts(whole.ctx));
  }
  return whole;
}

/** ts, cpu, pid and text of each event. */
function rows(p: Fed): [bigint, number, number, string][] {
  return p.events.map((e) => [e.ts, e.cpu, e.pid, e.text]);
}

const KILL = 'Out of memory: Killed process 42 (a b) total-vm:1kB, anon-rss:0kB, file-rss:0kB, shmem-rss:0kB';

describe('kernel-log reader: prefix styles', () => {
  it('dmesg with [%5lu.%06lu] prefix, long uptimes', () => {
    const p = parseAll(`[    0.000000] Linux version 6.1.0-56-amd64 (x@y) #1 SMP\n[   12.495136] ${KILL}\n[1234567.000001] late\n`);
    expect(rows(p)).toEqual([
      [0n, -1, -1, 'Linux version 6.1.0-56-amd64 (x@y) #1 SMP'],
      [12_495_136_000n, -1, -1, KILL],
      [1_234_567_000_001_000n, -1, -1, 'late'],
    ]);
    expect(p.events[1]).toMatchObject({ name: 'printk:console', comm: '', src: { file: 'in', line: 2, offset: 57 } });
    expect(p.meta).toMatchObject({ kernelRelease: '6.1.0-56-amd64', segments: 1, lines: 3 });
    expect(p.ctx.diag.counts.size).toBe(0);
  });

  it('dmesg without times, -e, -d: untimed (-1n); -T and --time-format iso: the wall clock', () => {
    const p = parseAll([
      'oom_reaper: unable to reap pid:1 (a)',
      '[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name',
      '[Sat Nov 22 08:56:09 2025] wall',
      '[Nov22 08:56] rel',
      '[  +0.000123] delta',
      '[<    0.000123>] delta only',
      '2025-11-22T08:56:09,123456+00:00 iso',
    ].join('\n'));
    const at = BigInt(Date.UTC(2025, 10, 22, 8, 56, 9)) * 1_000_000n;
    expect(rows(p).map((r) => [r[0], r[3]])).toEqual([
      [-1n, 'oom_reaper: unable to reap pid:1 (a)'],
      [-1n, '[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name'],
      [at, 'wall'], [-1n, 'rel'], [-1n, 'delta'], [-1n, 'delta only'], [at + 123_456_000n, 'iso'],
    ]);
    expect(p.meta.traceClock).toBe('wall');
  });

  it('dmesg -T in other locales', () => {
    const p = parseAll(['[Mi Dez  6 10:00:00 2023] de', '[jeu. déc.  7 10:00:01 2023] fr', '[四 12月  7 10:00:02 2023] zh'].join('\n'));
    const d6 = BigInt(Date.UTC(2023, 11, 6, 10, 0, 0)) * 1_000_000n;
    expect(rows(p).map((r) => [r[0], r[3]])).toEqual([[d6, 'de'], [d6 + 86_401_000_000_000n, 'fr'], [d6 + 86_402_000_000_000n, 'zh']]);
  });

  it('year-less syslog across New Year keeps its durations', () => {
    const p = parseAll(['Dec 31 23:59:59 h kernel: a', 'Jan  1 00:00:01 h kernel: b'].join('\n'));
    expect(p.events[1]!.ts - p.events[0]!.ts).toBe(2_000_000_000n);
  });

  it('dmesg -d keeps the monotonic time', () => {
    expect(rows(parseAll('[   12.000001 <    0.000100>] msg\n'))).toEqual([[12_000_001_000n, -1, -1, 'msg']]);
  });

  it('dmesg -x, <level> (dmesg -r, console), printk caller ids', () => {
    const p = parseAll([
      'kern  :info  : [    5.123456] x',
      'kern  :warn  : untimed',
      'user  :notice: [    6.000000] systemd[1]: y',
      '<6>[    1.234567] raw',
      '<14>plain',
      '[    1.234567][  T123] caller',
      '[    1.234567] [C1] in irq',
      '[  T9] caller, no time',
    ].join('\n'));
    expect(rows(p)).toEqual([
      [5_123_456_000n, -1, -1, 'x'],
      [-1n, -1, -1, 'untimed'],
      [6_000_000_000n, -1, -1, 'systemd[1]: y'],
      [1_234_567_000n, -1, -1, 'raw'],
      [-1n, -1, -1, 'plain'],
      [1_234_567_000n, -1, 123, 'caller'],
      [1_234_567_000n, 1, -1, 'in irq'],
      [-1n, -1, 9, 'caller, no time'],
    ]);
  });

  it('/dev/kmsg records: µs time, caller, escapes, dictionary lines', () => {
    const p = parseAll([
      '6,1234,5123456,-;oom_reaper: reaped process 7 (a\\x5cb), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB',
      ' SUBSYSTEM=memory',
      ' DEVICE=+memory:x',
      '4,1235,5123457,c,caller=T385;anon 1\\x0afile 0',
      '12,1236,18446744073709,-;na\\xc3\\xafve',
    ].join('\n'));
    expect(rows(p)).toEqual([
      [5_123_456_000n, -1, -1, 'oom_reaper: reaped process 7 (a\\b), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB'],
      [5_123_457_000n, -1, 385, 'anon 1\nfile 0'],
      [18_446_744_073_709_000n, -1, -1, 'naïve'],
    ]);
  });

  it('journalctl -k -o short-monotonic; other programs\' lines are not kernel messages', () => {
    const p = parseAll([
      '-- Logs begin at Sat 2025-11-22 08:00:01 UTC, end at Sat 2025-11-22 09:00:01 UTC. --',
      '[    0.000000] vm kernel: Linux version 6.1.0-56-amd64 (x@y) #1 SMP',
      '[    5.123456] vm kernel: usb 1-1: new device',
      '[    5.200000] vm systemd[1]: Started foo.',
      '[    5.300000] vm kernel: ' + KILL,
    ].join('\n'));
    expect(rows(p).map((r) => [r[0], r[3]])).toEqual([
      [0n, 'Linux version 6.1.0-56-amd64 (x@y) #1 SMP'],
      [5_123_456_000n, 'usb 1-1: new device'],
      [5_300_000_000n, KILL],
    ]);
  });

  it('a dmesg whose first line looks like `host ident: ` keeps it as the message', () => {
    const p = parseAll('[    1.000000] usb 1-1: new high-speed USB device\n[    2.000000] input input5: x\n');
    expect(p.events.map((e) => e.text)).toEqual(['usb 1-1: new high-speed USB device', 'input input5: x']);
  });

  it('journalctl -k short, short-iso, short-precise, short-full, short-unix: the wall clock; printk stamps win', () => {
    const wall = parseAll([
      'Nov 22 08:56:09 host kernel: victim invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0',
      'Nov 22 08:56:09 host systemd[1]: not kernel',
      '2025-11-22T08:56:09+0100 host kernel: iso',
      'Nov 22 08:56:09.123456 host kernel: precise',
      'Sat 2025-11-22 08:56:09 UTC host kernel: full',
      '1763801769.123456 host kernel: unix',
    ].join('\n'));
    const y2000 = BigInt(Date.UTC(2000, 10, 22, 8, 56, 9)) * 1_000_000n;
    const y2025 = BigInt(Date.UTC(2025, 10, 22, 8, 56, 9)) * 1_000_000n;
    expect(rows(wall).map((r) => [r[0], r[3]])).toEqual([
      [y2000, 'victim invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0'],
      [y2025 - 3_600_000_000_000n, 'iso'],
      [y2000 + 123_456_000n, 'precise'],
      [y2025, 'full'],
      [1_763_801_769_123_456_000n, 'unix'],
    ]);
    expect(wall.meta.traceClock).toBe('wall');
    const mixed = parseAll(['Nov  2 08:56:09 host kernel: [   12.000001] rsyslog usb 1-1: x', 'Nov  2 08:56:10 host kernel: no stamp'].join('\n'));
    expect(rows(mixed).map((r) => [r[0], r[3]])).toEqual([[12_000_001_000n, 'rsyslog usb 1-1: x'], [-1n, 'no stamp']]);
    expect(mixed.meta.traceClock).toBeUndefined();
  });
});

describe('kernel-log reader: release and segments', () => {
  it('kernel release from uname -a, /proc/version and dump headers', () => {
    expect(parseAll('Linux (none) 6.1.0-56-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16) x86_64 GNU/Linux\n').meta.kernelRelease).toBe('6.1.0-56-amd64');
    expect(parseAll('Linux version 5.10.0-32-amd64 (debian-kernel@lists.debian.org) (gcc-10) #1 SMP Debian 5.10.223-1\n').meta.kernelRelease).toBe('5.10.0-32-amd64');
    expect(parseAll('[ 1.000000] CPU: 1 PID: 385 Comm: victim Not tainted 4.19.0 #1\n').meta.kernelRelease).toBe('4.19.0');
    expect(parseAll('[ 1.000000] CPU: 0 UID: 0 PID: 1 Comm: x Tainted: G W 6.12.95-amd64 #1 Debian\n').meta.kernelRelease).toBe('6.12.95-amd64');
  });

  it('a second boot (banner or journal boot line) starts a new segment', () => {
    const p = parseAll([
      '-- Boot 0123abcd --',
      '[    0.000000] h kernel: Linux version 5.10.0-32-amd64 (x) #1',
      '[    9.000000] h kernel: a',
      '-- Boot 4567ef01 --',
      '[    0.000000] h kernel: Linux version 6.1.0-56-amd64 (x) #1',
      '[    1.000000] h kernel: b',
    ].join('\n'));
    expect(p.meta).toMatchObject({ segments: 2, kernelRelease: '5.10.0-32-amd64' });
    expect(diagCounts(p.ctx)).toEqual({ second_header: 1 });
    expect(p.events).toHaveLength(4);
    expect(parseAll('[ 0.000000] Linux version 6.1 (x) #1\n[ 1.000000] a\n[ 0.000000] Linux version 6.1 (x) #1\n').meta.segments).toBe(2);
  });

  it('the --events filter leaves out the events but still reads the release', () => {
    const p = parseAll('[ 0.000000] Linux version 6.1.0 (x) #1\n[ 1.000000] a\n', ['oom:*']);
    expect(p.events).toHaveLength(0);
    expect(p.meta.kernelRelease).toBe('6.1.0');
  });
});

describe('kernel-log reader: broken input', () => {
  it('binary bytes: that line is reported and skipped, the stream goes on', () => {
    const input = Buffer.concat([Buffer.from('[ 1.000000] a\n[ 2.000000] b\0\x01\x02c\n'), Buffer.alloc(40), Buffer.from('\n[ 3.000000] d\n')]);
    const p = parseAll(input);
    expect(p.events.map((e) => e.text)).toEqual(['a', 'd']);
    expect(diagCounts(p.ctx)).toEqual({ binary_data: 2 });
    expect(p.ctx.diag.bySeverity('error')).toBe(2);
    expect(p.ctx.diag.kept[0]!.src).toEqual({ file: 'in', line: 2, offset: 14 });
  });

  it('CRLF and \\r\\r\\n line ends, blank lines', () => {
    const p = parseAll('[ 1.000000] a\r\n\r\n[ 2.000000] b\r\r\n\n');
    expect(rows(p)).toEqual([[1_000_000_000n, -1, -1, 'a'], [2_000_000_000n, -1, -1, 'b']]);
    expect(p.ctx.diag.counts.size).toBe(0);
  });

  it('a last line without newline is read; one cut inside its time prefix is reported', () => {
    expect(rows(parseAll('[ 1.000000] a\n[ 2.000000] b'))).toEqual([[1_000_000_000n, -1, -1, 'a'], [2_000_000_000n, -1, -1, 'b']]);
    const cut = parseAll('[ 1.000000] a\n[    2.00');
    expect(cut.events).toHaveLength(1);
    expect(diagCounts(cut.ctx)).toEqual({ truncated_line: 1 });
  });

  it('invalid UTF-8 is replaced and noted; valid UTF-8 comms are kept', () => {
    const p = parseAll(Buffer.concat([Buffer.from('[ 1.000000] oom_reaper: unable to reap pid:1 (\xff)\n', 'latin1'), Buffer.from('[ 2.000000] oom_reaper: unable to reap pid:2 (процесс)\n')]));
    expect(p.events.map((e) => e.text)).toEqual(['oom_reaper: unable to reap pid:1 (\ufffd)', 'oom_reaper: unable to reap pid:2 (процесс)']);
    expect(diagCounts(p.ctx)).toEqual({ invalid_utf8: 1 });
  });

  it('colour escapes of dmesg --color=always are removed', () => {
    const p = parseAll('\x1b[32m[    1.000000] \x1b[0m\x1b[33mkvm: \x1b[0mNested Virtualization enabled\n');
    expect(rows(p)).toEqual([[1_000_000_000n, -1, -1, 'kvm: Nested Virtualization enabled']]);
  });

  it('an over-long line is reported by the splitter and skipped', () => {
    const p = parseAll(`[ 1.000000] ${'x'.repeat(100)}\n[ 2.000000] b\n`, undefined, 64);
    expect(p.events.map((e) => e.text)).toEqual(['b']);
    expect(diagCounts(p.ctx)).toEqual({ line_too_long: 1 });
  });
});

describe('kernel-log reader: crafted 1 MiB lines of each prefix separator', () => {
  const SEPS = ['> ', ' ', '\t> ', '[', '[ 1.000000] ', 'Nov 22 08:56:09 ', 'h kernel: ', '[Sat Nov 22 08:56:09 2025] ', '1.000000] ', 'a # ', '<6>', '-- ', '{"MESSAGE":', '#012', 'x\x01'];
  for (const sep of SEPS) {
    it(JSON.stringify(sep), () => {
      const line = sep.repeat(Math.floor((1 << 20) / sep.length)) + 'Out of memory: Killed process 1 (a) total-vm:1kB, anon-rss:1kB, file-rss:1kB, shmem-rss:1kB';
      const t0 = performance.now();
      const p = feed(kernelLogImporter, line + '\n', { file: 'in', maxLine: 4 << 20 });
      expect(performance.now() - t0).toBeLessThan(250);
      expect(p.events.length + (p.ctx.diag.count('binary_data') ?? 0)).toBe(1);
    });
  }
});

describe('kernel-log reader: pastes', () => {
  const KILL4 = 'Out of memory: Killed process 4242 (stress) total-vm:8402412kB, anon-rss:7864320kB, file-rss:1536kB, shmem-rss:0kB';

  it('mail quoting, indentation, a bare kernel: prefix, a lost "[", a foreign leader', () => {
    const p = parseAll([
      '> Nov 22 08:56:09 h kernel: [   12.000001] a',
      '>> [   12.000002] b',
      '    Nov 22 08:56:09 h kernel: [   12.000003] c',
      'kernel: d',
      '12.000005] e',
      'vm1 # [   12.000006] f',
      ' [<ffffffff81720bf6>] dump_stack+0x45/0x56',
    ].join('\n'));
    expect(rows(p).map((r) => [r[0], r[3]])).toEqual([
      [12_000_001_000n, 'a'], [12_000_002_000n, 'b'], [12_000_003_000n, 'c'], [-1n, 'd'], [12_000_005_000n, 'e'], [12_000_006_000n, 'f'],
      [12_000_006_000n, ' [<ffffffff81720bf6>] dump_stack+0x45/0x56'],
    ]);
  });

  it('a wrapped kill line is joined; a cut one keeps its pid and comm and is reported', () => {
    const wrapped = parseAll(`Nov 22 08:56:09 h kernel: [   12.000001] ${KILL4.slice(0, 70)}\n${KILL4.slice(70)}\n`);
    expect(wrapped.events.map((e) => e.text)).toEqual([KILL4]);
    expect(diagCounts(wrapped.ctx)).toEqual({ continuation_line: 1 });
    const cut = parseAll(`[   12.000001] ${KILL4.slice(0, 60)}\n[   12.000002] next\n`);
    expect(cut.events.map((e) => e.text)).toEqual([KILL4.slice(0, 60), 'next']);
    expect(diagCounts(cut.ctx)).toEqual({ truncated_line: 1 });
  });

  it('another program\'s wrapped line is skipped with it', () => {
    const p = parseAll('Dec 11 10:48:08 h dockerd: time="x" address="/a/b\nc/shim.sock" pid=1\nDec 11 10:48:09 h kernel: k\n');
    expect(p.events.map((e) => e.text)).toEqual(['k']);
  });

  it('snipped pastes and journald misses are data loss', () => {
    const p = parseAll(['[ 1.000000] a', '(...snipped...)', '[ 2.000000] b', '[...]', 'Jun 09 20:38:39 h systemd-journal[15701]: Missed 4505 kernel messages'].join('\n'));
    expect(p.events.map((e) => e.text)).toEqual(['a', 'b']);
    expect(p.losses.map((l) => [l.kind, l.count, l.src.line])).toEqual([['events_dropped', undefined, 2], ['events_dropped', undefined, 4], ['events_dropped', 4505, 5]]);
  });

  it('control bytes in a comm and rsyslog #ooo escapes', () => {
    const p = parseAll(Buffer.from('[ 1.000000] oom_reaper: unable to reap pid:1 (a\x01b)\n[ 2.000000] x#011y\n', 'latin1'));
    expect(p.events.map((e) => e.text)).toEqual(['oom_reaper: unable to reap pid:1 (a\x01b)', 'x\ty']);
  });

  it('journalctl -o json and -o export: kernel records with the printk time, others skipped', () => {
    const json = parseAll([
      '{"__CURSOR":"s=1","__REALTIME_TIMESTAMP":"1700000000000000","_TRANSPORT":"kernel","_SOURCE_MONOTONIC_TIMESTAMP":"12000001","MESSAGE":"a"}',
      '{"__CURSOR":"s=2","__REALTIME_TIMESTAMP":"1700000000000001","_TRANSPORT":"journal","MESSAGE":"not kernel"}',
      '{"__CURSOR":"s=3","__REALTIME_TIMESTAMP":"1700000000000002","_TRANSPORT":"kernel","_SOURCE_MONOTONIC_TIMESTAMP":"12000003","MESSAGE":[98,255]}',
    ].join('\n'));
    expect(rows(json).map((r) => [r[0], r[3]])).toEqual([[12_000_001_000n, 'a'], [12_000_003_000n, 'b\ufffd']]);
    const exp = parseAll('__CURSOR=s=1\n__REALTIME_TIMESTAMP=1700000000000000\n_TRANSPORT=kernel\nMESSAGE=a\n\n__CURSOR=s=2\n_TRANSPORT=syslog\nMESSAGE=b\n\n');
    expect(rows(exp).map((r) => [r[0], r[3]])).toEqual([[1_700_000_000_000_000_000n, 'a']]);
    expect(exp.meta.traceClock).toBe('wall');
  });
});
