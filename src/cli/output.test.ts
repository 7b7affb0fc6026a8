// Outputs keep their contract: clear message and exit 2 on any failure to write, no
// stack trace, EPIPE ends quietly, no symbolic link followed, a foreign non-empty
// folder only with --force. And terminal text that quotes input is escaped.
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cli } from '../testing/cli.ts';
import { REPO_ROOT, SAMPLES_DIR } from '../testing/captures.ts';
import { FOLDER_MARKER } from './output.ts';

const TRACE = join(SAMPLES_DIR, '6.1/premature/ftrace.txt.gz');
const tmp = mkdtempSync(join(tmpdir(), 'reaplay-out-'));
const fresh = (name: string): string => {
  const d = join(tmp, name);
  mkdirSync(d, { recursive: true });
  return d;
};
const noStack = (err: string): void => {
  expect(err).not.toMatch(/\n\s+at /);
  expect(err.trim().split('\n').every((l) => l.startsWith('reaplay: '))).toBe(true);
};

describe('parse --out', () => {
  it('names a missing folder and exits 2 (.csv and .jsonl)', async () => {
    for (const out of [join(tmp, 'nodir/x.csv'), join(tmp, 'nodir/x.jsonl')]) {
      const r = await cli('parse', TRACE, '--out', out);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`--out ${out}: cannot write (ENOENT): its folder does not exist`);
      noStack(r.err);
    }
  });
  it('does not follow a symbolic link at the output name, and leaves its target alone', async () => {
    const d = fresh('link');
    const target = join(d, 'precious.txt');
    writeFileSync(target, 'keep me\n');
    symlinkSync(target, join(d, 'events.csv'));
    const r = await cli('parse', TRACE, '--events', 'oom:*', '--out', join(d, 'events.csv'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('is a symbolic link; it is not followed');
    expect(readFileSync(target, 'utf8')).toBe('keep me\n');
    expect(readdirSync(d).sort()).toEqual(['events.csv', 'precious.txt']);
  });
  it('refuses a folder as the output file; writes a whole file otherwise, leaving no temporary file', async () => {
    const d = fresh('whole');
    mkdirSync(join(d, 'dir.jsonl'));
    expect((await cli('parse', TRACE, '--out', join(d, 'dir.jsonl'))).err).toContain('is a folder, expected a file name');
    const r = await cli('parse', TRACE, '--events', 'oom:*', '--out', join(d, 'x.jsonl'));
    expect(r.code).toBe(0);
    expect(readFileSync(join(d, 'x.jsonl'), 'utf8').split('\n').length).toBeGreaterThan(5);
    expect(readdirSync(d).sort()).toEqual(['dir.jsonl', 'x.jsonl']);
  });
});

describe('folders: report, chart, compare --out', () => {
  it('a non-empty folder reaplay did not make needs --force; one it made is reused', { timeout: 120_000 }, async () => {
    const d = fresh('foreign');
    writeFileSync(join(d, 'notes.txt'), 'mine');
    const r = await cli('report', TRACE, '--out', d);
    expect(r.code).toBe(2);
    expect(r.err).toContain('the folder is not empty and was not made by reaplay; give --force');
    noStack(r.err);
    const c = await cli('chart', TRACE, '--out', d, '--as', 'vl');
    expect(c.code).toBe(2);
    expect((await cli('report', TRACE, '--out', d, '--force')).code).toBe(0);
    expect(existsSync(join(d, FOLDER_MARKER))).toBe(true);
    const made = join(tmp, 'made');
    expect((await cli('report', TRACE, '--out', made)).code).toBe(0);
    expect((await cli('chart', TRACE, '--out', made, '--as', 'vl')).code).toBe(0);
  });
  it('index.html that is a symbolic link or a folder: clear message, exit 2, target untouched', { timeout: 120_000 }, async () => {
    const d = fresh('pagelink');
    writeFileSync(join(d, FOLDER_MARKER), '');
    const target = join(tmp, 'precious.html');
    writeFileSync(target, 'keep');
    symlinkSync(target, join(d, 'index.html'));
    const r = await cli('report', TRACE, '--out', d);
    expect(r.code).toBe(2);
    expect(r.err).toContain('index.html: is a symbolic link');
    expect(readFileSync(target, 'utf8')).toBe('keep');
    expect(lstatSync(join(d, 'index.html')).isSymbolicLink()).toBe(true);
    const e = fresh('pagedir');
    writeFileSync(join(e, FOLDER_MARKER), '');
    mkdirSync(join(e, 'index.html'));
    const q = await cli('report', TRACE, '--out', e);
    expect(q.code).toBe(2);
    expect(q.err).toContain('index.html: is a folder');
    noStack(q.err);
  });
});

describe('terminal text quoting input', () => {
  it('parse --stats shows an ESC, C1 or bidi override in an event name as an escape', async () => {
    const f = join(tmp, 'esc.txt');
    writeFileSync(f, `# tracer: nop\n#\n          init-1     [000] .....   100.000001: ev\u001b[2Jil\u202e: x=1\n`);
    const r = await cli('parse', '--stats', f);
    // (How the name's bytes are decoded is the parser's business; none reaches the terminal raw.)
    expect(r.out).not.toMatch(/[\u001b\u0080-\u009f\u202e]/);
    expect(r.out).toContain('ev\\x1b[2Jil');
  });
  it('check and timeline show a bidi override in a comm as an escape (`evil` cannot read `live`)', { timeout: 60_000 }, async () => {
    const dir = join(SAMPLES_DIR, '6.1/premature');
    const swap = (name: string): string => {
      const f = join(tmp, name.replace('.gz', ''));
      writeFileSync(f, gunzipSync(readFileSync(join(dir, name))).toString('utf8').replaceAll('mark_victim', '\u0000').replaceAll('victim', 'ev\u202eil').replaceAll('\u0000', 'mark_victim'));
      return f;
    };
    const files = [swap('ftrace.txt.gz'), swap('dmesg.txt.gz'), join(dir, 'kprobe_events.txt')];
    const check = await cli('check', ...files);
    expect(check.code).toBe(1);
    expect(check.out).toContain('ev\\u202eil');
    expect(check.out).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u001b]/);
    const timeline = await cli('timeline', ...files, '--pid', '440');
    expect(timeline.out).toContain('ev\\u202eil');
    expect(timeline.out).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
  });
  it('a bad kprobe definition quoted on stderr is escaped', async () => {
    const f = join(tmp, 'kprobe_events');
    writeFileSync(f, 'p:mn/ok __oom_reap_task_mm\np:mn/x\u001b]0;pwned\u0007 f a=%zz:bad\n');
    const r = await cli('parse', '--format', 'kprobe-events', f);
    expect(r.code).toBe(1);
    expect(r.err).not.toMatch(/[\u001b\u0007]/);
    expect(r.err).toContain('\\x1b]0;pwned\\x07');
  });
});

describe('a closed pipe', () => {
  it('`parse … | head -1` ends quietly', { timeout: 60_000 }, async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bin/reaplay.ts'), 'parse', TRACE], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(err).toBe('');
    expect(code).toBe(0);
  });
});
