// `reaplay compare` through the CLI: two captures or --group, text, --json and --out,
// and the exit codes (0 nothing regressed, 1 a metric regressed, 2 bad input or usage).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../testing/cli.ts';
import { HAVE_SHARED, SAMPLES_DIR, SHARED_TRACES } from '../testing/captures.ts';

const tmp = mkdtempSync(join(tmpdir(), 'reaplay-compare-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));


const A = join(SAMPLES_DIR, '5.10', 'kvm_mn_eagain');
const B = join(SAMPLES_DIR, '6.1', 'kvm_mn_eagain');

describe('reaplay compare', () => {
  it('A B: the table, the expected differences apart, exit 0', async () => {
    const r = await cli('compare', A, B);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^reaplay compare: 2 groups; baseline 5\.10\.223$/m);
    expect(r.out).toMatch(/^metric\s+worse\s+5\.10\.223\s+6\.1\.192\s+difference\s+p\s+verdict$/m);
    expect(r.out).toMatch(/^selection → oom_reaper woken\s+higher\s+n=1 2\.003 s\s+n=1 2\.022 s\s+\+18\.5 ms \(raw\)\s+—\s+unchanged$/m);
    expect(r.out).toMatch(/^unpaired: failed non-blocking starts\s+higher\s+1\/1 100% · 140\s+1\/1 100% · 140/m);
    expect(r.out).toMatch(/Expected from the kernel model[^\n]*\n(?:.*\n)*\s+- exitMmapSelfReap: 5\.10\.223 self-reaps a victim's mm in exit_mmap/);
    expect(r.out).toMatch(/^Measured: 0 regressed, 0 improved, 12 unchanged, 1 not enough data$/m);
  });

  it('--group with a glob, --json as one document, --out writing the page and compare.json', async () => {
    const out = join(tmp, 'page');
    const r = await cli('compare', '--group', `old=${join(SAMPLES_DIR, '5.10', '*')}`, '--group', `new=${B},${join(SAMPLES_DIR, '6.1', 'premature')}`, '--json', '--out', out);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { groups: { label: string; captures: { name: string }[] }[]; comparisons: { baseline: string; group: string; descriptive: boolean; metrics: { id: string; verdict: string }[] }[] };
    expect(doc.groups.map((g) => [g.label, g.captures.map((c) => c.name)])).toEqual([
      ['old', ['5.10/kvm_mn_eagain', '5.10/mn_eagain_end']],
      ['new', ['6.1/kvm_mn_eagain', '6.1/premature']],
    ]);
    expect(doc.comparisons[0]).toMatchObject({ baseline: 'old', group: 'new', descriptive: false });
    expect(r.err).toMatch(/^reaplay: wrote .*\/page\/index\.html$/m);
    expect(existsSync(join(out, 'index.html'))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'))).toEqual(doc);
    // Each expected difference links its capability to its section of docs/model.md, carried in the page.
    const page = readFileSync(join(out, 'index.html'), 'utf8');
    const links = [...page.matchAll(/<li><a href="#(model-[a-z-]+)" title="docs\/model\.md#[a-z-]+"><code>(\w+)<\/code><\/a>: /g)].map((m) => [m[2], m[1]]);
    expect(links).toContainEqual(['exitMmapSelfReap', 'model-capabilities']);
    expect(links).toContainEqual(['exitMmapSetsSkip', 'model-state-victim']);
    for (const [, id] of links) expect(page).toContain(`<article class="card model" id="${id}">`);
  });

  it('a single trace file is a capture of its own (no kernel log, no kprobe definitions)', async () => {
    const r = await cli('compare', join(A, 'ftrace.txt.gz'), join(B, 'ftrace.txt.gz'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^  5\.10\.223: 1 capture, 1 victim; 5\.10\.223 \(family 5\.5-5\.11\); kvm_mn_eagain\/ftrace\.txt\.gz$/m);
    // without the kprobe definitions the probes are not decoded: what they would show is not claimed
    expect(r.out).toMatch(/^unpaired: failed non-blocking starts\s+higher\s+n=0\s+n=0\s+—\s+—\s+not enough data$/m);
    expect(r.out).toMatch(/5\.10\.223 not traced \(no kprobe on __oom_reap_task_mm\)/);
  });

  const usage: [string, string[], RegExp][] = [
    ['no capture', ['compare'], /compare needs two captures/],
    ['one capture', ['compare', A], /compare needs two captures/],
    ['three captures', ['compare', A, B, A], /takes two captures, got 3: use --group/],
    ['captures and groups', ['compare', A, '--group', `x=${A}`, '--group', `y=${B}`], /not both/],
    ['one group', ['compare', '--group', `x=${A}`], /at least two groups/],
    ['a group without a label', ['compare', '--group', A, '--group', `y=${B}`], /expected LABEL=PATH/],
    ['a label twice', ['compare', '--group', `x=${A}`, '--group', `x=${B}`], /--group x: the label is used twice/],
    ['a missing folder', ['compare', A, join(tmp, 'nope')], /nope: no such file or folder/],
    ['a glob that matches nothing', ['compare', A, join(tmp, 'nope*')], /the pattern matches nothing/],
    ['a folder without a trace', ['compare', A, tmp], /no trace in this folder/],
    ['a bad capability', ['compare', A, B, '--capability', 'nope=1'], /unknown capability/],
  ];
  for (const [what, argv, message] of usage) {
    it(`exit 2 on ${what}`, async () => {
      const r = await cli(...argv);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.out).toBe('');
    });
  }

  it('exit 2 on a file that is not a trace', async () => {
    const r = await cli('compare', A, join(SAMPLES_DIR, 'synthetic', 'README.md'));
    expect(r.code).toBe(2);
  });

  it.skipIf(!HAVE_SHARED)('exit 1 when a metric regressed (reaped scenarios against failing ones, 6.1)', async () => {
    const T = join(SHARED_TRACES, '6.1');
    const r = await cli('compare', '--group', `reaped=${['mn_ok', 'kvm', 'kvm_two', 'premature_ok'].map((s) => join(T, s)).join(',')}`, '--group', `failing=${join(T, '*mn_eagain')}`);
    expect(r.code).toBe(1);
    // 0 of 5 against 2 of 2 (kvm_mn_eagain, mn_eagain): Fisher p = 1/C(7,2) = 1/21 = 0.048
    expect(r.out).toMatch(/^reaper gave up\s+higher\s+0\/5 0%\s+2\/2 100%\s+\+100 pp \[[^\]]+\]\s+0\.048\s+regressed$/m);
  });
});
