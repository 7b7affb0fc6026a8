// Evidence sampled as it comes keeps what a finding has always printed: the first few and
// the last of many, all of them when there are few.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EvidenceSample, sampleEvidence, type Evidence } from './finding.ts';

const line = (i: number): Evidence => ({ src: { file: 't', line: i + 1, offset: i * 10 }, ts: BigInt(i), what: `line ${i}` });

describe('EvidenceSample', () => {
  it('keeps the first keep - 1 and the last of any list, pushed one by one or several at once', () => {
    fc.assert(
      fc.property(fc.nat(40), fc.integer({ min: 1, max: 8 }), fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 40 }), (n, keep, steps) => {
        const all = Array.from({ length: n }, (_, i) => line(i));
        const want = n <= keep ? all : [...all.slice(0, keep - 1), all[n - 1]!];
        expect(sampleEvidence(all, keep)).toEqual(want);
        const s = new EvidenceSample(keep);
        // Pushed in groups of 1-3 (a call gives two or three lines of evidence).
        for (let i = 0, k = 0; i < n; k++) {
          const size = steps.length ? steps[k % steps.length]! : 1;
          s.push(...all.slice(i, i + size));
          i += size;
        }
        expect(s.list()).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });
});
