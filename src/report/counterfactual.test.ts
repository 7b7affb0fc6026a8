// The real KVM-plus-failing-notifier capture replayed under other families: on
// 4.19-5.11 KVM's successful starts inside failed calls stay unpaired (no end on
// failure before c2655835); on 6.1 they are ended inside the failed start.
import { describe, expect, it } from 'vitest';
import { analyzeLoaded } from '../pipeline.ts';
import { counterfactualNotes } from './counterfactual.ts';
import { loadCapture } from '../timeline/load.ts';
import { bundledCaptures, captureFile } from '../testing/captures.ts';

describe('counterfactual replay of 6.1/kvm_mn_eagain', async () => {
  const c = bundledCaptures().find((x) => x.id === '6.1/kvm_mn_eagain')!;
  const loaded = await loadCapture([captureFile(c, 'ftrace.txt')!, captureFile(c, 'dmesg.txt')!, captureFile(c, 'kprobe_events.txt')!]);
  const actual = analyzeLoaded(loaded);
  const leaks = (a: ReturnType<typeof analyzeLoaded>) => a.findings.filter((f) => f.rule === 'UPI-HLIST-LEAK').map((f) => [f.notifier, f.count, f.level, f.expected, f.victim?.pid]);

  it('as recorded (6.1): KVM is paired inside the failed start, no leak', () => {
    expect(actual.profile.caps.hlistEndOnFailure).toBe(true);
    expect(leaks(actual)).toEqual([]);
  });
  it('as 4.19: KVM left unpaired in all 140 failed calls, the known bug of that family', () => {
    const as = analyzeLoaded(loaded, { asKernel: '4.19' });
    expect(as.profile.profile.label).toBe('4.19-5.1');
    expect(leaks(as)).toEqual([['kvm', 140, 'proven', true, 385]]);
    const notes = counterfactualNotes(actual, as);
    expect(notes.some((n) => /^kvm: 140 invalidate_range_start\(s\) .* would never get their invalidate_range_end on 4\.19-5\.1/.test(n))).toBe(true);
    expect(notes.some((n) => /victim 385: the reaper would be woken right after the kill \(here after 2\.02\d s\)/.test(n))).toBe(true);
  });
  it('as 5.4 (no pairing fix in 5.4.y) the same leak; as 6.1 the same as recorded', () => {
    expect(leaks(analyzeLoaded(loaded, { asKernel: '5.4' }))).toEqual([['kvm', 140, 'proven', true, 385]]);
    const as61 = analyzeLoaded(loaded, { asKernel: '6.1' });
    expect(leaks(as61)).toEqual([]);
    expect(counterfactualNotes(actual, as61)).toEqual([]);
  });
  it('as 4.14: the reaper would skip the mm with notifiers and give up silently', () => {
    const notes = counterfactualNotes(actual, analyzeLoaded(loaded, { asKernel: '4.14' }));
    expect(notes.some((n) => /victim 385: its mm has mmu notifiers: the reaper would sleep 1 s and give up without any tracepoint/.test(n))).toBe(true);
  });
});
