// `reaplay chart`: the files it writes, named from the chart names only.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../testing/cli.ts';
import { CHART_NAMES } from './index.ts';
import { sampleFiles } from '../testing/chart-fixtures.ts';


const tmp = mkdtempSync(join(tmpdir(), 'reaplay-chart-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('reaplay chart', () => {
  it('writes <chart>.vl.json, .svg and .png for every chart into a new folder, and says so', async () => {
    const out = join(tmp, 'new', 'charts');
    const r = await cli('chart', ...sampleFiles('6.1/premature'), '--out', out);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const want = CHART_NAMES.flatMap((n) => [`${n}.vl.json`, `${n}.svg`, `${n}.png`]).sort();
    expect(readdirSync(out).sort()).toEqual(['.reaplay-output', ...want]);
    for (const f of want) expect(r.out).toContain(`wrote ${join(out, f)} (`);
    expect(r.out).toMatch(/15 file\(s\) in /);
    const spec = JSON.parse(readFileSync(join(out, 'victim-lifecycle.vl.json'), 'utf8'));
    expect(spec.$schema).toMatch(/vega-lite\/v6/);
    expect(JSON.stringify(spec)).toContain('selected while 440 victim still held memory');
    expect(readFileSync(join(out, 'notifier-pairing.png')).subarray(0, 4).toString('latin1')).toBe('\x89PNG');
    expect(readFileSync(join(out, 'findings-summary.svg'), 'utf8')).toMatch(/^<svg /);
  });

  it('--as picks the outputs; a chart with nothing to draw is skipped, not written empty', async () => {
    const out = join(tmp, 'vl-only');
    // Without kprobe_events the notifier callbacks are not known: nothing to pair.
    const [trace, dmesg] = sampleFiles('6.1/premature');
    const r = await cli('chart', trace!, dmesg!, '--out', out, '--as', 'vl');
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['.reaplay-output', 'distributions.vl.json', 'findings-summary.vl.json', 'memory-teardown.vl.json', 'victim-lifecycle.vl.json']);
    expect(r.out).toContain('notifier-pairing: nothing to draw in this capture, skipped');
    expect(r.out).toMatch(/4 file\(s\) in /);
    const svgPng = await cli('chart', ...sampleFiles('6.1/kvm_mn_eagain'), '--out', join(tmp, 'two'), '--as', 'svg,png');
    expect(svgPng.code).toBe(0);
    expect(readdirSync(join(tmp, 'two')).filter((f) => f.endsWith('.vl.json'))).toEqual([]);
    expect(readdirSync(join(tmp, 'two'))).toContain('memory-teardown.png');
  });

  it('bad usage: unknown --as, missing --out, a bad --kernel are exit 2 with nothing written', async () => {
    const bad = await cli('chart', ...sampleFiles('6.1/premature'), '--out', join(tmp, 'bad'), '--as', 'vl,pdf');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--as: unknown output 'pdf'/);
    expect(() => readdirSync(join(tmp, 'bad'))).toThrow();
    expect((await cli('chart', ...sampleFiles('6.1/premature'))).code).toBe(2);
    expect((await cli('chart', '--kernel', 'banana', ...sampleFiles('6.1/premature'), '--out', join(tmp, 'bad'))).code).toBe(2);
  });
});
