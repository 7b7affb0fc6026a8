// The verdict rules on made-up victims, where the right answer is known by
// construction (the p-values are worked out in the comments).
import { describe, expect, it } from 'vitest';
import { BASE, type Capabilities } from '../replay/capabilities.ts';
import type { CaptureFacts, VictimFacts } from './facts.ts';
import { compareGroups, type CompareResult, type GroupResult } from './compare.ts';
import { compareText, verdictCell } from './text.ts';
import { BASE_METRICS } from './metrics.ts';
import { compareMetric } from './verdict.ts';

function victim(v: Partial<VictimFacts> = {}): VictimFacts {
  return {
    group: '', capture: 'c0', pid: 100, comm: 'victim', domain: 'memcg:/t', outcome: 'reaped',
    wake: 2, firstAttempt: 2.001, oomSkip: 2.01, oomSkipCause: 'REAPED', release: 2.01, releaseHow: 'reaper',
    attempts: 1, attemptsRun: 1, reaperWorked: true, gaveUp: false, lockBusy: 0, coreStarts: 14, coreFailed: 0,
    notifiers: ['kvm'], leaks: {}, callbackFailures: 0, callbackSource: 'probes', laterSelection: false, premature: false, selfReaps: 0, markExtended: true,
    ...v,
  };
}

function capture(name: string, victims: VictimFacts[], caps: Partial<Capabilities> = {}): CaptureFacts {
  return {
    name, path: `/x/${name}`, files: [`/x/${name}/ftrace.txt`], kernel: { upstream: '6.1.192' }, family: '6.1-6.8', caps: { ...BASE, ...caps }, reasons: [],
    observations: { victims: victims.length, rssStat: true, rssFormat: 'type=', exitMmapEvent: true, reapProbe: true, endsInsideFailedStart: 0, startsOkInFailedCalls: 0 },
    victims: victims.map((v) => ({ ...v, capture: name })),
  };
}

/** A group of `caps` captures sharing out the victims. */
function group(label: string, victims: VictimFacts[], captures = 3, caps: Partial<Capabilities> = {}): GroupResult {
  const cs = Array.from({ length: captures }, (_, k) => capture(`${label}-${k}`, victims.filter((_, i) => i % captures === k), caps));
  const g: GroupResult = { label, given: true, captures: cs, victims: cs.flatMap((c) => c.victims) };
  for (const v of g.victims) v.group = label;
  return g;
}

const metric = (r: CompareResult, id: string) => r.comparisons[0]!.metrics.find((m) => m.id === id)!;
const ms = (i: number) => i / 1000;

describe('durations', () => {
  const base = Array.from({ length: 12 }, (_, i) => victim({ pid: 100 + i, wake: 2 + ms(i) }));

  it('a +2 s shift over 12 victims a side is regressed: every group value above every baseline value', () => {
    // W = 144 (all pairs), so the exact two-sided p = 2/C(24,12) = 2/2,704,156 = 7.396e-7.
    // Differences are 2 s + (i − j) ms; their median is 2 s exactly (i − j is symmetric about 0).
    const r = compareGroups([group('old', base), group('new', base.map((v) => ({ ...v, wake: v.wake! + 2 })))]);
    const m = metric(r, 'wake');
    expect(m.test).toBe('Mann-Whitney U, exact');
    expect(m.p).toBeCloseTo(2 / 2_704_156, 15);
    expect(m.shift).toBeCloseTo(2, 12);
    expect(m.ci![0]).toBeLessThan(2);
    expect(m.ci![1]).toBeGreaterThan(2);
    expect(m.verdict).toBe('regressed');
    expect(m.minShift).toBeCloseTo(0.1 * 2.0055, 12); // 10% of the baseline median (2.0055 s), printed 200.6 ms (200.55 ms rounded from whole nanoseconds)
    expect(m.threshold).toMatch(/p < 0\.05 and \|shift\| ≥ 10% of the baseline median \(200\.6 ms\) and 1\.0 ms/);
    expect(r.summary.regressed).toBe(1);
  });

  it('faster is improved; a shift under 10% of the median is unchanged even when p is small', () => {
    const faster = compareGroups([group('old', base), group('new', base.map((v) => ({ ...v, wake: v.wake! - 1 })))]);
    expect(metric(faster, 'wake').verdict).toBe('improved');
    const slightly = compareGroups([group('old', base), group('new', base.map((v) => ({ ...v, wake: v.wake! + 0.05 })))]);
    const m = metric(slightly, 'wake');
    expect(m.p).toBeLessThan(0.05);
    expect(m.verdict).toBe('unchanged');
    expect(m.why).toMatch(/under 200\.6 ms \(though p = /);
  });

  it('two victims a side cannot reach p < 0.05 (smallest p = 2/C(4,2) = 0.33): not enough data, not unchanged', () => {
    const two = base.slice(0, 2);
    const r = compareGroups([group('old', two, 2), group('new', two.map((v) => ({ ...v, wake: v.wake! + 3 })), 2)]);
    const m = metric(r, 'wake');
    expect(m.p).toBeCloseTo(2 / 6, 12);
    expect(m.verdict).toBe('not enough data');
    expect(m.why).toMatch(/smallest possible p is 0\.33/);
  });

  it('one capture per side: descriptive only, never regressed; the raw difference of medians', () => {
    const r = compareGroups([group('old', base, 1), group('new', base.map((v) => ({ ...v, wake: v.wake! + 2 })), 1)]);
    expect(r.comparisons[0]!.descriptive).toBe(true);
    const m = metric(r, 'wake');
    expect(m).toMatchObject({ verdict: 'not enough data', shiftName: 'difference of medians' });
    expect(m.p).toBeUndefined();
    expect(m.ci).toBeUndefined();
    expect(m.shift).toBeCloseTo(2, 12);
    expect(m.why).toMatch(/^single trace per side: descriptive only; the medians differ by \+2\.000 s/);
    const same = compareGroups([group('old', base, 1), group('new', base, 1)]);
    expect(metric(same, 'wake')).toMatchObject({ verdict: 'unchanged', shift: 0 });
    expect(same.summary.regressed + same.summary.improved).toBe(0);
    expect(compareText(r)).toMatch(/single trace per side: descriptive only/);
  });

  it('no value on a side: not enough data, naming the side', () => {
    const r = compareGroups([group('old', base), group('new', base.map((v) => ({ ...v, wake: undefined })))]);
    expect(metric(r, 'wake')).toMatchObject({ verdict: 'not enough data', why: 'no value on new (victims with a wake_reaper)' });
  });
});

describe('rates', () => {
  const ok = Array.from({ length: 8 }, (_, i) => victim({ pid: 200 + i }));
  const bad = ok.map((v) => ({ ...v, gaveUp: true, outcome: 'gave_up', attempts: 10, attemptsRun: 10, releaseHow: 'mm_release', coreFailed: 140, callbackFailures: 140 }));

  it('0/8 → 8/8 give-ups: Fisher p = 2/C(16,8) = 1.554e-4, regressed; the reaper releasing less is regressed too (lower is worse)', () => {
    const r = compareGroups([group('old', ok), group('new', bad)]);
    const g = metric(r, 'gaveUp');
    expect(g.p).toBeCloseTo(2 / 12_870, 15);
    expect(g).toMatchObject({ verdict: 'regressed', shift: 1, test: "Fisher's exact test, two-sided" });
    expect(g.baseline).toMatchObject({ n: 8, events: 0, rate: 0 });
    expect(metric(r, 'byReaper')).toMatchObject({ verdict: 'regressed', shift: -1, worse: 'lower' });
    expect(metric(r, 'coreFailed').group.total).toBe(8 * 140);
    // 10 attempts against 1 for every victim: all ties within a side, normal approximation.
    expect(metric(r, 'attempts')).toMatchObject({ verdict: 'regressed', shift: 9, test: 'Mann-Whitney U, normal approximation, ties corrected' });
    expect(metric(r, 'callbackFailures')).toMatchObject({ verdict: 'regressed', shift: 14 });
    expect(metric(r, 'lockBusy').verdict).toBe('unchanged');
    // back the other way: improved
    expect(metric(compareGroups([group('old', bad), group('new', ok)]), 'gaveUp').verdict).toBe('improved');
  });

  it('a leak metric per notifier seen, and premature selections only among later selections', () => {
    const leaky = ok.map((v, i): VictimFacts => ({ ...v, leaks: i < 6 ? { kvm: 14 } : {}, laterSelection: i % 2 === 0, premature: i % 4 === 0 }));
    const r = compareGroups([group('old', ok.map((v) => ({ ...v, laterSelection: true }))), group('new', leaky)]);
    expect(r.metrics.map((m) => m.id)).toContain('leak:kvm');
    expect(metric(r, 'leak:kvm')).toMatchObject({ verdict: 'regressed', group: { events: 6, n: 8, total: 84 } });
    expect(metric(r, 'premature').group).toMatchObject({ n: 4, events: 2 });
  });
});

describe('what the model predicts', () => {
  it('a profile difference is listed apart, and marks the metric it predicts', () => {
    const base = Array.from({ length: 12 }, (_, i) => victim({ pid: 100 + i, wake: ms(i), firstAttempt: ms(i) + 0.001 }));
    const later = base.map((v) => ({ ...v, wake: v.wake! + 2, firstAttempt: v.firstAttempt! + 2 }));
    const r = compareGroups([group('5.4.0', base, 3, { reaperDelayMs: 0 }), group('5.4.286', later, 3, { reaperDelayMs: 2000 })]);
    const c = r.comparisons[0]!;
    expect(c.expected.map((e) => e.capability)).toEqual(['reaperDelayMs']);
    expect(c.expected[0]!.text).toMatch(/^5\.4\.0 wakes the oom_reaper right after the kill, 5\.4\.286 2 s after the kill/);
    const wake = metric(r, 'wake');
    expect(wake.verdict).toBe('regressed');
    expect(wake.predicted).toBe('higher on 5.4.286 (reaperDelayMs 0 → 2000)');
    expect(verdictCell(wake)).toBe('regressed (predicted)');
    expect(metric(r, 'release').predicted).toBeUndefined();
  });

  it('captures of one group that disagree are named as mixed', () => {
    const vs = [victim()];
    const g1 = group('a', vs, 1);
    const g2: GroupResult = { label: 'b', given: true, captures: [capture('b0', vs, { markVictimExtended: false }), capture('b1', vs, { markVictimExtended: true })], victims: [] };
    g2.victims = g2.captures.flatMap((c) => c.victims);
    const r = compareGroups([{ ...g1, captures: [capture('a0', vs, { markVictimExtended: false })] }, g2]);
    expect(r.comparisons[0]!.expected[0]).toMatchObject({ capability: 'markVictimExtended', baseline: 'false', group: 'mixed (false in 1, true in 1)' });
  });
});

it('every metric declares its direction and threshold', () => {
  for (const m of BASE_METRICS) {
    expect(['higher', 'lower']).toContain(m.worse);
    expect(m.threshold.abs).toBeGreaterThan(0);
    const r = compareMetric(m, { label: 'a', captures: 2, victims: [] }, { label: 'b', captures: 2, victims: [] }, { alpha: 0.05, level: 0.95, descriptive: false });
    expect(r.verdict).toBe('not enough data');
  }
});
