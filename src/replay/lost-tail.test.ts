// A binary trace damaged in one CPU's pages: that CPU's events stop there while the other
// CPUs' go on (the reader reports the damage and reads on). Reproduced on the real bundled
// 6.1/kvm_mn_eagain trace.dat by corrupting one zstd chunk in the middle of CPU 0's data.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSource } from '../../parsers/common/byte-source.ts';
import { readTraceDatHeader } from '../../parsers/trace-dat/header.ts';
import { SAMPLES_DIR, bundledCaptures, captureFile } from '../testing/captures.ts';
import { lossesIn, type Coverage } from './coverage.ts';
import { cli } from '../testing/cli.ts';

const DAT = join(SAMPLES_DIR, 'binary/6.1/kvm_mn_eagain/trace.dat');
const dmesg = captureFile(bundledCaptures().find((c) => c.id === '6.1/kvm_mn_eagain')!, 'dmesg.txt')!;
const tmp = mkdtempSync(join(tmpdir(), 'reaplay-lost-tail-'));

/** The file with the frame of the chunk `at` (0..1: share of the chunks) of CPU `cpu` corrupted. */
async function corrupt(cpu: number, at: number): Promise<string> {
  const b = Buffer.from(readFileSync(DAT));
  const src = await FileSource.open(DAT);
  const h = await readTraceDatHeader(src);
  await src.close();
  const d = h.buffers[0]!.cpus.find((c) => c.cpu === cpu)!;
  const n = b.readUInt32LE(d.offset);
  let p = d.offset + 4;
  for (let i = Math.floor(n * at); i > 0; i--) p += 8 + b.readUInt32LE(p);
  for (let i = 8 + 4; i < 8 + 40; i++) b[p + i] ^= 0xff;
  const file = join(tmp, `cpu${cpu}-${at}.dat`);
  writeFileSync(file, b);
  return file;
}

interface Doc { findings: { rule: string; level: string; why?: string; message: string }[] }

describe('a CPU whose events stop at damage in a binary trace', () => {
  it('the intact file: no COV-LOST-TAIL', async () => {
    const r = await cli('check', '--json', DAT, dmesg);
    expect((JSON.parse(r.out) as Doc).findings.some((f) => f.rule === 'COV-LOST-TAIL')).toBe(false);
  }, 60_000);

  it('CPU 0 corrupt half-way: says its events stop while CPU 1 goes on (exit 1), and the verdicts after it are inconclusive', async () => {
    const r = await cli('check', '--json', await corrupt(0, 0.5), dmesg);
    const doc = JSON.parse(r.out) as Doc;
    const tail = doc.findings.find((f) => f.rule === 'COV-LOST-TAIL');
    expect(tail?.level).toBe('inconclusive');
    expect(tail?.message).toMatch(/^CPU 0's events stop after \d+\.\d+ \(events_dropped at .*cpu0 @0x[0-9a-f]+: the file is damaged there\) while other CPUs' go on/);
    expect(doc.findings.filter((f) => f.rule !== 'COV-LOST-TAIL' && f.level !== 'inconclusive')).toEqual([]);
    expect(r.code).toBe(1);
  }, 60_000);
});

describe('lossesIn', () => {
  const cov = (tail: boolean): Coverage => ({
    losses: [{ kind: 'events_dropped', cpu: 0, ts: 100n, ...(tail ? { tail } : {}), src: { file: 't.dat', line: 0, offset: 0, cpu: 0 } }],
    firstTsByCpu: new Map([[0, 1n], [1, 1n]]),
    firstTs: 1n,
    lastTs: 500n,
    present: new Set(),
    delivered: new Map(),
  });
  it('a loss that ends a CPU touches every window ending after it, not one before it', () => {
    expect(lossesIn(cov(true), 200n, 300n)).toHaveLength(1);
    expect(lossesIn(cov(true), 10n, 50n)).toHaveLength(0);
    // A loss that does not end its CPU's events touches only the windows around it.
    expect(lossesIn(cov(false), 200n, 300n)).toHaveLength(0);
  });
});
