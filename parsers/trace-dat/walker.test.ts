// Pages walked in walker threads (what a large file gets) give the same events and the
// same diagnostics as walked in this thread, intact, cut or corrupt.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Parsed, firstDifference, parseAll, reportMicros } from '../../src/testing/binary-compare.ts';
import { SAMPLES_DIR } from '../../src/testing/captures.ts';
import { setWalkerMinBytes } from './walker-pool.ts';

const V7 = readFileSync(join(SAMPLES_DIR, 'binary/6.1/kvm_mn_eagain/trace.dat'));
const tmp = mkdtempSync(join(tmpdir(), 'reaplay-dat-worker-'));
let n = 0;

async function both(bytes: Uint8Array): Promise<[Parsed, Parsed]> {
  const f = join(tmp, `t${n++}.dat`);
  writeFileSync(f, bytes);
  setWalkerMinBytes(Infinity);
  const inline = await parseAll([f]);
  setWalkerMinBytes(0);
  const worker = await parseAll([f]);
  return [inline, worker];
}

afterEach(() => setWalkerMinBytes(4 << 20));

describe('trace.dat pages walked in walker threads', () => {
  it('the same events as decoded in this thread', async () => {
    const [inline, worker] = await both(V7);
    expect(worker.events.length).toBeGreaterThan(1000);
    expect(firstDifference(worker.events, inline.events, reportMicros)).toBeUndefined();
    // Evidence cites the same CPU, record, page and offset.
    expect(worker.events.map((e) => e.src)).toEqual(inline.events.map((e) => e.src));
    expect(worker.diag).toEqual(inline.diag);
  });

  it('a corrupt chunk and a cut file: the same diagnostics and the same events before them', async () => {
    const corrupt = Buffer.from(V7);
    // Inside the data: flip bytes of a compressed frame, far from the metadata.
    for (let i = 0; i < 24; i++) corrupt[V7.length - 9000 + i] ^= 0xff;
    const cut = V7.subarray(0, V7.length - 5000);
    for (const bytes of [corrupt, cut]) {
      const [inline, worker] = await both(bytes);
      expect(inline.diag.damaged_binary ?? 0).toBeGreaterThan(0);
      expect(worker.diag).toEqual(inline.diag);
      // The same losses, the CPU whose events stop there marked as such.
      expect(inline.losses.some((l) => l.tail)).toBe(true);
      expect(worker.losses).toEqual(inline.losses);
      expect(firstDifference(worker.events, inline.events, reportMicros)).toBeUndefined();
      expect(worker.events.map((e) => e.src)).toEqual(inline.events.map((e) => e.src));
    }
  });
});

describe('walker threads started ahead of the header', () => {
  it('from the command line: for the first trace.dat argument (a walker per core for a count), never blocking on a FIFO or reading a directory', async () => {
    const { execFile, execFileSync } = await import('node:child_process');
    const fifo = join(tmp, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const text = join(tmp, 'not-a-trace.txt');
    writeFileSync(text, 'tracer: nop\n');
    const early = join(import.meta.dirname, 'early.ts');
    const pool = join(import.meta.dirname, 'walker-pool.ts');
    const script = join(tmp, 'early.mjs');
    writeFileSync(script, [
      `const p = await import(${JSON.stringify(pool)}); const e = await import(${JSON.stringify(early)});`,
      'p.setWalkerMinBytes(0);',
      `e.warmForArgs(['check', ${JSON.stringify(fifo)}, ${JSON.stringify(tmp)}, '--out', ${JSON.stringify(text)}, 'missing.dat']);`,
      'const none = p.warmCount();',
      `const dat = ${JSON.stringify(join(SAMPLES_DIR, 'binary/6.1/kvm_mn_eagain/trace.dat'))};`,
      "e.warmForArgs(['check', dat]);",
      'const building = p.warmCount();',
      // A count walks on every core: the threads missing are started.
      "e.warmForArgs(['parse', '--stats', dat]);",
      "console.log(JSON.stringify([none, building, p.warmCount(), (await import('node:os')).availableParallelism()]));",
    ].join('\n'));
    const out = await new Promise<string>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', script], { timeout: 30_000 }, (_e, stdout) => resolve(stdout));
    });
    const [none, building, counting, cores] = JSON.parse(out) as number[];
    expect(none).toBe(0);
    expect(building).toBe(Math.max(1, Math.min(cores! - 1, 4)));
    expect(counting).toBe(Math.max(1, Math.min(cores!, 4)));
  }, 40_000);

  it('idle, they do not keep the process alive', async () => {
    const { execFile } = await import('node:child_process');
    const pool = join(import.meta.dirname, 'walker-pool.ts');
    const script = join(tmp, 'warm.mjs');
    writeFileSync(script, `const m = await import(${JSON.stringify(pool)}); m.setWalkerMinBytes(0); m.warmWalkers(1, false); await new Promise((r) => setTimeout(r, 3000)); console.log('warm');`);
    const started = Date.now();
    const out = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const c = execFile(process.execPath, ['--import', 'tsx', script], { timeout: 30_000 }, (_e, stdout) => resolve({ code: c.exitCode, stdout }));
    });
    expect(out.stdout.trim()).toBe('warm');
    expect(out.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 40_000);
});
