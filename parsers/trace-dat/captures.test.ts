// trace.dat read directly against `trace-cmd report` of the same file: every event (name,
// CPU, pid, comm, time to the printed µs, decoded fields, text), and `check`'s verdicts
// with the kernel log but without kprobe_events (the file's kallsyms name the probes).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/pipeline.ts';
import { MODEL_EVENTS } from '../../src/replay/needs.ts';
import { firstDifference, parseAll, reportMicros, sharedWith, verdicts } from '../../src/testing/binary-compare.ts';
import { HAVE_SHARED, SAMPLES_DIR, captureFile } from '../../src/testing/captures.ts';

const BIN = join(SAMPLES_DIR, 'binary/6.1/kvm_mn_eagain');
const TEXT = join(SAMPLES_DIR, '6.1/kvm_mn_eagain');
const tmp = mkdtempSync(join(tmpdir(), 'reaplay-dat-'));

function gunzipTo(file: string, name: string): string {
  const out = join(tmp, name);
  writeFileSync(out, gunzipSync(readFileSync(file)));
  return out;
}

async function sameAsReport(dat: string, report: string, kprobes: string): Promise<void> {
  const bin = await parseAll([dat]);
  const txt = await parseAll([report, kprobes]);
  expect(bin.events.length).toBeGreaterThan(0);
  expect(firstDifference(bin.events, txt.events, reportMicros)).toBeUndefined();
  expect(bin.diag).toEqual({});
}

describe('trace.dat, bundled (v7 zstd, v7 uncompressed, v6)', () => {
  const variants: [string, () => string][] = [
    ['v7 zstd', () => join(BIN, 'trace.dat')],
    ['v7 uncompressed', () => gunzipTo(join(BIN, 'trace-v7-none.dat.gz'), 'v7-none.dat')],
    ['v6', () => gunzipTo(join(BIN, 'trace-v6.dat.gz'), 'v6.dat')],
  ];
  for (const [label, file] of variants) {
    it(`${label}: the same events as trace-cmd report`, async () => {
      await sameAsReport(file(), join(TEXT, 'trace-cmd-report.txt.gz'), join(TEXT, 'kprobe_events.txt'));
    });
  }

  it('check: the same victims, outcomes and findings as from the tracefs text', async () => {
    const dmesg = join(TEXT, 'dmesg.txt.gz');
    const fromDat = await analyze([join(BIN, 'trace.dat'), dmesg]);
    const fromText = await analyze([join(TEXT, 'trace-cmd-report.txt.gz'), dmesg, join(TEXT, 'kprobe_events.txt')]);
    expect(fromDat.victims.length).toBeGreaterThan(0);
    expect(verdicts(fromDat)).toEqual(verdicts(fromText));
    // Evidence cites the record: file, CPU, record index, byte offset.
    const ev = fromDat.findings.flatMap((f) => f.evidence)[0]!;
    expect(ev.src.record).toBeTypeOf('number');
    expect(ev.src.cpu).toBeTypeOf('number');
  });
});

describe.runIf(HAVE_SHARED)('trace.dat, every shared capture', () => {
  for (const c of sharedWith('trace.dat', 'trace-cmd-report.txt.gz')) {
    it(`${c.id}: events as trace-cmd report, verdicts as the text`, async () => {
      const kp = join(c.dir, 'kprobe_events.txt');
      await sameAsReport(join(c.dir, 'trace.dat'), join(c.dir, 'trace-cmd-report.txt.gz'), kp);
      const dmesg = captureFile(c, 'dmesg.txt')!;
      const fromDat = await analyze([join(c.dir, 'trace.dat'), dmesg]);
      const fromText = await analyze([join(c.dir, 'trace-cmd-report.txt.gz'), dmesg, kp]);
      expect(verdicts(fromDat)).toEqual(verdicts(fromText));
    }, 60_000);
  }
});

describe.runIf(HAVE_SHARED)('trace.dat, the haystack (10.7 M records)', () => {
  for (const c of sharedWith('trace.dat', 'trace-cmd-report.txt.zst')) {
    it(`${c.id}: the model's events as trace-cmd report, verdicts as the report`, async () => {
      const kp = join(c.dir, 'kprobe_events.txt');
      const bin = await parseAll([join(c.dir, 'trace.dat')], MODEL_EVENTS);
      const txt = await parseAll([join(c.dir, 'trace-cmd-report.txt.zst'), kp], MODEL_EVENTS);
      expect(bin.events.length).toBeGreaterThan(80_000);
      expect(firstDifference(bin.events, txt.events, reportMicros)).toBeUndefined();
      const dmesg = captureFile(c, 'dmesg.txt')!;
      const fromDat = await analyze([join(c.dir, 'trace.dat'), dmesg]);
      const fromText = await analyze([join(c.dir, 'trace-cmd-report.txt.zst'), dmesg, kp]);
      expect(verdicts(fromDat)).toEqual(verdicts(fromText));
    }, 600_000);
  }
});
