// Timestamps are parsed from their digits into integer nanoseconds: `1234.567890`
// is 1234 s + 567890 µs. A float and `* 1e9` would lose nanoseconds past ~104 days.

const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000];

/** Mutable result of `scanTimestamp`, reused to keep the per-line path allocation-free. */
export interface TsScan {
  secs: number;
  /** Fraction in nanoseconds (0..999999999). */
  nanos: number;
  /** Index just after the last digit. */
  end: number;
  /** True when the stamp had no fraction (counter clocks print raw counts). */
  raw: boolean;
}

/**
 * Scan `secs[.frac]` starting at `i`; returns false unless at least one digit is there.
 * More than 9 fraction digits are refused (no known recorder prints them).
 */
export function scanTimestamp(buf: Buffer, i: number, end: number, out: TsScan): boolean {
  let secs = 0;
  const s0 = i;
  while (i < end) {
    const c = buf[i]!;
    if (c < 48 || c > 57) break;
    secs = secs * 10 + (c - 48);
    i++;
  }
  if (i === s0 || i - s0 > 15) return false;
  out.secs = secs;
  out.nanos = 0;
  out.raw = true;
  if (i < end && buf[i] === 46) {
    i++;
    const f0 = i;
    let frac = 0;
    while (i < end) {
      const c = buf[i]!;
      if (c < 48 || c > 57) break;
      frac = frac * 10 + (c - 48);
      i++;
    }
    const digits = i - f0;
    if (digits === 0 || digits > 9) return false;
    out.nanos = frac * POW10[9 - digits]!;
    out.raw = false;
  }
  out.end = i;
  return true;
}

/** Integer nanoseconds of a scan (raw counter values are returned as they are). */
export function tsToNs(t: TsScan): bigint {
  if (t.raw) return BigInt(t.secs);
  // Exact below 2^53 (about 104 days): one BigInt per event instead of three.
  const ns = t.secs * 1e9 + t.nanos;
  if (ns <= Number.MAX_SAFE_INTEGER) return BigInt(ns);
  return BigInt(t.secs) * 1_000_000_000n + BigInt(t.nanos);
}

/** Parse a `secs.frac` string (kernel log `[  12.345678]`, CSV) to integer ns; undefined if malformed. */
export function parseSecondsToNs(s: string): bigint | undefined {
  const m = /^\s*(\d{1,15})(?:\.(\d{1,9}))?\s*$/.exec(s);
  if (!m) return undefined;
  const frac = (m[2] ?? '').padEnd(9, '0');
  return BigInt(m[1]!) * 1_000_000_000n + BigInt(frac || '0');
}

/** `12.345678901` for display; exact. */
export function formatNs(ns: bigint): string {
  const neg = ns < 0n;
  const a = neg ? -ns : ns;
  const s = a / 1_000_000_000n;
  const f = (a % 1_000_000_000n).toString().padStart(9, '0');
  return `${neg ? '-' : ''}${s}.${f}`;
}
