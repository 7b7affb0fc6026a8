// Numbers as the comparison prints them (text table, page, verdict reasons).
import type { MetricDef } from './metrics.ts';
import { formatSeconds } from '../types/time.ts';

/** Only the kind matters for printing. */
type Kind = Pick<MetricDef, 'kind'>;

/** Seconds in readable units (the one duration formatter). */
export const seconds = formatSeconds;

const trim = (s: string): string => (s.includes('.') ? s.replace(/\.?0+$/, '') : s);

/** A value of the metric in its unit. */
export function value(m: Kind, x: number): string {
  if (m.kind === 'duration') return seconds(x);
  if (m.kind === 'proportion') return `${trim((x * 100).toFixed(1))}%`;
  return trim(x.toFixed(Math.abs(x) >= 100 ? 0 : 2));
}

const MINUS = '−';
/** A signed difference in the metric's unit (percentage points for rates). */
export function shift(m: Kind, x: number): string {
  const sign = x > 0 ? '+' : x < 0 ? MINUS : '±';
  const a = Math.abs(x);
  if (m.kind === 'duration') return `${sign}${seconds(a)}`;
  if (m.kind === 'proportion') return `${sign}${trim((a * 100).toFixed(1))} pp`;
  return `${sign}${trim(a.toFixed(a >= 100 ? 0 : 2))}`;
}

/** The size of a change, without its sign. */
export const size = (m: Kind, x: number): string => shift(m, Math.abs(x) || 0).replace(/^[+±]/, '');

/** p-values: 3 significant digits, small ones in exponent form. */
export function pValue(p: number): string {
  if (p < 1e-300) return '< 1e−300';
  if (p >= 0.001) return p >= 0.1 ? p.toFixed(2) : p.toPrecision(2);
  return p.toExponential(1).replace('e-', 'e−');
}

export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
