// The statistics against reference values worked out by hand (the arithmetic is in
// the comments) and textbook examples. The decimals were cross-checked with SciPy 1.17
// (scipy.stats: norm, mannwhitneyu, fisher_exact), which follows R's conventions for
// these tests; R itself was not run here.
import { describe, expect, it } from 'vitest';
import { erfc, pnorm, qnorm } from './normal.ts';
import { hodgesLehmann, kthDifference, mannWhitney, pwilcox, qwilcox, ranks, smallestP, wilcoxDistribution } from './mann-whitney.ts';
import { fisherExact, smallestFisherP } from './fisher.ts';
import { newcombe, wilson } from './proportions.ts';

describe('normal distribution', () => {
  it('pnorm and qnorm match the tables (Φ(1.96), Φ(−3), Φ(−8), Φ⁻¹(.975), Φ⁻¹(.995), Φ⁻¹(1e−10))', () => {
    expect(pnorm(1.96)).toBeCloseTo(0.9750021048517795, 14);
    expect(pnorm(0)).toBe(0.5);
    expect(pnorm(-3) / 0.0013498980316300933).toBeCloseTo(1, 12);
    expect(pnorm(-8) / 6.22096057427174e-16).toBeCloseTo(1, 10);
    expect(pnorm(-20) / 2.7536241186061556e-89).toBeCloseTo(1, 9);
    expect(qnorm(0.975)).toBeCloseTo(1.959963984540054, 13);
    expect(qnorm(0.995)).toBeCloseTo(2.5758293035489004, 13);
    expect(qnorm(1e-10)).toBeCloseTo(-6.361340902404056, 11);
    expect(qnorm(0.5)).toBeCloseTo(0, 15);
    // erfc(0) = 1, erfc(1) = 0.157299207050285 (A&S table 7.1), erfc at the series/fraction seam is continuous
    expect(erfc(0)).toBe(1);
    expect(erfc(1)).toBeCloseTo(0.157299207050285, 14);
    expect(erfc(3 - 1e-12) / erfc(3)).toBeCloseTo(1, 9);
  });
});

describe('Mann-Whitney U', () => {
  // Hollander & Wolfe (1973, p. 69), the example of R's ?wilcox.test: permeability
  // constants at 12-26 weeks (x) and at term (y).
  const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
  const y = [1.15, 0.88, 0.9, 0.74, 1.21];

  it('midranks and tie groups', () => {
    expect(ranks([10, 20, 20, 30])).toEqual({ ranks: [1, 2.5, 2.5, 4], ties: [2] });
  });

  it('exact null distribution: sums to 1, symmetric, and small cases by enumeration', () => {
    // m = n = 2: the 6 arrangements give W = 0,1,2,2,3,4 → P = 1/6, 1/6, 2/6, 1/6, 1/6
    expect([...wilcoxDistribution(2, 2)].map((p) => p * 6)).toEqual([1, 1, 2, 1, 1].map((v) => expect.closeTo(v, 12)));
    const d = wilcoxDistribution(10, 5);
    expect(d.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 14);
    for (let k = 0; k <= 50; k++) expect(d[k]).toBeCloseTo(d[50 - k]!, 15);
    // P(W ≤ 0) = 1/C(15,5) = 1/3003
    expect(pwilcox(0, 10, 5)).toBeCloseTo(1 / 3003, 15);
  });

  it('H&W example: W = 35, exact two-sided p = 2·382/3003 = 0.2544 (the one-sided 0.1272 printed in R’s ?wilcox.test example)', () => {
    // Ranks of x in the pooled 15 values: 0.73→1, 0.80→3, 0.83→4, 1.04→7, 1.38→10,
    // 1.45→11, 1.46→12, 1.64→13, 1.89→14, 1.91→15; sum 90, W = 90 − 55 = 35.
    // P(W ≥ 35) = 382 of the C(15,10) = 3003 equally likely rank sets.
    const r = mannWhitney(x, y);
    expect(r).toMatchObject({ n1: 10, n2: 5, W: 35, method: 'exact', ties: false });
    expect(r.p).toBeCloseTo((2 * 382) / 3003, 12);
    expect(r.p).toBeCloseTo(0.2544, 4);
  });

  it('H&W example: Hodges-Lehmann 0.305, exact 96.0% interval [−0.15, 0.76]', () => {
    // The 50 differences x_i − y_j sorted: the 25th and 26th are 0.30 and 0.31 → 0.305.
    // qwilcox(0.025, 10, 5) = 9 (P(W ≤ 8) = 60/3003 = 0.01998 < 0.025 ≤ P(W ≤ 9)),
    // so the interval is [D(9), D(42)], at level 1 − 2·60/3003 = 0.96004.
    expect(qwilcox(0.025, 10, 5)).toBe(9);
    expect(pwilcox(8, 10, 5)).toBeCloseTo(60 / 3003, 14);
    const s = hodgesLehmann(x, y);
    expect(s.method).toBe('exact');
    expect(s.estimate).toBeCloseTo(0.305, 12);
    expect(s.lower).toBeCloseTo(-0.15, 12);
    expect(s.upper).toBeCloseTo(0.76, 12);
    expect(s.level).toBeCloseTo(1 - 120 / 3003, 12);
  });

  it('ties: normal approximation with continuity and tie correction (W = 15.5, p = 0.05150)', () => {
    // pooled: 1 | 2 2 2 | 3 3 3 3 | 4 4 4 | 5 | 6 6 | 7 | 8 | 9 → midranks 1, 3, 6.5, 10, 12, 13.5, 15, 16, 17
    // rank sum of x = 1 + 3 + 3 + 3·6.5 + 10 + 15 = 51.5 → W = 51.5 − 8·9/2 = 15.5
    // ties Σ(t³ − t) = 24 + 60 + 24 + 6 = 114; σ² = 72/12 · (18 − 114/(17·16)) = 105.48529
    // z = (15.5 − 36 + 0.5)/√105.48529 = −1.94731; p = 2·Φ(−1.94731) = 0.051498 (SciPy, R's method: 0.0514981)
    const r = mannWhitney([1, 2, 2, 3, 3, 3, 4, 7], [2, 3, 4, 4, 5, 6, 6, 8, 9]);
    expect(r).toMatchObject({ W: 15.5, method: 'normal', ties: true });
    expect(r.z).toBeCloseTo(-20 / Math.sqrt(6 * (18 - 114 / 272)), 12);
    expect(r.p).toBeCloseTo(0.05149814867154551, 10);
  });

  it('large samples use the normal approximation; all values equal gives p = 1', () => {
    const a = Array.from({ length: 60 }, (_, i) => i);
    const b = Array.from({ length: 60 }, (_, i) => i + 0.5);
    // W = Σ over x of #y below = Σ_{i} i = 1770; mean 1800; σ² = 3600·121/12 = 36300
    const r = mannWhitney(a, b);
    expect(r.method).toBe('normal');
    expect(r.W).toBe(1770);
    expect(r.z).toBeCloseTo((1770 - 1800 + 0.5) / Math.sqrt(36300), 12);
    expect(mannWhitney([5, 5, 5], [5, 5]).p).toBe(1);
  });

  it('the smallest attainable p: 2/C(n₁+n₂, n₁) (3 vs 3: 0.1; 4 vs 4: 0.0286)', () => {
    expect(smallestP(3, 3)).toBeCloseTo(2 / 20, 14);
    expect(smallestP(4, 4)).toBeCloseTo(2 / 70, 14);
    expect(smallestP(1, 1)).toBe(1);
  });

  it('shift by the normal approximation with ties: k = ⌊n₁n₂/2 − 1.96σ⌋', () => {
    // 3 values of 10 vs 3 of 1: all 9 differences are 9, the interval too.
    const s = hodgesLehmann([10, 10, 10], [1, 1, 1]);
    expect(s).toMatchObject({ estimate: 9, lower: 9, upper: 9, method: 'normal' });
  });

  it('large samples: the shift and its interval by bisection equal the sorted differences (700 × 600, ties)', () => {
    let seed = 11;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const x = Array.from({ length: 700 }, () => Math.round(rnd() * 500));
    const y = Array.from({ length: 600 }, () => Math.round(rnd() * 450));
    const all = Float64Array.from(x.flatMap((a) => y.map((b) => a - b))).sort();
    const s = hodgesLehmann(x, y);
    expect(s.method).toBe('normal');
    expect(s.estimate).toBe((all[all.length / 2 - 1]! + all[all.length / 2]!) / 2);
    // k = ⌊n₁n₂/2 − 1.96σ⌋ with the tie-corrected σ: the interval is [D(k), D(n₁n₂ + 1 − k)]
    const N = 1300;
    const counts = new Map<number, number>();
    for (const v of [...x, ...y]) counts.set(v, (counts.get(v) ?? 0) + 1);
    const tieSum = [...counts.values()].reduce((t, c) => t + c ** 3 - c, 0);
    const sigma = Math.sqrt(((700 * 600) / 12) * (N + 1 - tieSum / (N * (N - 1))));
    const k = Math.floor((700 * 600) / 2 - qnorm(0.975) * sigma);
    expect([s.lower, s.upper]).toEqual([all[k - 1], all[all.length - k]]);
  });

  it('k-th difference without building the differences equals the sorted list, ties and all', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const [m, n] of [[1, 1], [3, 7], [20, 13], [50, 61]] as const) {
      const xs = Float64Array.from({ length: m }, () => Math.round(rnd() * 30) / 3).sort();
      const ys = Float64Array.from({ length: n }, () => Math.round(rnd() * 30) / 3).sort();
      const all = [...xs].flatMap((a) => [...ys].map((b) => a - b)).sort((p, q) => p - q);
      for (const k of [1, 2, Math.ceil(all.length / 3), Math.ceil(all.length / 2), all.length - 1, all.length].filter((k) => k >= 1 && k <= all.length)) {
        expect(kthDifference(xs, ys, k), `${m}×${n} k=${k}`).toBe(all[k - 1]);
      }
    }
  });
});

describe("Fisher's exact test, two-sided", () => {
  it('the lady tasting tea [[3,1],[1,3]]: p = 34/70 = 0.4857', () => {
    // hypergeometric with margins 4,4,4,4: P(a) = C(4,a)C(4,4−a)/70 = 1, 16, 36, 16, 1 (/70);
    // tables no more likely than a = 3 (16/70): a = 0, 1, 3, 4 → 34/70.
    expect(fisherExact(3, 1, 1, 3).p).toBeCloseTo(34 / 70, 14);
  });

  it('[[1,9],[11,3]]: p = 0.002759 (the textbook dieting example, as quoted with fisher.test)', () => {
    expect(fisherExact(1, 9, 11, 3).p).toBeCloseTo(0.0027594561852200836, 12);
  });

  it('all events on one side: 6/6 vs 0/6 gives 2/C(12,6) = 0.002165; no events anywhere gives 1', () => {
    expect(fisherExact(6, 0, 0, 6).p).toBeCloseTo(2 / 924, 14);
    expect(fisherExact(0, 5, 0, 7).p).toBe(1);
    expect(smallestFisherP(2, 2)).toBeCloseTo(2 / 6, 14);
    expect(smallestFisherP(4, 4)).toBeCloseTo(2 / 70, 14);
  });

  it('rejects non-counts', () => {
    expect(() => fisherExact(1.5, 1, 1, 1)).toThrow();
  });
});

describe('proportion intervals (Newcombe 1998, Table I and II)', () => {
  it('Wilson: 81/263 → [0.2553, 0.3662]', () => {
    const w = wilson(81, 263);
    expect(w.lower).toBeCloseTo(0.2553, 4);
    expect(w.upper).toBeCloseTo(0.3662, 4);
    expect(wilson(0, 10).lower).toBe(0);
  });

  it('Newcombe method 10: 56/70 − 48/80 → [0.0524, 0.3339]; 9/10 − 3/10 → [0.1705, 0.8090]; 5/56 − 0/29 → [−0.0381, 0.1926]', () => {
    const a = newcombe(56, 70, 48, 80);
    expect(a.estimate).toBeCloseTo(0.2, 12);
    expect(a.lower).toBeCloseTo(0.0524, 4);
    expect(a.upper).toBeCloseTo(0.3339, 4);
    const b = newcombe(9, 10, 3, 10);
    expect(b.lower).toBeCloseTo(0.1705, 4);
    expect(b.upper).toBeCloseTo(0.809, 4);
    const c = newcombe(5, 56, 0, 29);
    expect(c.lower).toBeCloseTo(-0.0381, 4);
    expect(c.upper).toBeCloseTo(0.1926, 4);
  });
});
