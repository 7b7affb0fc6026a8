// The model on small inline traces: each test is a few tracefs lines written here, so
// what the model concludes can be read next to what it was given.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, ingest, resolve, settle, startReplay, stepEvent } from '../pipeline.ts';
import { resolveProfile } from './kernel.ts';
import { unmetNeed } from './needs.ts';
import type { Coverage } from './coverage.ts';

const HEADER = '# tracer: nop\n#\n#           TASK-PID     CPU#  ||||   TIMESTAMP  FUNCTION\n#              | |         |   ||||      |         |\n';
const line = (comm: string, pid: number, t: number, what: string): string => `${`${comm}-${pid}`.padStart(22)} [000] ....  ${t.toFixed(6).padStart(11)}: ${what}`;

function trace(lines: string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'reaplay-model-')), 'trace.txt');
  writeFileSync(file, HEADER + lines.join('\n') + '\n');
  return file;
}

/** A victim selected at 10 s and woken at once, then `n` reaper attempts 100 ms apart. */
function attempts(n: number): string[] {
  const out = [line('victim', 400, 10, 'mark_victim: pid=400'), line('victim', 400, 10.0001, 'wake_reaper: pid=400')];
  for (let i = 0; i < n; i++) {
    const t = 10.001 + i * 0.1;
    out.push(line('oom_reaper', 29, t, 'start_task_reaping: pid=400'), line('oom_reaper', 29, t + 0.0005, 'finish_task_reaping: pid=400'));
  }
  return out;
}

describe('reaper outcome', () => {
  it('ten attempts with no success: gave up, MMF_OOM_SKIP by REAP_GAVE_UP after the tenth', async () => {
    const a = await analyze([trace(attempts(10))], { kernel: '5.10' });
    const v = a.victims[0]!;
    expect([v.pid, v.attempts, v.reap, v.oomSkip?.cause]).toEqual([400, 10, 'gave_up', 'REAP_GAVE_UP']);
    expect(v.attemptsEndAt).toBe(v.reapAttempts[9]!.end);
  });
  it('one attempt that no retry followed: reaped', async () => {
    const a = await analyze([trace(attempts(1))], { kernel: '5.10' });
    expect([a.victims[0]!.attempts, a.victims[0]!.reap]).toEqual([1, 'reaped']);
  });
});

describe('kernel resolution', () => {
  it('family defaults, then stable backports by sublevel', () => {
    expect(resolveProfile({ version: '5.10' }).caps.hlistEndOnFailure).toBe(false);
    expect(resolveProfile({ version: '5.10.89' }).caps.hlistEndOnFailure).toBe(true);
    const lts54 = resolveProfile({ version: '5.4.286' }).caps;
    expect([lts54.reaperDelayMs, lts54.hlistEndOnFailure]).toEqual([2000, false]);
    expect(resolveProfile({ version: '6.1' }).caps.reaperDelayMs).toBe(2000);
  });
  it('what the trace shows refines the family: a 2 s wake is the reaper delay', async () => {
    const lines = [line('victim', 400, 10, 'mark_victim: pid=400'), line('ksoftirqd', 12, 12.001, 'wake_reaper: pid=400')];
    const a = await analyze([trace(lines)], { kernel: '5.10.1' });
    expect(a.profile.caps.reaperDelayMs).toBe(2000);
    expect(a.profile.reasons.join('\n')).toMatch(/2 s reaper delay/);
  });
});

describe('step per event', () => {
  it('stepping the events one by one and settling once gives what analyze gives', async () => {
    const file = trace(attempts(10));
    const c = await ingest([file]);
    const r = startReplay(c);
    for (const ev of c.events) stepEvent(r, ev);
    const profile = resolve(c, r, { kernel: '5.10' });
    const state = settle(r, profile.caps);
    const a = await analyze([file], { kernel: '5.10' });
    expect(state.victims.map((v) => [v.pid, v.outcome, v.attempts.length, v.oomSkip?.cause])).toEqual(a.victims.map((v) => [v.pid, v.reap, v.attempts, v.oomSkip?.cause]));
  });
});

describe('needs against delivered events', () => {
  const cov = (delivered: Record<string, [number, number]>, losses = 0): Coverage => ({
    losses: Array.from({ length: losses }, (_, i) => ({ kind: 'lost_events' as const, cpu: 0, src: { file: 't', line: 7 + i, offset: 0 } })),
    firstTsByCpu: new Map(), present: new Set(Object.keys(delivered)),
    delivered: new Map(Object.entries(delivered).map(([n, [d, u]]) => [n, { delivered: d, undecodable: u, firstUndecodable: u ? { file: 't', line: 3, offset: 0 } : undefined }])),
  });
  it('met by one usable alternative', () => {
    expect(unmetNeed(cov({ 'oom:mark_victim': [2, 1] }), ['oom:mark_victim'])).toBeUndefined();
    expect(unmetNeed(cov({ 'printk:console': [5, 0] }), ['oom:mark_victim', 'printk:console'])).toBeUndefined();
  });
  it('undecodable names the event, the diagnostic and its first line; lost names the loss; else absent', () => {
    expect(unmetNeed(cov({ 'oom:mark_victim': [2, 2] }), ['oom:mark_victim'])).toMatchObject({ why: 'undecodable', event: 'oom:mark_victim', code: 'field_decode_failed', first: { line: 3 } });
    expect(unmetNeed(cov({}, 1), ['sched:sched_switch'])).toMatchObject({ why: 'lost', code: 'lost_events', first: { line: 7 } });
    expect(unmetNeed(cov({}), ['sched:sched_switch'])).toMatchObject({ why: 'absent', event: 'sched:sched_switch' });
  });
});
