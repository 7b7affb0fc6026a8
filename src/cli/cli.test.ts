import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../testing/cli.ts';
import { SAMPLES_DIR } from '../testing/captures.ts';

const SAMPLE = join(SAMPLES_DIR, '6.1/kvm_mn_eagain');
const tmp = mkdtempSync(join(tmpdir(), 'reaplay-cli-'));


describe('reaplay parse', () => {
  it('--stats on a real capture: formats, counts per event, no loss, no diagnostics but continuations', async () => {
    const r = await cli('parse', '--stats', `${SAMPLE}/ftrace.txt.gz`, `${SAMPLE}/kprobe_events.txt`, `${SAMPLE}/dmesg.txt.gz`);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/ftrace.txt.gz: format ftrace, 12883 lines, .*kernel 6\.1\.0-56-amd64, 2 CPUs, entries 12124\/12124/);
    expect(r.out).toMatch(/dmesg.txt.gz: format kernel-log/);
    expect(r.out).toMatch(/^\s+140\s+mn:mntest_inv_start_ret$/m);
    expect(r.out).toMatch(/^\s+1\s+oom:mark_victim$/m);
    expect(r.out).toMatch(/data loss: none reported/);
    expect(r.out).toMatch(/^\s+50\s+info\s+continuation_line$/m);
  });

  it('writes selected events as JSONL with typed fields and their source line', async () => {
    const r = await cli('parse', '--events', 'oom:*', `${SAMPLE}/ftrace.txt.gz`);
    expect(r.code).toBe(0);
    const rows = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(22);
    expect(rows[0]).toMatchObject({ name: 'oom:mark_victim', ts_ns: '12512232000', pid: 385, fields: { pid: 385, comm: 'victim', anon_rss_kb: 64888 } });
    expect(rows[0].line).toBeGreaterThan(0);
  });

  it('writes CSV with --out and reads it back', async () => {
    const out = join(tmp, 'events.csv');
    expect((await cli('parse', '--events', 'oom:*,mn:*', '--out', out, `${SAMPLE}/kprobe_events.txt`, `${SAMPLE}/ftrace.txt.gz`)).code).toBe(0);
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe('ts_ns,cpu,pid,tgid,comm,name,flags,text,file,line,offset');
    const back = await cli('parse', '--stats', out);
    expect(back.code).toBe(0);
    expect(back.out).toMatch(/format csv/);
    expect(back.out).toMatch(/^\s+140\s+mn:mntest_inv_start_ret$/m);
  });

  it('reads stdin as -', async () => {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bin/reaplay.ts', 'parse', '--stats', '-'], {
      input: readFileSync(`${SAMPLE}/trace-cmd-report.txt.gz`),
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/input -: format trace-cmd-report/);
  });
});

describe('bad input: one clear error naming the file, exit code 2', () => {
  it('a compressed trace.dat (the bundled v6 instance capture): told to decompress it, and the process ends', async () => {
    const { spawnSync } = await import('node:child_process');
    const f = join(SAMPLES_DIR, 'binary/5.10/premature_instance_v6/trace-v6.dat.gz');
    // Its own process: a decoding thread left running kept it alive after the error.
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bin/reaplay.ts', 'check', f], { encoding: 'utf8', timeout: 60_000 });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${f}: this is a compressed trace.dat, which is read by position: decompress it first`);
  }, 70_000);

  it('an image', async () => {
    const f = join(tmp, 'picture.png');
    writeFileSync(f, Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4cd0000000049454e44ae426082', 'hex'));
    const r = await cli('parse', '--stats', f);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${f}: not a trace in any known format`);
  });
  it('an empty file', async () => {
    const f = join(tmp, 'empty.txt');
    writeFileSync(f, '');
    const r = await cli('parse', f);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${f}: file is empty`);
  });
  it('a truncated gzip: the events before the cut are kept and the error names the file', async () => {
    const f = join(tmp, 'cut.txt.gz');
    const whole = readFileSync(`${SAMPLE}/ftrace.txt.gz`);
    writeFileSync(f, whole.subarray(0, whole.length >> 1));
    const out = join(tmp, 'cut.jsonl');
    const r = await cli('parse', '--events', 'kmem:rss_stat', '--out', out, f);
    // The break is an error (exit 1) naming the file and the byte offset; what came before is kept.
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cut\.txt\.gz:\d+: error: bad_compression: .*gzip data is corrupt or truncated near byte \d+/);
    expect(readFileSync(out, 'utf8').trim().split('\n').length).toBeGreaterThan(1000);
  });
  it('a missing file', async () => {
    const r = await cli('parse', join(tmp, 'nope.txt'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/nope\.txt: cannot read/);
  });
  it('usage errors', async () => {
    expect((await cli('parse', '--bogus', 'x')).code).toBe(2);
    expect((await cli('parse', '--out', join(tmp, 'x.xlsx'), `${SAMPLE}/uname.txt`)).code).toBe(2);
    expect((await cli()).code).toBe(2);
  });
  it('unparsed lines: exit code 1 and the first one named', async () => {
    const f = join(tmp, 'broken.txt');
    writeFileSync(f, readFileSync(`${SAMPLE}/uname.txt`, 'utf8').replace(/\n?$/, '\n') + '\u0000\u0001binary\n');
    const r = await cli('parse', '--stats', '--format', 'kernel-log', f);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/broken\.txt:2: error: binary_data/);
  });
});
