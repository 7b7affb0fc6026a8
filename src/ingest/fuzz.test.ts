// The short fuzz run (the long one is `npm run fuzz`): real lines of every text format,
// mutated (src/testing/mutate.ts), never throw and read the same in any chunking; a
// mutated real capture never makes `check` exit outside {0, 1, 2} or prove what its
// truth.json contradicts. A failure prints fast-check's seed and the shrunk mutations.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bundledCaptures } from '../testing/captures.ts';
import { captureProperty, contradictions, lineProperty, mutate, realLines, type Mutation } from '../testing/mutate.ts';

const lines = await realLines();

describe('mutated real lines', () => {
  for (const [format, real] of Object.entries(lines)) {
    it(`${format}: no exception, same result in any chunking`, { timeout: 120_000 }, () => {
      expect(real.length).toBeGreaterThan(10);
      fc.assert(lineProperty(format, real), { numRuns: 150 });
    });
  }
  it('mutations do what they say', () => {
    const l = ['a b c', 'd e f'].map((s) => Buffer.from(s));
    expect(mutate(l, { op: 'move', from: 0, to: 1 }).map(String)).toEqual(['d e f', 'a b c']);
    expect(mutate(l, { op: 'splice', a: 0, b: 1, field: 1 }).map(String)).toEqual(['a e c', 'd e f']);
    expect(mutate(l, { op: 'delete', line: 1, at: 1, len: 2 }).map(String)).toEqual(['a b c', 'd f']);
    expect(mutate(l, { op: 'flip', line: 0, at: 0, byte: 0x1b }).map(String)).toEqual(['\u001b b c', 'd e f']);
  });
});

describe('mutated real captures through check', () => {
  it('a proven finding that truth.json contradicts is caught by the property', () => {
    const truth = { victims: [{ pid: 440, core: { start_nonblock_failed: 1 } }], premature: { cases: [] } };
    expect(contradictions({ findings: [{ kind: 'premature_victim', rule: 'PVS-PREMATURE', level: 'proven', victim: { pid: 440 } }] }, truth)).toEqual(['proven premature selection of 440']);
    expect(contradictions({ findings: [{ kind: 'premature_victim', rule: 'PVS-PREMATURE', level: 'suggested', victim: { pid: 9 } }] }, truth)).toEqual([]);
    // A header line moved mid-file splits the trace into two captures: each one's findings count.
    const two = { captures: [{ findings: [] }, { findings: [{ kind: 'unpaired_invalidate', rule: 'UPI-CORE-FAILED-START', level: 'proven', victim: { pid: 7 } }] }] };
    expect(contradictions(two, truth)).toEqual(['proven UPI-CORE-FAILED-START for 7, not a victim', 'proven UPI-CORE-FAILED-START for 7']);
  });
  const premature = bundledCaptures().find((c) => c.id === '6.1/premature')!;
  it('6.1/premature: exit code in {0, 1, 2}, no contradicted proof', { timeout: 300_000 }, async () => {
    // The header line moved below the first events (two captures in one file), found by a CI run.
    const split: [Mutation[], Mutation[]] = [[{ op: 'move', from: 0, to: 12 }, { op: 'insert', line: 0, at: 0, piece: 0 }], []];
    await fc.assert(captureProperty(premature), { numRuns: 4, examples: [split] });
  });
});
