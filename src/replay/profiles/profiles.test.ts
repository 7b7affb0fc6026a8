// Every bundled capture replayed under every profile: the replay never fails, the
// victims stay the same (selection is read from the trace, not the family), and the
// profile's capabilities are the ones the replay was settled under.
import { describe, expect, it } from 'vitest';
import { bundledCaptures, captureFile } from '../../testing/captures.ts';
import { analyzeLoaded, ingest } from '../../pipeline.ts';
import { BY_ID, PROFILES, type ProfileId } from './index.ts';

const ids = Object.keys(BY_ID) as ProfileId[];

describe('profiles', () => {
  it('ids are the records keys, oldest first', () => {
    expect(PROFILES.map((p) => p.id)).toEqual(ids);
    for (const id of ids) expect(BY_ID[id].id).toBe(id);
  });
});

describe.each(bundledCaptures().map((c) => [c.id, c] as const))('%s under every profile', (_id, c) => {
  it.each(ids.map((id) => [id]))('as %s', async (id) => {
    const files = ['ftrace.txt', 'dmesg.txt', 'kprobe_events.txt'].map((f) => captureFile(c, f)!);
    const loaded = await loaded_(files);
    const actual = analyzeLoaded(loaded);
    const as = analyzeLoaded(loaded, { asKernel: id });
    expect(as.profile.profile.id).toBe(id);
    expect(as.state.caps).toEqual(as.profile.caps);
    expect(as.victims.map((v) => [v.pid, v.selectedAt])).toEqual(actual.victims.map((v) => [v.pid, v.selectedAt]));
    for (const f of as.findings) expect(['proven', 'suggested', 'inconclusive']).toContain(f.level);
    // Families without the pairing fix never report the fix's rule, and the other way round.
    const rules = new Set(as.findings.map((f) => f.rule));
    if (!as.profile.caps.hlistEndOnFailure) expect(rules.has('UPI-HLIST-PAIRED')).toBe(false);
  });
});

const cache = new Map<string, Awaited<ReturnType<typeof ingest>>>();
async function loaded_(files: string[]) {
  const key = files.join('|');
  if (!cache.has(key)) cache.set(key, await ingest(files));
  return cache.get(key)!;
}
