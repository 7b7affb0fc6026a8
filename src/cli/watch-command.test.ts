// `reaplay watch` from the command line: a trace file read to its end, JSON lines, --exit-on.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { cli } from '../testing/cli.ts';
import { SAMPLES_DIR } from '../testing/captures.ts';

const cap = join(SAMPLES_DIR, '6.1/premature');

describe('reaplay watch', () => {
  it('prints one JSON line per victim and per finding, and exits 1 at the first proven violation with --exit-on proven', async () => {
    const r = await cli('watch', join(cap, 'ftrace.txt.gz'), '--kernel-log', join(cap, 'dmesg.txt.gz'), '--kprobes', join(cap, 'kprobe_events.txt'), '--json', '--exit-on', 'proven');
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as { type: string; rule?: string; pid?: number; settledBy?: string; update?: boolean });
    // 440's story is printed again (an update) once its memory goes.
    expect(lines.filter((l) => !l.update).map((l) => `${l.type} ${l.rule ?? l.pid}`)).toEqual(['victim 440', 'finding UPI-CORE-FAILED-START', 'victim 386', 'finding PVS-PREMATURE']);
    expect(lines.filter((l) => l.update).map((l) => `${l.pid} ${l.settledBy}`)).toEqual(['440 released']);
    expect(lines[0]!.settledBy).toBe('gave_up_next_selected');
  }, 60_000);

  it('without --exit-on reads to the end and exits 0; a missing file is a usage error', async () => {
    const r = await cli('watch', join(cap, 'ftrace.txt.gz'), '--kprobes', join(cap, 'kprobe_events.txt'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\[proven\] premature_victim PVS-PREMATURE \(victim 386\)/);
    const bad = await cli('watch', join(cap, 'nope.txt'));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/nope\.txt: no such file/);
  }, 60_000);

  it('a file that is not a trace is named with what was expected', async () => {
    const r = await cli('watch', join(cap, 'meta.json'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/meta\.json: .*not a trace/);
  }, 60_000);
});
