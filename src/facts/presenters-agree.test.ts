// The text story, --json, the charts' rows and compare print the same counts for every
// victim of every bundled capture: all four read the facts (src/facts), and this test
// compares what they print, not how they are built.
import { describe, expect, it } from 'vitest';
import { bundledCaptures, captureFile } from '../testing/captures.ts';
import { analyze } from '../pipeline.ts';
import { storyText } from '../report/story.ts';
import { analysisJson, stringify } from '../report/json.ts';
import { chartData } from '../charts/data.ts';
import { captureFacts } from '../compare/facts.ts';

interface Counts { pid: number; attempts: number; inAttemptsStarts: number; inAttemptsFailed: number; lifetimeStarts: number; outcome: string }

/** Per victim block of the story: `victim PID (...)`, the attempts line, the outcome line. */
function fromText(text: string): Partial<Counts>[] {
  const out: Partial<Counts>[] = [];
  for (const block of text.split('\n\n')) {
    const head = /^victim (\d+) /.exec(block);
    if (!head) continue;
    const c: Partial<Counts> = { pid: Number(head[1]), attempts: 0, inAttemptsStarts: 0, inAttemptsFailed: 0 };
    const att = /(\d+) reap attempt\(s\)/.exec(block);
    if (att) c.attempts = Number(att[1]);
    const failed = /(\d+) of (\d+) invalidate calls inside the reaper's attempts failed/.exec(block);
    const plain = /(\d+) invalidate calls inside the reaper's attempts/.exec(block);
    if (failed) [c.inAttemptsFailed, c.inAttemptsStarts] = [Number(failed[1]), Number(failed[2])];
    else if (plain) c.inAttemptsStarts = Number(plain[1]);
    const life = /(\d+) over the mm's lifetime/.exec(block);
    c.lifetimeStarts = life ? Number(life[1]) : c.inAttemptsStarts;
    const outcome = /outcome: (.*)/.exec(block);
    c.outcome = outcome?.[1];
    out.push(c);
  }
  return out;
}

const OUTCOME_WORDS: Record<string, string> = {
  reaped: 'the oom_reaper reaped its memory',
  gave_up: 'the oom_reaper gave up; MMF_OOM_SKIP hid the victim while its memory was still mapped',
  not_run: 'it exited before the oom_reaper acted',
  pending: 'undecided when the trace ends',
};

describe.each(bundledCaptures().map((c) => [c.id, c] as const))('%s: text, JSON, chart rows and compare agree', (_id, c) => {
  it('per victim: attempts, invalidate calls in each scope, failed calls, outcome', async () => {
    const files = ['ftrace.txt', 'dmesg.txt', 'kprobe_events.txt'].map((f) => captureFile(c, f)!).filter(Boolean);
    const a = await analyze(files);
    expect(a.facts.victims.length).toBeGreaterThan(0);
    const json = JSON.parse(stringify(analysisJson(a))) as { victims: { pid: number; attempts: number; reap: string; calls: Record<string, { starts: number; failed: number }> }[] };
    const text = fromText(storyText(a));
    const rows = chartData([{ trace: c.id, analysis: a }]);
    const cmp = captureFacts(a, { name: c.id, path: c.dir, files });
    expect(text.length).toBe(json.victims.length);
    json.victims.forEach((j, i) => {
      const at = `${c.id} victim ${j.pid}`;
      const t = text[i]!;
      expect(t.pid, at).toBe(j.pid);
      expect(t.attempts, at).toBe(j.attempts);
      expect(t.inAttemptsStarts, at).toBe(j.calls.inAttempts!.starts);
      expect(t.inAttemptsFailed, at).toBe(j.calls.inAttempts!.failed);
      expect(t.lifetimeStarts, at).toBe(j.calls.mmLifetime!.starts);
      expect(t.outcome, at).toBe(OUTCOME_WORDS[j.reap]);
      const row = rows.victims[i]!;
      expect([row.pid, row.attempts, row.outcome], at).toEqual([j.pid, j.attempts, j.reap]);
      expect(rows.attempts.filter((r) => r.pid === j.pid && r.trace === c.id).length, at).toBe(j.attempts);
      const cv = cmp.victims[i]!;
      expect([cv.pid, cv.attempts, cv.coreStarts, cv.coreFailed, cv.outcome], at).toEqual([j.pid, j.attempts, j.calls.mmLifetime!.starts, j.calls.mmLifetime!.failed, j.reap]);
    });
  });
});
