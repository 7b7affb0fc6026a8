import { afterEach, describe, expect, it } from 'vitest';
import { analyze } from '../../pipeline.ts';
import { registerDetector, unregisterDetector } from './index.ts';
import { bundledCaptures, captureFile } from '../../testing/captures.ts';

const c = bundledCaptures().find((x) => x.id === '6.1/premature')!;
const files = [captureFile(c, 'ftrace.txt')!, captureFile(c, 'dmesg.txt')!, captureFile(c, 'kprobe_events.txt')!];

describe('detector extension point', () => {
  afterEach(() => {
    unregisterDetector('slow-reaper');
    unregisterDetector('after-premature');
    unregisterDetector('needs-sched-switch');
  });
  it('a registered detector runs on every analysis and its findings carry evidence', async () => {
    registerDetector({
      id: 'slow-reaper',
      requires: [['oom:wake_reaper']],
      detect: ({ timeline, profile }) =>
        timeline.victims
          .filter((v) => v.wake && v.wake.ts - v.mark.ts > 1_000_000_000n)
          .map((v) => ({
            kind: 'slow_reaper', rule: 'SLOW-REAPER', level: 'proven' as const, expected: profile.caps.reaperDelayMs > 0,
            victim: { pid: v.pid }, message: `reaper woken ${v.wake!.ts - v.mark.ts} ns after the selection`,
            evidence: [{ src: v.mark.src, ts: v.mark.ts, what: 'selected' }, { src: v.wake!.src, ts: v.wake!.ts, what: 'reaper woken' }],
          })),
    });
    const a = await analyze(files);
    expect(a.findings.filter((f) => f.rule === 'SLOW-REAPER').map((f) => [f.victim?.pid, f.expected])).toEqual([[440, true]]);
  });
  it('a detector sees the findings of the detectors registered before it, and the profile', async () => {
    const seen: string[][] = [];
    registerDetector({
      id: 'after-premature',
      requires: [],
      detect: ({ findings, profile }) => {
        seen.push([...findings.map((f) => f.rule), profile.profile.id]);
        return [];
      },
    });
    const a = await analyze(files);
    expect(seen).toEqual([[...a.findings.map((f) => f.rule), '6.1']]);
    expect(seen[0]).toContain('PVS-PREMATURE');
  });
  it('ids are unique', () => {
    expect(() => registerDetector({ id: 'premature-victim', requires: [], detect: () => [] })).toThrow(/already registered/);
  });
  it('a detector whose events are missing does not run and says what is missing', async () => {
    registerDetector({ id: 'needs-sched-switch', requires: [['sched:sched_switch']], detect: () => { throw new Error('must not run'); } });
    const a = await analyze(files);
    const f = a.findings.find((x) => x.rule === 'needs-sched-switch:requires')!;
    expect(f).toMatchObject({ kind: 'missing_events', level: 'inconclusive' });
    expect(f.why).toMatch(/sched:sched_switch/);
  });
});
