// Kernel log lines that fall in a victim's reap attempts: read by the unpaired rule
// without probes and by the victim facts alike. A trace of thousands of victims holds
// thousands of such lines, so they are found by binary search, not by a pass over all
// of them for every victim.

/** A failed non-blocking start may print its `callback failed` line a little after the attempt's last probe. */
export const LOG_LAG_NS = 50_000_000n;

/** Closed windows of trace time, `[from, to]`. */
export type Window = readonly [bigint, bigint];

/** What is read of a line: its time. */
interface Timed {
  readonly ts: bigint;
}

/** Whether a list of lines is in time order, found once per list (lines arrive merged, but a log may step back). */
const ordered = new WeakMap<readonly Timed[], { length: number; sorted: boolean }>();

function isSorted(lines: readonly Timed[]): boolean {
  const known = ordered.get(lines);
  if (known && known.length === lines.length) return known.sorted;
  let sorted = true;
  for (let i = 1; i < lines.length && sorted; i++) sorted = lines[i - 1]!.ts <= lines[i]!.ts;
  ordered.set(lines, { length: lines.length, sorted });
  return sorted;
}

/** The first index whose line is at or after `ts`. */
function firstFrom(lines: readonly Timed[], ts: bigint): number {
  let lo = 0;
  let hi = lines.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (lines[mid]!.ts < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The lines inside any of `windows`, in their own order (each once). */
export function linesInWindows<T extends Timed>(lines: readonly T[], windows: readonly Window[]): T[] {
  if (!windows.length || !lines.length) return [];
  const inside = (e: T): boolean => windows.some(([a, b]) => e.ts >= a && e.ts <= b);
  if (!isSorted(lines)) return lines.filter(inside);
  let from = windows[0]![0];
  let to = windows[0]![1];
  for (const [a, b] of windows) {
    if (a < from) from = a;
    if (b > to) to = b;
  }
  const out: T[] = [];
  for (let i = firstFrom(lines, from); i < lines.length && lines[i]!.ts <= to; i++) if (inside(lines[i]!)) out.push(lines[i]!);
  return out;
}
