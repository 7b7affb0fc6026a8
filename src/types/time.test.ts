import { describe, expect, it } from 'vitest';
import { asNs, formatDuration, formatInstant, nsFromSeconds, secondsOf } from './time.ts';

describe('time', () => {
  it('formats durations in readable units', () => {
    expect(formatDuration(2_000_123_456n)).toBe('2.000 s');
    expect(formatDuration(12_345_678n)).toBe('12.3 ms');
    expect(formatDuration(340_400n)).toBe('340 µs');
    expect(formatDuration(-1_500_000n)).toBe('-1.5 ms');
    expect(formatDuration(0n)).toBe('0 s');
  });
  it('formats instants exactly, as the kernel prints them', () => {
    expect(formatInstant(12_512_232_999n)).toBe('12.512232');
    expect(formatInstant(12_512_232_999n, 3)).toBe('12.512');
    expect(formatInstant(5n, 9)).toBe('0.000000005');
    expect(formatInstant(-1_000_000_000n)).toBe('-1.000000');
  });
  it('converts seconds both ways', () => {
    expect(nsFromSeconds(1.5)).toBe(1_500_000_000n);
    expect(secondsOf(asNs(2_500_000n))).toBe(0.0025);
  });
});
