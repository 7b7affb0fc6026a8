// Confidence intervals for a proportion and for the difference of two: Wilson's
// score interval, and Newcombe's hybrid score interval for p₁ − p₂ (his method 10,
// Statistics in Medicine 1998), which stays inside [−1, 1] and behaves at 0 and n.
import { qnorm } from './normal.ts';

export interface Interval {
  lower: number;
  upper: number;
}

export function wilson(x: number, n: number, level = 0.95): Interval {
  if (n === 0) return { lower: 0, upper: 1 };
  const z = qnorm(1 - (1 - level) / 2);
  const p = x / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At 0 and n the bound on that side is exactly 0 or 1 (the formula leaves rounding dust).
  return { lower: x === 0 ? 0 : Math.max(0, centre - half), upper: x === n ? 1 : Math.min(1, centre + half) };
}

/** x₁/n₁ − x₂/n₂ with Newcombe's interval. */
export function newcombe(x1: number, n1: number, x2: number, n2: number, level = 0.95): Interval & { estimate: number } {
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const a = wilson(x1, n1, level);
  const b = wilson(x2, n2, level);
  const d = p1 - p2;
  return {
    estimate: d,
    lower: d - Math.sqrt((p1 - a.lower) ** 2 + (b.upper - p2) ** 2),
    upper: d + Math.sqrt((a.upper - p1) ** 2 + (p2 - b.lower) ** 2),
  };
}
