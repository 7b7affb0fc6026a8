// The Mann-Whitney U test (Wilcoxon rank-sum) and the Hodges-Lehmann shift with its
// distribution-free confidence interval, computed as R's wilcox.test(x, y,
// conf.int = TRUE) does:
//
// - W is the rank sum of x less n₁(n₁+1)/2 (the number of pairs with x above y,
//   ties counting ½).
// - Exact p-value when both samples are under 50 and there are no ties: the null
//   distribution of W by the recurrence p(k; m, n) = m/(m+n)·p(k−n; m−1, n) +
//   n/(m+n)·p(k; m, n−1); two-sided p = min(1, 2·min(P(W ≤ w), P(W ≥ w))).
// - Otherwise the normal approximation with continuity correction and the tie
//   correction of the variance: σ² = n₁n₂/12 · ((N+1) − Σ(t³−t)/(N(N−1))).
// - The shift estimate is the median of the n₁n₂ differences x_i − y_j; the 95%
//   interval is [D(k), D(n₁n₂+1−k)] of the sorted differences, with k from the exact
//   distribution (R's qwilcox(α/2)) when it applies, else from the normal
//   approximation k = ⌊n₁n₂/2 − z(1−α/2)·σ⌋ (Hollander & Wolfe, §4.3), at least 1.
//
// x is the group being judged and y the baseline: a positive shift means x is larger.
import { pnorm, qnorm } from './normal.ts';

export interface MannWhitney {
  n1: number;
  n2: number;
  /** R's W: pairs with x above y (ties ½). U for y is n1·n2 − W. */
  W: number;
  p: number;
  method: 'exact' | 'normal';
  ties: boolean;
  /** The continuity-corrected z (normal method only). */
  z?: number;
}

export interface Shift {
  /** Median of the differences x_i − y_j. */
  estimate: number;
  lower: number;
  upper: number;
  /** Confidence level actually achieved (exact: a little above the one asked for; normal: as asked). */
  level: number;
  method: 'exact' | 'normal';
}

/** Midranks (1-based) of the pooled values, and the sizes of tie groups. */
export function ranks(values: readonly number[]): { ranks: number[]; ties: number[] } {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  const ties: number[] = [];
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const r = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) out[order[k]![1]] = r;
    if (j > i) ties.push(j - i + 1);
    i = j + 1;
  }
  return { ranks: out, ties };
}

const EXACT_LIMIT = 50;
const distCache = new Map<string, Float64Array>();

/** P(W = k) for k = 0..m·n under the null, no ties (R's dwilcox). */
export function wilcoxDistribution(m: number, n: number): Float64Array {
  const key = `${m},${n}`;
  const hit = distCache.get(key);
  if (hit) return hit;
  // rows[j] = distribution for (i, j) as i grows; start with i = 0: W is 0.
  let prev: Float64Array[] = [];
  for (let j = 0; j <= n; j++) prev.push(Float64Array.of(1));
  for (let i = 1; i <= m; i++) {
    const cur: Float64Array[] = [Float64Array.of(1)]; // (i, 0): W is 0
    for (let j = 1; j <= n; j++) {
      const d = new Float64Array(i * j + 1);
      const a = prev[j]!; // (i−1, j): the largest value is an x, adding j to W
      const b = cur[j - 1]!; // (i, j−1): the largest value is a y
      const wa = i / (i + j);
      const wb = j / (i + j);
      for (let k = 0; k < a.length; k++) d[k + j] += wa * a[k]!;
      for (let k = 0; k < b.length; k++) d[k] += wb * b[k]!;
      cur.push(d);
    }
    prev = cur;
  }
  const out = prev[n]!;
  if (distCache.size > 64) distCache.clear();
  distCache.set(key, out);
  return out;
}

/** P(W ≤ q) (R's pwilcox). */
export function pwilcox(q: number, m: number, n: number): number {
  const d = wilcoxDistribution(m, n);
  let s = 0;
  for (let k = 0; k <= Math.min(Math.floor(q), d.length - 1); k++) s += d[k]!;
  return Math.min(1, s);
}

/** The smallest q with P(W ≤ q) ≥ p (R's qwilcox). */
export function qwilcox(p: number, m: number, n: number): number {
  const d = wilcoxDistribution(m, n);
  let s = 0;
  for (let k = 0; k < d.length; k++) {
    s += d[k]!;
    // As R (for p ≤ ½): compared with p − 10ε, so that p = P(W ≤ q) exactly returns q.
    if (s >= p - 10 * Number.EPSILON) return k;
  }
  return d.length - 1;
}

export function mannWhitney(x: readonly number[], y: readonly number[]): MannWhitney {
  const n1 = x.length;
  const n2 = y.length;
  if (!n1 || !n2) throw new Error('mannWhitney: both samples need at least one value');
  const r = ranks([...x, ...y]);
  let rx = 0;
  for (let i = 0; i < n1; i++) rx += r.ranks[i]!;
  const W = rx - (n1 * (n1 + 1)) / 2;
  const ties = r.ties.length > 0;
  if (!ties && n1 < EXACT_LIMIT && n2 < EXACT_LIMIT) {
    const p = W > (n1 * n2) / 2 ? 1 - pwilcox(W - 1, n1, n2) : pwilcox(W, n1, n2);
    return { n1, n2, W, p: Math.min(1, 2 * p), method: 'exact', ties };
  }
  const N = n1 + n2;
  const tieSum = r.ties.reduce((s, t) => s + t * t * t - t, 0);
  const sigma = Math.sqrt(((n1 * n2) / 12) * (N + 1 - tieSum / (N * (N - 1))));
  const dz = W - (n1 * n2) / 2;
  if (sigma === 0) return { n1, n2, W, p: 1, method: 'normal', ties, z: 0 };
  const z = (dz - Math.sign(dz) * 0.5) / sigma;
  const p = 2 * Math.min(pnorm(z), pnorm(-z));
  return { n1, n2, W, p: Math.min(1, p), method: 'normal', ties, z };
}

// --- the differences x_i − y_j, without building them when there are many ---

// Above this many pairs the bisection (O((n₁+n₂)·log) per quantile) beats sorting them all.
const BUILD_LIMIT = 250_000;

/** Number of pairs with x_i − y_j ≤ t (xs, ys sorted ascending). */
function countAtMost(xs: Float64Array, ys: Float64Array, t: number): number {
  // For each x (ascending), the y with x − y ≤ t are a suffix of ys whose start only moves right.
  let j = 0;
  let count = 0;
  for (let i = 0; i < xs.length; i++) {
    // The rounded difference itself is compared (not y with x − t), so every step agrees on each pair.
    while (j < ys.length && xs[i]! - ys[j]! > t) j++;
    count += ys.length - j;
  }
  return count;
}

/** The largest difference ≤ t, and the smallest difference > t. */
function around(xs: Float64Array, ys: Float64Array, t: number): { atMost: number; above: number } {
  let atMost = -Infinity;
  let above = Infinity;
  let j = 0;
  for (let i = 0; i < xs.length; i++) {
    while (j < ys.length && xs[i]! - ys[j]! > t) j++;
    // ys[j] is the smallest y with x − y ≤ t: x − ys[j] is this x's largest difference ≤ t.
    if (j < ys.length) atMost = Math.max(atMost, xs[i]! - ys[j]!);
    // x − ys[j−1] > t is this x's smallest difference above t.
    if (j > 0) above = Math.min(above, xs[i]! - ys[j - 1]!);
  }
  return { atMost, above };
}

/**
 * The k-th smallest (1-based) of the differences x_i − y_j. Sorted arrays in;
 * bisection on the value, counting pairs in O(n₁+n₂) per step, until the bracket
 * holds a single difference (exact, whatever the values).
 */
export function kthDifference(xs: Float64Array, ys: Float64Array, k: number): number {
  const total = xs.length * ys.length;
  if (k < 1 || k > total) throw new Error(`kthDifference: k = ${k} outside 1..${total}`);
  // Invariant: count(lo) < k ≤ count(hi), so the answer lies in (lo, hi].
  let lo = xs[0]! - ys[ys.length - 1]!; // the smallest difference
  if (countAtMost(xs, ys, lo) >= k) return lo;
  let hi = xs[xs.length - 1]! - ys[0]!; // the largest
  for (let i = 0; i < 100_000; i++) {
    // The next difference above lo is the answer once it reaches k pairs ...
    const next = around(xs, ys, lo).above;
    if (countAtMost(xs, ys, next) >= k) return next;
    lo = next;
    // ... and bisection narrows (lo, hi] meanwhile.
    const mid = lo + (hi - lo) / 2;
    if (mid > lo && mid < hi) {
      if (countAtMost(xs, ys, mid) >= k) hi = mid;
      else lo = mid;
    }
  }
  throw new Error('kthDifference: did not converge');
}

/** The differences x_i − y_j as a sorted list, when there are not too many. */
function sortedDifferences(xs: Float64Array, ys: Float64Array): Float64Array | undefined {
  const total = xs.length * ys.length;
  if (total > BUILD_LIMIT) return undefined;
  const d = new Float64Array(total);
  let k = 0;
  for (let i = 0; i < xs.length; i++) for (let j = 0; j < ys.length; j++) d[k++] = xs[i]! - ys[j]!;
  return d.sort();
}

/** Hodges-Lehmann shift of x against y, with its distribution-free confidence interval. */
export function hodgesLehmann(x: readonly number[], y: readonly number[], level = 0.95): Shift {
  const n1 = x.length;
  const n2 = y.length;
  if (!n1 || !n2) throw new Error('hodgesLehmann: both samples need at least one value');
  const xs = Float64Array.from(x).sort();
  const ys = Float64Array.from(y).sort();
  const total = n1 * n2;
  const sorted = sortedDifferences(xs, ys);
  const kth = (k: number): number => (sorted ? sorted[k - 1]! : kthDifference(xs, ys, k));
  const estimate = total % 2 ? kth((total + 1) / 2) : (kth(total / 2) + kth(total / 2 + 1)) / 2;
  const alpha = 1 - level;
  const r = ranks([...x, ...y]);
  if (r.ties.length === 0 && n1 < EXACT_LIMIT && n2 < EXACT_LIMIT) {
    let qu = qwilcox(alpha / 2, n1, n2);
    if (qu === 0) qu = 1;
    const ql = total - qu;
    const achieved = 1 - 2 * pwilcox(qu - 1, n1, n2);
    return { estimate, lower: kth(qu), upper: kth(ql + 1), level: achieved, method: 'exact' };
  }
  const N = n1 + n2;
  const tieSum = r.ties.reduce((s, t) => s + t * t * t - t, 0);
  const sigma = Math.sqrt(((n1 * n2) / 12) * (N + 1 - (N > 1 ? tieSum / (N * (N - 1)) : 0)));
  const k = Math.max(1, Math.floor(total / 2 - qnorm(1 - alpha / 2) * sigma));
  return { estimate, lower: kth(k), upper: kth(total + 1 - k), level, method: 'normal' };
}

/** The smallest two-sided p-value the exact test can give for these sample sizes (all x above all y). */
export function smallestP(n1: number, n2: number): number {
  if (!n1 || !n2) return 1;
  if (n1 < EXACT_LIMIT && n2 < EXACT_LIMIT) return Math.min(1, 2 * pwilcox(0, n1, n2));
  return 0;
}
