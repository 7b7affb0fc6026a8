// A released victim's address space is retired once the mm_id reuse window after its
// release has passed (steps/retire.ts): on a real capture repeated with shifted times,
// where the same mm_ids come back in the next round, the first round's victims keep
// exactly what they keep alone, and their address space's facts do not change.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyze } from '../pipeline.ts';
import { generateRepeated } from '../bench/inputs.ts';
import { SAMPLES_DIR } from '../testing/captures.ts';

const dir = join(SAMPLES_DIR, '6.1/premature');
const trace = join(dir, 'ftrace.txt.gz');
const kprobes = join(dir, 'kprobe_events.txt');
/** A fact's JSON without the file names (the two inputs differ only in them and in the rounds). */
const noFile = (x: unknown): unknown => JSON.parse(JSON.stringify(x, (k, v: unknown) => (k === 'file' ? undefined : typeof v === 'bigint' ? String(v) : v)));
const tmp = mkdtempSync(join(tmpdir(), 'reaplay-retire-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('retiring a released victim', () => {
  it('a reused mm_id in a later round feeds the new victim, not the released one', async () => {
    const one = await analyze([trace, kprobes]);
    const once = join(tmp, 'once.txt');
    const twice = join(tmp, 'twice.txt');
    await generateRepeated(trace, once, 1);
    await generateRepeated(trace, twice, statSync(once).size + 1);
    const two = await analyze([twice, kprobes]);
    expect(one.state.victims.length).toBeGreaterThan(0);
    expect(two.state.victims.length).toBe(2 * one.state.victims.length);
    for (const [i, v] of one.state.victims.entries()) {
      const w = two.state.victims[i]!;
      expect([w.pid, w.release?.how]).toEqual([v.pid, v.release?.how]);
      // Before retiring, the first round's timeline also held the second round's samples of its mm_id.
      expect([...w.mm.events].map((e) => e.src.line)).toEqual(v.mm.within(v.release?.ts).map((e) => e.src.line));
      // (A finding names a victim by pid, which the rounds repeat: only the address space's facts are compared.)
      const mmFacts = (f: (typeof one.facts.victims)[number]) => noFile({ mmId: f.mmId, mm: f.mm, anon: f.anon, anonAtSelection: f.anonAtSelection, release: f.release });
      expect(mmFacts(two.facts.victims[i]!)).toEqual(mmFacts(one.facts.victims[i]!));
    }
    // Every released victim of the first round was retired; the last round's may not be yet.
    expect(two.state.victims.slice(0, one.state.victims.length).filter((v) => v.release).every((v) => v.mm.retired)).toBe(true);
  }, 120_000);
});
