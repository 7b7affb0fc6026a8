// Globs expanded with node:fs, and PATHs turned into captures: a folder gives its
// preferred trace with its kernel log and kprobe definitions; a file is itself.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandGlob, segmentRegExp } from './glob.ts';
import { captureFiles, groupCaptures, parseGroup, resolvePath } from './inputs.ts';
import { UserError } from '../types/errors.ts';

let root: string;
const touch = (...p: string[]) => {
  const f = join(root, ...p);
  mkdirSync(join(f, '..'), { recursive: true });
  writeFileSync(f, 'x');
};

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'reaplay-glob-'));
  touch('5.10', 'kvm', 'ftrace.txt.gz');
  touch('5.10', 'kvm', 'trace-cmd-report.txt.gz');
  touch('5.10', 'kvm', 'dmesg.txt');
  touch('5.10', 'kvm', 'kprobe_events.txt');
  touch('5.10', 'mn_ok', 'perf-script.txt.zst');
  touch('5.10', 'mn_ok', 'dmesg.txt.gz');
  touch('6.1', 'kvm', 'ftrace.txt.zst');
  touch('6.1', 'haystack', 'ftrace.txt');
  touch('6.1', 'notes', 'README.md');
  touch('6.1', '.hidden', 'ftrace.txt');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('glob', () => {
  it('segments: *, ?, classes and negated classes; other characters literal', () => {
    expect(segmentRegExp('mn_*').test('mn_ok')).toBe(true);
    expect(segmentRegExp('mn_*').test('kvm')).toBe(false);
    expect(segmentRegExp('?.1').test('6.1')).toBe(true);
    expect(segmentRegExp('?.1').test('6x1')).toBe(false);
    expect(segmentRegExp('[!h]*').test('haystack')).toBe(false);
    expect(segmentRegExp('[!h]*').test('kvm')).toBe(true);
    expect(segmentRegExp('[56].*').test('5.10')).toBe(true);
    expect(segmentRegExp('a+b(c)').test('a+b(c)')).toBe(true);
  });

  it('expands over folders, sorted; dot names only when asked; ** for any depth', () => {
    expect(expandGlob(join(root, '*', 'kvm'))).toEqual([join(root, '5.10', 'kvm'), join(root, '6.1', 'kvm')]);
    expect(expandGlob(join(root, '6.1', '*'))).toEqual(['haystack', 'kvm', 'notes'].map((n) => join(root, '6.1', n)));
    expect(expandGlob(join(root, '6.1', '.*'))).toEqual([join(root, '6.1', '.hidden')]);
    expect(expandGlob(join(root, '**', 'ftrace.txt*'))).toEqual([join(root, '5.10/kvm/ftrace.txt.gz'), join(root, '6.1/haystack/ftrace.txt'), join(root, '6.1/kvm/ftrace.txt.zst')]);
    expect(expandGlob(join(root, 'nope', '*'))).toEqual([]);
    expect(expandGlob(join(root, '5.10'))).toEqual([join(root, '5.10')]);
  });
});

describe('captures from PATHs', () => {
  it('a folder: ftrace preferred over trace-cmd, then the kernel log and kprobe_events', () => {
    expect(captureFiles(join(root, '5.10', 'kvm'))).toEqual(['ftrace.txt.gz', 'dmesg.txt', 'kprobe_events.txt'].map((f) => join(root, '5.10', 'kvm', f)));
    expect(captureFiles(join(root, '5.10', 'mn_ok'))).toEqual(['perf-script.txt.zst', 'dmesg.txt.gz'].map((f) => join(root, '5.10', 'mn_ok', f)));
    expect(captureFiles(join(root, '6.1', 'notes'))).toBeUndefined();
  });

  it('a glob skips folders without a trace; a folder named outright must have one', () => {
    expect(resolvePath(join(root, '6.1', '*')).map((c) => c.name)).toEqual(['6.1/haystack', '6.1/kvm']);
    expect(() => resolvePath(join(root, '6.1', 'notes'))).toThrow(/no trace in this folder/);
    expect(() => resolvePath(join(root, 'nope'))).toThrow(UserError);
    expect(() => resolvePath(join(root, 'nope*'))).toThrow(/matches nothing/);
  });

  it('a single trace file is a capture of itself; a glob over files keeps the traces only', () => {
    const f = join(root, '5.10', 'kvm', 'trace-cmd-report.txt.gz');
    expect(resolvePath(f)).toEqual([{ path: f, name: 'kvm/trace-cmd-report.txt.gz', files: [f] }]);
    expect(resolvePath(join(root, '5.10', 'kvm', '*')).map((c) => c.files)).toEqual([[join(root, '5.10/kvm/ftrace.txt.gz')], [join(root, '5.10/kvm/trace-cmd-report.txt.gz')]]);
  });

  it('groups: LABEL=PATH[,PATH...], each capture once', () => {
    expect(parseGroup('old=a,b')).toEqual({ label: 'old', paths: ['a', 'b'] });
    expect(parseGroup('x=y=z')).toEqual({ label: 'x', paths: ['y=z'] });
    expect(() => parseGroup('nolabel')).toThrow(/LABEL=PATH/);
    expect(() => parseGroup('=a')).toThrow(/label/);
    expect(() => parseGroup('a=')).toThrow(/no PATH/);
    const g = groupCaptures({ paths: [join(root, '*', 'kvm'), join(root, '5.10', 'kvm')] });
    expect(g.map((c) => c.name)).toEqual(['5.10/kvm', '6.1/kvm']);
  });
});
