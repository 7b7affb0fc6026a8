// Evidence whose time could not be read (a trace.dat CPU damaged before its first page) says
// so in every channel, instead of printing the time 0.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FileSource } from '../../parsers/common/byte-source.ts';
import { openTraceDat } from '../../parsers/trace-dat/header.ts';
import { SAMPLES_DIR } from '../testing/captures.ts';
import { cli } from '../testing/cli.ts';
import { formatEvidenceInstant } from '../types/time.ts';

const tmp = mkdtempSync(join(tmpdir(), 'reaplay-untimed-'));

/** The bundled 6.1 trace.dat with CPU 1's first chunk header damaged (its size not a whole number of pages), and the capture's kernel log. */
async function damagedCapture(): Promise<{ dat: string; dmesg: string }> {
  const f = join(SAMPLES_DIR, 'binary/6.1/kvm_mn_eagain/trace.dat');
  const src = await FileSource.open(f);
  const cpu1 = (await openTraceDat(src)).header.buffers[0]!.cpus.find((c) => c.cpu === 1)!;
  await src.close();
  const b = Buffer.from(readFileSync(f));
  // After the chunk count (4 bytes): the compressed size, then the uncompressed size.
  b.writeUInt32LE(12345, cpu1.offset + 8);
  const dat = join(tmp, 'damaged.dat');
  writeFileSync(dat, b);
  const dmesg = join(tmp, 'dmesg.txt');
  writeFileSync(dmesg, gunzipSync(readFileSync(join(SAMPLES_DIR, '6.1/kvm_mn_eagain/dmesg.txt.gz'))));
  return { dat, dmesg };
}

describe('evidence without a time', () => {
  it('is named so, never as 0', () => {
    expect(formatEvidenceInstant(undefined)).toBe('time unknown');
    expect(formatEvidenceInstant(0n)).toBe('0.000000');
  });

  it('check and report: the damaged CPU\'s loss reads "time unknown"', { timeout: 120_000 }, async () => {
    const { dat, dmesg } = await damagedCapture();
    const r = await cli('check', dat, dmesg);
    const lines = r.out.split('\n');
    const tail = lines.findIndex((l) => l.includes('COV-LOST-TAIL'));
    expect(tail).toBeGreaterThanOrEqual(0);
    const evidence = lines.slice(tail).find((l) => /damaged\.dat cpu1 @0x\w+$/.test(l))!;
    expect(evidence.trim()).toMatch(/^time unknown +data loss: events_dropped +damaged\.dat cpu1 @0x/);
    expect(lines.filter((l) => /^\s+0\.000000\s/.test(l))).toEqual([]);
    const out = join(tmp, 'report');
    expect((await cli('report', dat, dmesg, '--out', out)).code).toBeLessThan(2);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('<td class="t">time unknown</td>');
  });
});
