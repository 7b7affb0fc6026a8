// What the comparison charts share: the group colours (the baseline first, in
// blue), the verdict colours, and thinning of long value lists so a spec stays
// small at 1,000 victims a group. Group labels, capture names and comm are data
// (data.values and sort arrays), never expressions or field names.
import type { CompareResult } from '../compare/compare.ts';

const PALETTE = ['#4c78a8', '#f58518', '#54a24b', '#b279a2', '#e45756', '#72b7b2', '#9d755d', '#eeca3b', '#ff9da6', '#bab0ac'];

export function groupColors(r: CompareResult): { domain: string[]; range: string[] } {
  const domain = r.groups.map((g) => g.label);
  return { domain, range: domain.map((_, i) => PALETTE[i % PALETTE.length]!) };
}

export const VERDICTS = ['regressed', 'improved', 'unchanged', 'not enough data'] as const;
export const VERDICT_COLOR = { domain: [...VERDICTS], range: ['#c0392b', '#1e8449', '#7f8c8d', '#c99a06'] };

/** At most `max` items, evenly spaced, the first and the last kept. */
export function thin<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(items[Math.round((i * (items.length - 1)) / (max - 1))]!);
  return out;
}

/** Seconds rounded to the microsecond (short JSON). */
export const us = (x: number): number => Math.round(x * 1e6) / 1e6;
