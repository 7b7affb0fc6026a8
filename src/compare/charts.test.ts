// The comparison charts (src/charts/compare-*.ts): valid Vega-Lite (the JSON schema),
// compiled and run without a single warning, drawn with marks, for real captures
// (one capture a side, two a side), three groups of 1,000 made-up victims, and text
// that is markup; a pure function of the comparison.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TopLevelSpec } from 'vega-lite';
import { SAMPLES_DIR } from '../testing/captures.ts';
import { schemaValidator } from '../charts/schema.ts';
import { compileSpec, toSvg } from '../charts/render.ts';
import { COMPARE_CHARTS, COMPARE_CHART_NAMES } from '../charts/compare-index.ts';
import { BASE } from '../replay/capabilities.ts';
import { compareGroups, loadGroups, type CompareResult, type GroupResult } from './compare.ts';
import type { VictimFacts } from './facts.ts';

const validate = schemaValidator();
const errorsOf = (spec: TopLevelSpec): string[] => (validate(spec) ? [] : (validate.errors ?? []).slice(0, 8).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`));

/** Groups of made-up victims with seeded random durations (a slower group, a faster one). */
function synthetic(perGroup: number, labels: string[], comm = 'victim'): CompareResult {
  let seed = 42;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const groups: GroupResult[] = labels.map((label, gi) => {
    const victims: VictimFacts[] = Array.from({ length: perGroup }, (_, i) => {
      const gave = rnd() < 0.3 + 0.2 * gi;
      const wake = 2 + gi * 0.05 + rnd() * 0.03;
      return {
        group: label, capture: `${label}-cap${i % 10}`, pid: 1000 + i, comm, domain: 'memcg:/t', outcome: gave ? 'gave_up' : 'reaped',
        wake, firstAttempt: wake + 0.001, oomSkip: gave ? wake + 1 : wake + 0.01, oomSkipCause: gave ? 'REAP_GAVE_UP' : 'REAPED', release: gave ? wake + 3.6 : wake + 0.008, releaseHow: gave ? 'mm_release' : 'reaper',
        attempts: gave ? 10 : 1, attemptsRun: gave ? 10 : 1, reaperWorked: true, gaveUp: gave, lockBusy: 0, coreStarts: gave ? 141 : 14, coreFailed: gave ? 140 : 0,
        notifiers: ['kvm'], leaks: {}, callbackFailures: gave ? 140 : 0, callbackSource: 'probes', laterSelection: i % 2 === 1, premature: false, selfReaps: 0, markExtended: true,
      };
    });
    const captures = Array.from({ length: 10 }, (_, k) => ({
      name: `${label}-cap${k}`, path: `/x/${k}`, files: [], kernel: { upstream: '6.1.192' }, family: '6.1-6.8', caps: { ...BASE }, reasons: [],
      observations: { victims: 0, rssStat: true, exitMmapEvent: true, reapProbe: true, endsInsideFailedStart: 0, startsOkInFailedCalls: 0 },
      victims: victims.filter((v) => v.capture === `${label}-cap${k}`),
    }));
    return { label, given: true, captures, victims };
  });
  return compareGroups(groups);
}

const cases = new Map<string, CompareResult>();
beforeAll(async () => {
  const s = (id: string) => join(SAMPLES_DIR, id);
  cases.set('bundled pair (descriptive)', compareGroups(await loadGroups([{ paths: [s('5.10/kvm_mn_eagain')] }, { paths: [s('6.1/kvm_mn_eagain')] }])));
  cases.set('bundled groups (2 captures a side)', compareGroups(await loadGroups([{ label: '5.10', paths: [s('5.10/*')] }, { label: '6.1', paths: [s('6.1/*')] }])));
  cases.set('3 groups × 1,000 victims', synthetic(1000, ['base', 'slower', 'slowest']));
});

describe('comparison charts', () => {
  for (const name of COMPARE_CHART_NAMES) {
    it(`${name}: valid against the schema, no compile or runtime warning, marks drawn, for every case`, async () => {
      for (const [what, r] of cases) {
        expect(COMPARE_CHARTS[name].empty(r), `${name}, ${what}`).toBe(false);
        const spec = COMPARE_CHARTS[name].spec(r);
        expect(errorsOf(spec), `${name}, ${what}`).toEqual([]);
        expect(compileSpec(spec).warnings, `${name}, ${what}`).toEqual([]);
        const runtime: string[] = [];
        const svg = await toSvg(spec, runtime);
        expect(runtime, `${name}, ${what}`).toEqual([]);
        expect(svg, `${name}, ${what}`).toMatch(/class="mark-(symbol|rule|line)[^"]*"/);
        // the inline data stays small at 1,000 victims a group (the curves are thinned)
        expect(JSON.stringify(spec).length, `${name}, ${what}`).toBeLessThan(400_000);
      }
    });
  }

  it('a spec is a pure function of the comparison', () => {
    const r = cases.get('3 groups × 1,000 victims')!;
    const before = JSON.stringify(r);
    for (const name of COMPARE_CHART_NAMES) expect(JSON.stringify(COMPARE_CHARTS[name].spec(r))).toBe(JSON.stringify(COMPARE_CHARTS[name].spec(r)));
    expect(JSON.stringify(r)).toBe(before);
  });

  it('group labels and comm are data: markup in them stays text in the SVG', async () => {
    const evil = '<script>alert(1)</script>&"';
    const r = synthetic(20, [evil, 'other'], evil);
    for (const name of COMPARE_CHART_NAMES) {
      const svg = await toSvg(COMPARE_CHARTS[name].spec(r));
      expect(svg, name).not.toContain('<script');
      expect(svg, name).toContain('&lt;script&gt;');
    }
  });

  it('nothing to draw: every chart says so', () => {
    const none = synthetic(3, ['a', 'b']);
    for (const g of none.groups) for (const v of g.victims) Object.assign(v, { wake: undefined, firstAttempt: undefined, oomSkip: undefined, release: undefined, releaseHow: undefined, reaperWorked: false, coreStarts: 0, notifiers: [], laterSelection: false, attemptsRun: 0 });
    const r = compareGroups(none.groups);
    for (const name of COMPARE_CHART_NAMES) expect(COMPARE_CHARTS[name].empty(r), name).toBe(true);
  });
});
