// 1,000 victims (a real capture's rows repeated with shifted pids and times): every
// chart switches to its aggregate view, its inline data stays small, and it compiles
// and renders without a warning.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ChartData } from './data.ts';
import { CHART_NAMES, CHARTS, type ChartName } from './index.ts';
import { compileSpec, toPng, toSvg } from './render.ts';
import { repeatVictims, sampleData } from '../testing/chart-fixtures.ts';
import { schemaValidator } from './schema.ts';

/** Bound on a whole spec at 1,000 victims (JSON, compact); measured sizes are printed. */
const MAX_SPEC_BYTES = 64 * 1024;

let big: ChartData;
beforeAll(async () => {
  // 6.1/premature: a victim the reaper gave up on and the victim chosen while it still held its memory.
  big = repeatVictims(await sampleData('6.1/premature'), 1000);
});

describe('1,000 victims', () => {
  it('the synthetic rows are as many as a busy capture gives', () => {
    expect(big.victims).toHaveLength(1000);
    expect(new Set(big.victims.map((v) => v.pid)).size).toBe(1000);
    expect(big.victims.filter((v) => v.premature)).toHaveLength(500);
    expect(big.attempts.length).toBe(5000);
    expect(big.callbacks.length).toBe(70_000);
    expect(big.rss.length).toBeGreaterThan(40_000);
    // The rows themselves: ~14 MB of JSON that no spec may inline.
    expect(JSON.stringify(big).length).toBeGreaterThan(10_000_000);
  });

  it('every chart stays small, valid, and compiles and renders without warnings', async () => {
    const validate = schemaValidator();
    const sizes: Record<string, string> = {};
    for (const name of CHART_NAMES) {
      const t0 = performance.now();
      const spec = CHARTS[name].spec(big);
      const t1 = performance.now();
      const bytes = JSON.stringify(spec).length;
      expect(validate(spec), `${name}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
      expect(compileSpec(spec).warnings, name).toEqual([]);
      const warnings: string[] = [];
      const svg = await toSvg(spec, warnings);
      const t2 = performance.now();
      expect(warnings, name).toEqual([]);
      const png = toPng(svg);
      const t3 = performance.now();
      expect(png.length).toBeGreaterThan(5_000);
      expect(bytes, `${name}: ${bytes} bytes`).toBeLessThan(MAX_SPEC_BYTES);
      sizes[name] = `spec ${(bytes / 1024).toFixed(1)} kB in ${(t1 - t0).toFixed(0)} ms, svg ${(svg.length / 1024).toFixed(0)} kB in ${(t2 - t1).toFixed(0)} ms, png ${(png.length / 1024).toFixed(0)} kB in ${(t3 - t2).toFixed(0)} ms`;
    }
    console.log(`1,000 victims:\n${Object.entries(sizes).map(([k, v]) => `  ${k}: ${v}`).join('\n')}`);
  });

  it('the aggregate views say they are aggregates', () => {
    const subtitle = (name: ChartName) => JSON.stringify((CHARTS[name].spec(big) as { title?: unknown }).title);
    expect(subtitle('victim-lifecycle')).toMatch(/1,000 victims \(more than 40: aggregated/);
    expect(subtitle('notifier-pairing')).toMatch(/70,000 callbacks of 500 victims.*counted per/);
    expect(subtitle('memory-teardown')).toMatch(/aligned on each one's selection/);
  });

  it('at 40 victims the lifecycle still has one lane per victim, at 41 it aggregates', () => {
    const lanes = (n: number) => {
      const spec = CHARTS['victim-lifecycle'].spec(repeatVictims(big, n)) as { vconcat?: unknown; encoding?: { y?: { sort?: unknown[] } } };
      return spec.vconcat ? 'aggregate' : spec.encoding?.y?.sort?.length;
    };
    expect(lanes(1)).toBe(1);
    expect(lanes(40)).toBe(40);
    expect(lanes(41)).toBe('aggregate');
  });
});
