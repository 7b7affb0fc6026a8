// Stable-series backports that change behaviour (docs/model.md#capabilities), as
// "from this sublevel on". `from` is the first sublevel known to carry the change,
// not necessarily the first that did.
import type { Capabilities } from './capabilities.ts';

export interface Backport {
  series: readonly [number, number];
  from: number;
  caps: Partial<Capabilities>;
  note: string;
}

export const BACKPORTS: readonly Backport[] = [
  { series: [5, 10], from: 89, caps: { hlistEndOnFailure: true }, note: 'notifier pairing fix c2655835 in 5.10.y (5.10.89 has it)' },
  { series: [5, 10], from: 223, caps: { reaperDelayMs: 2000 }, note: '2 s reaper delay in 5.10.y (seen in 5.10.223)' },
  { series: [5, 4], from: 286, caps: { reaperDelayMs: 2000 }, note: '2 s reaper delay in 5.4.y (5.4.286 has it; the pairing fix is not in 5.4.y)' },
  { series: [5, 15], from: 85, caps: { reaperDelayMs: 2000 }, note: '2 s reaper delay in 5.15.y (5.15.85 has it)' },
];
