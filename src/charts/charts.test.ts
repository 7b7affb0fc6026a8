// Every chart for the bundled captures: valid Vega-Lite (the JSON schema, draft-07),
// compiled without a warning, rendered to SVG and PNG, and equal to its golden spec.
//
// Golden files: src/charts/golden/<chart>.<case>.vl.json, kept in git, for the
// bundled samples 6.1/premature and 6.1/kvm_mn_eagain. Any difference fails the
// test. To accept a change on purpose, rewrite them and review the diff:
//
//   UPDATE_GOLDEN=1 npx vitest run src/charts
//
// (only then are they written; a missing golden file fails like a different one).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TopLevelSpec } from 'vega-lite';
import { bundledCaptures, SAMPLES_DIR } from '../testing/captures.ts';
import { analyze } from '../pipeline.ts';
import { chartData, type ChartData } from './data.ts';
import { CHART_NAMES, CHARTS, type ChartName } from './index.ts';
import { compileSpec, toPng, toSvg } from './render.ts';
import { GOLDEN_CASES, repeatVictims, sampleData } from '../testing/chart-fixtures.ts';
import { schemaValidator } from './schema.ts';

const GOLDEN_DIR = fileURLToPath(new URL('./golden/', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const goldenFile = (chart: ChartName, id: string) => join(GOLDEN_DIR, `${chart}.${id.replace('/', '-')}.vl.json`);
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const validate = schemaValidator();
const errorsOf = (spec: TopLevelSpec): string[] =>
  validate(spec) ? [] : (validate.errors ?? []).slice(0, 8).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);

// Every bundled capture, all of them as one multi-trace set, and the hand-made 4.19
// trace whose KVM starts are never ended (the unpaired flags).
const data = new Map<string, ChartData>();
beforeAll(async () => {
  const all: { trace: string; analysis: Awaited<ReturnType<typeof analyze>> }[] = [];
  for (const c of bundledCaptures()) {
    const files = ['ftrace.txt.gz', 'dmesg.txt.gz', 'kprobe_events.txt'].map((f) => join(c.dir, f));
    const analysis = await analyze(files);
    all.push({ trace: c.id, analysis });
    data.set(c.id, chartData([{ trace: c.id, analysis }]));
  }
  data.set('all bundled', chartData(all));
  const leak = join(SAMPLES_DIR, 'synthetic/4.19-kvm-leak');
  data.set('synthetic/4.19-kvm-leak', chartData([{ trace: 'synthetic/4.19-kvm-leak', analysis: await analyze(['trace.txt', 'dmesg.txt', 'kprobe_events.txt'].map((f) => join(leak, f))) }]));
});

describe('chart specs of the bundled captures', () => {
  it('covers the bundled samples', () => {
    expect([...data.keys()]).toEqual(expect.arrayContaining([...GOLDEN_CASES, '5.10/kvm_mn_eagain', 'all bundled', 'synthetic/4.19-kvm-leak']));
    expect(data.get('synthetic/4.19-kvm-leak')!.callbacks.some((c) => c.unpaired)).toBe(true);
  });

  for (const name of CHART_NAMES) {
    it(`${name}: valid against the Vega-Lite schema, compiles and runs without warnings, for every capture`, async () => {
      let drawn = 0;
      for (const [id, d] of data) {
        if (CHARTS[name].empty(d)) continue;
        drawn++;
        const spec = CHARTS[name].spec(d);
        expect(errorsOf(spec), `${name} for ${id}`).toEqual([]);
        expect(compileSpec(spec).warnings, `${name} for ${id}`).toEqual([]);
        // The Vega runtime's own warnings too (e.g. an empty panel's infinite extent).
        const runtime: string[] = [];
        await toSvg(spec, runtime);
        expect(runtime, `${name} for ${id}`).toEqual([]);
      }
      expect(drawn).toBeGreaterThan(0);
    });
  }

  it('a spec is a pure function of the rows: the same rows give the same spec, and the rows are not changed', () => {
    const d = data.get('6.1/premature')!;
    const before = JSON.stringify(d);
    for (const name of CHART_NAMES) expect(JSON.stringify(CHARTS[name].spec(d))).toBe(JSON.stringify(CHARTS[name].spec(d)));
    expect(JSON.stringify(d)).toBe(before);
  });

  it('sparse rows (no rss, no attempts, a bare selection; 1 and 100 victims): drawn without a warning or left out', async () => {
    const d = data.get('6.1/premature')!;
    const bare: ChartData = {
      victims: [{ trace: 't', pid: 1, comm: 'x', label: '1 x', domain: 'unknown', outcome: 'pending', attempts: 0, selected: 5, premature: false }],
      attempts: [], callbacks: [], rss: [], findings: [],
    };
    const cases: Record<string, ChartData> = {
      'no rss': { ...repeatVictims(d, 100), rss: [] },
      'no attempts': { ...repeatVictims(d, 100), attempts: [], callbacks: [] },
      'one bare victim': bare,
      '100 bare victims': repeatVictims(bare, 100),
    };
    for (const [what, rows] of Object.entries(cases)) {
      for (const name of CHART_NAMES) {
        if (CHARTS[name].empty(rows)) continue;
        const spec = CHARTS[name].spec(rows);
        expect(errorsOf(spec), `${name}, ${what}`).toEqual([]);
        const warnings: string[] = [];
        await toSvg(spec, warnings);
        expect(warnings, `${name}, ${what}`).toEqual([]);
      }
    }
  });

  it('empty data: every chart says it is empty, and none throws', () => {
    const none: ChartData = { victims: [], attempts: [], callbacks: [], rss: [], findings: [] };
    for (const name of CHART_NAMES) expect(CHARTS[name].empty(none), name).toBe(true);
  });
});

describe('golden specs (UPDATE_GOLDEN=1 rewrites them)', () => {
  for (const id of GOLDEN_CASES) {
    for (const name of CHART_NAMES) {
      it(`${name} for ${id}`, async () => {
        const d = await sampleData(id);
        expect(CHARTS[name].empty(d)).toBe(false);
        const text = JSON.stringify(CHARTS[name].spec(d), null, 2) + '\n';
        const file = goldenFile(name, id);
        if (UPDATE) {
          mkdirSync(GOLDEN_DIR, { recursive: true });
          writeFileSync(file, text);
          return;
        }
        expect(existsSync(file), `${file} is missing: run UPDATE_GOLDEN=1 npx vitest run src/charts`).toBe(true);
        expect(text).toBe(readFileSync(file, 'utf8'));
      });
    }
  }
});

describe('rendering', () => {
  for (const id of GOLDEN_CASES) {
    it(`every chart of ${id} renders to an SVG with marks and a PNG`, async () => {
      const d = data.get(id)!;
      for (const name of CHART_NAMES) {
        const warnings: string[] = [];
        const svg = await toSvg(CHARTS[name].spec(d), warnings);
        expect(warnings, name).toEqual([]);
        expect(svg, name).toMatch(/^<svg [^>]*width="\d+" height="\d+"/);
        // Marks: Vega's mark groups hold drawn items (paths, rects, lines, text).
        expect(svg, name).toMatch(/class="mark-(rect|rule|symbol|line|area|text)[^"]*"/);
        expect((svg.match(/<(path|line|rect|text)\b/g) ?? []).length, name).toBeGreaterThan(20);
        const png = toPng(svg);
        expect(png.subarray(0, 8).equals(PNG_SIGNATURE), name).toBe(true);
        expect(png.length, name).toBeGreaterThan(5_000);
      }
    });
  }

  it('comm is text from the traced system: markup in it stays text in the SVG', async () => {
    const d = structuredClone(data.get('6.1/premature')!);
    const evil = '<script>alert(1)</script>&"\'';
    for (const v of d.victims) {
      v.comm = evil;
      v.label = `${v.pid} ${evil}`;
    }
    const svg = await toSvg(CHARTS['victim-lifecycle'].spec(d));
    expect(svg).not.toContain('<script');
    expect(svg).toContain('&lt;script&gt;');
  });
});
