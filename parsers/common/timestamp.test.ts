// Timestamps to integer nanoseconds: exact on both sides of 2^53 ns (about 104 days).
import { describe, expect, it } from 'vitest';
import { tsToNs, type TsScan } from './timestamp.ts';

const ns = (secs: number, nanos: number, raw = false): bigint => tsToNs({ secs, nanos, raw, end: 0 } as TsScan);
const exact = (secs: number, nanos: number): bigint => BigInt(secs) * 1_000_000_000n + BigInt(nanos);

describe('tsToNs', () => {
  it('is exact below, at and past 2^53 ns', () => {
    for (const [s, n] of [[0, 0], [9, 820556000], [9007199, 254740991], [9007199, 254740992], [9007199, 254740993], [9007199, 999999999], [123456789012345, 999999999]] as const) {
      expect(ns(s, n)).toBe(exact(s, n));
    }
  });
  it('takes a counter clock value as it is', () => {
    expect(ns(123456789012345, 0, true)).toBe(123456789012345n);
  });
});
