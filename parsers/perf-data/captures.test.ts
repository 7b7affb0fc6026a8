// perf.data read directly against `perf script -F comm,pid,tid,cpu,time,event,trace --ns`
// of the same file (exact ns), and `check`'s verdicts with the kernel log and kprobe_events.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/pipeline.ts';
import { firstDifference, parseAll, sharedWith, verdicts } from '../../src/testing/binary-compare.ts';
import { HAVE_SHARED, SAMPLES_DIR, captureFile } from '../../src/testing/captures.ts';

const BIN = join(SAMPLES_DIR, 'binary');
const TEXT = join(SAMPLES_DIR, '6.1/kvm_mn_eagain');
const tmp = mkdtempSync(join(tmpdir(), 'reaplay-perf-'));
const exact = (ns: bigint): bigint => ns;

async function sameAsScript(data: string, script: string, more: string[] = []): Promise<void> {
  const bin = await parseAll([data, ...more]);
  const txt = await parseAll([script, ...more]);
  expect(bin.events.length).toBeGreaterThan(0);
  expect(firstDifference(bin.events, txt.events, exact)).toBeUndefined();
  expect(bin.diag).toEqual({});
}

describe('perf.data, bundled', () => {
  const data = join(tmp, 'perf.data');
  writeFileSync(data, gunzipSync(readFileSync(join(BIN, '6.1/kvm_mn_eagain/perf.data.gz'))));

  it('file mode (a lab capture): the same events as perf script', async () => {
    await sameAsScript(data, join(TEXT, 'perf-script-fields.txt.gz'), [join(TEXT, 'kprobe_events.txt')]);
  });

  it('pipe mode (`perf record -o -`), recorded here: the same events as perf script', async () => {
    await sameAsScript(join(BIN, 'local/sched-pipe.perf.data'), join(BIN, 'local/sched-pipe.perf-script-fields.txt.gz'));
  });

  it('events go out a round at a time (FINISHED_ROUND), the consumer paced after each, not all at the end', async () => {
    const { newContext, parseInputs } = await import('../../src/ingest/parse-inputs.ts');
    let events = 0;
    const seen: number[] = [];
    await parseInputs([data], {
      context: newContext(),
      onEvent: () => void events++,
      pace: () => void seen.push(events),
    });
    // Paced with some events out and more to come: the reader did not hold them all.
    expect(seen.some((n) => n > 0 && n < events)).toBe(true);
    expect(events).toBeGreaterThan(1000);
  });

  it('`perf record -z` (zstd COMPRESSED records), recorded here: the same events as perf script', async () => {
    await sameAsScript(join(BIN, 'local/sched-z.perf.data'), join(BIN, 'local/sched-z.perf-script-fields.txt.gz'));
  });

  it('cpu-clock samples beside tracepoints (`perf record -e cpu-clock,sched:sched_switch,sched:sched_wakeup -a`), recorded here: kept under their name, as perf script prints them', async () => {
    const mixed = join(tmp, 'cpu-clock-sched.perf.data');
    writeFileSync(mixed, gunzipSync(readFileSync(join(BIN, 'local/cpu-clock-sched.perf.data.gz'))));
    await sameAsScript(mixed, join(BIN, 'local/cpu-clock-sched.perf-script-fields.txt.gz'));
    const names = new Set((await parseAll([mixed])).events.map((e) => e.name));
    expect([...names].sort()).toEqual(['?:cpu-clock', 'sched:sched_switch', 'sched:sched_wakeup']);
  });

  it('check: the same victims, outcomes and findings as from perf script', async () => {
    const more = [join(TEXT, 'dmesg.txt.gz'), join(TEXT, 'kprobe_events.txt')];
    const fromData = await analyze([data, ...more]);
    const fromText = await analyze([join(TEXT, 'perf-script-fields.txt.gz'), ...more]);
    expect(fromData.victims.length).toBeGreaterThan(0);
    expect(verdicts(fromData)).toEqual(verdicts(fromText));
  });
});

describe.runIf(HAVE_SHARED)('perf.data, every shared capture', () => {
  for (const c of sharedWith('perf.data', 'perf-script-fields.txt.gz')) {
    it(`${c.id}: events as perf script, verdicts as the text`, async () => {
      const more = [join(c.dir, 'kprobe_events.txt')];
      await sameAsScript(join(c.dir, 'perf.data'), join(c.dir, 'perf-script-fields.txt.gz'), more);
      const all = [captureFile(c, 'dmesg.txt')!, ...more];
      const fromData = await analyze([join(c.dir, 'perf.data'), ...all]);
      const fromText = await analyze([join(c.dir, 'perf-script-fields.txt.gz'), ...all]);
      expect(verdicts(fromData)).toEqual(verdicts(fromText));
    }, 60_000);
  }
});
