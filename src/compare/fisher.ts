// Fisher's exact test of a 2×2 table, two-sided as R's fisher.test: the p-value is
// the probability, under the hypergeometric null with both margins fixed, of every
// table no more likely than the one observed (with R's relative tolerance 1e-7).
//
//               events   non-events
//   group         a          b
//   baseline      c          d

/** ln(n!) for n = 0..N, grown on demand. */
const lnFact: number[] = [0];
function lfact(n: number): number {
  for (let i = lnFact.length; i <= n; i++) lnFact.push(lnFact[i - 1]! + Math.log(i));
  return lnFact[n]!;
}
const lchoose = (n: number, k: number): number => lfact(n) - lfact(k) - lfact(n - k);

export interface FisherResult {
  p: number;
  /** The sample odds ratio ad/bc (Infinity or NaN when a cell is 0). */
  oddsRatio: number;
}

export function fisherExact(a: number, b: number, c: number, d: number): FisherResult {
  for (const v of [a, b, c, d]) if (!Number.isInteger(v) || v < 0) throw new Error(`fisherExact: cells must be counts, got ${[a, b, c, d].join(', ')}`);
  const r1 = a + b;
  const r2 = c + d;
  const c1 = a + c;
  const lo = Math.max(0, c1 - r2);
  const hi = Math.min(r1, c1);
  const logp: number[] = [];
  for (let x = lo; x <= hi; x++) logp.push(lchoose(r1, x) + lchoose(r2, c1 - x));
  const max = Math.max(...logp);
  const w = logp.map((l) => Math.exp(l - max));
  const total = w.reduce((s, v) => s + v, 0);
  const observed = w[a - lo]!;
  let p = 0;
  for (const v of w) if (v <= observed * (1 + 1e-7)) p += v;
  return { p: Math.min(1, p / total), oddsRatio: (a * d) / (b * c) };
}

/** The smallest two-sided p-value possible with these group sizes (all events on one side). */
export function smallestFisherP(n1: number, n2: number): number {
  if (!n1 || !n2) return 1;
  return Math.min(fisherExact(n1, 0, 0, n2).p, fisherExact(0, n1, n2, 0).p);
}
