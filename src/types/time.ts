// Time in the project: integer nanoseconds on the trace clock, branded so a count of
// nanoseconds cannot be mixed up with a count or a number of seconds. One formatter for
// durations, one for instants; every presenter (text, page, charts, compare) uses them.

declare const NS: unique symbol;
/** Nanoseconds on the trace clock (an instant) or between two instants (a duration). */
export type Ns = bigint & { readonly [NS]: 'ns' };

/** Brand a bigint read from the trace as nanoseconds. */
export const asNs = (v: bigint): Ns => v as Ns;
/** Whole nanoseconds of a number of seconds (charts and statistics work in seconds). */
export const nsFromSeconds = (s: number): Ns => BigInt(Math.round(s * 1e9)) as Ns;
/** Seconds as a float, for charts and statistics (exact to the microsecond up to days). */
export const secondsOf = (ns: bigint): number => Number(ns) / 1e9;

/** A duration in readable units: `1.234 s`, `12.5 ms`, `340 µs`, `0 s`. */
export function formatDuration(ns: bigint): string {
  if (ns === 0n) return '0 s';
  const a = ns < 0n ? -ns : ns;
  if (a >= 1_000_000_000n) return `${(Number(ns) / 1e9).toFixed(3)} s`;
  if (a >= 1_000_000n) return `${(Number(ns) / 1e6).toFixed(1)} ms`;
  return `${(Number(ns) / 1e3).toFixed(0)} µs`;
}

/** An evidence line's instant; some have none (damage whose time could not be read): said so, never shown as 0. */
export function formatEvidenceInstant(ns: bigint | undefined): string {
  return ns === undefined ? 'time unknown' : formatInstant(ns);
}

/** An instant as the kernel prints it: seconds with `digits` decimals (microseconds by default), exact. */
export function formatInstant(ns: bigint, digits = 6): string {
  const neg = ns < 0n;
  const a = neg ? -ns : ns;
  const frac = (a % 1_000_000_000n).toString().padStart(9, '0').slice(0, digits);
  return `${neg ? '-' : ''}${a / 1_000_000_000n}${digits > 0 ? `.${frac}` : ''}`;
}

/** The same formatter for a duration held as seconds (charts and statistics). */
export const formatSeconds = (s: number): string => formatDuration(nsFromSeconds(s));
