// Victims from any kernel-log line, on exact-format lines of the kernels that print
// them (mm/oom_kill.c of 4.14 for the selection and kill lines, 5.4+ for the summary
// and the UID kill line): a selection line whose kill line is missing, a chosen parent
// and its killed child, a summary alone, a reaper line alone, anon left by the reaper.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../pipeline.ts';

const dir = mkdtempSync(join(tmpdir(), 'reaplay-logv-'));
let n = 0;
async function run(lines: string[]) {
  const f = join(dir, `${n++}.txt`);
  writeFileSync(f, lines.join('\n') + '\n');
  return analyze([f]);
}

describe('victims from any kernel-log line', () => {
  it('a chosen parent and its killed child are both reported, with their relation', async () => {
    const a = await run([
      '[  812.100000] Task in /batch killed as a result of limit of /batch',
      '[  812.101010] Memory cgroup out of memory: Kill process 4242 (make) score 912 or sacrifice child',
      '[  812.101200] Killed process 4250 (cc1) total-vm:8402412kB, anon-rss:7864320kB, file-rss:1536kB, shmem-rss:0kB',
    ]);
    const child = a.victims.find((v) => v.pid === 4250)!;
    const parent = a.victims.find((v) => v.pid === 4242)!;
    expect(child).toMatchObject({ comm: 'cc1', domain: 'memcg:/batch', chosen: { pid: 4242, comm: 'make' } });
    expect(parent).toMatchObject({ comm: 'make', domain: 'memcg:/batch', evidence: 'selection', killedInstead: 4250 });
    // The parent is no selection of its own: no premature finding between the two.
    expect(a.findings.filter((f) => f.kind === 'premature_victim' || f.kind === 'gate_breach')).toEqual([]);
    expect(a.profile.reasons[0]).toContain('formats imply 4.5-4.19');
  });

  it('a selection line whose kill line is missing still names a victim', async () => {
    const a = await run(['[  812.101010] Out of memory: Kill process 4242 (stress) score 912 or sacrifice child']);
    expect(a.victims.map((v) => [v.pid, v.comm, v.domain, v.evidence])).toEqual([[4242, 'stress', 'global', 'selection']]);
  });

  it('a summary alone names a victim in its domain', async () => {
    const a = await run(['[ 1234.567850] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/oomlab,task_memcg=/oomlab/a,task=stress,pid=4242,uid=1000']);
    expect(a.victims.map((v) => [v.pid, v.comm, v.domain, v.evidence])).toEqual([[4242, 'stress', 'memcg:/oomlab', 'summary']]);
  });

  it('a reaper line alone names a victim, with no latency measured from it; anon left is reported', async () => {
    const a = await run([
      '[ 1236.603410] oom_reaper: reaped process 4242 (stress), now anon-rss:947708kB, file-rss:0kB, shmem-rss:0kB',
      '[ 1237.000000] oom_reaper: unable to reap pid:4300 (java)',
    ]);
    expect(a.victims.map((v) => [v.pid, v.comm, v.reap, v.evidence, v.anonLeftKb, v.latency])).toEqual([
      [4242, 'stress', 'reaped', 'reaper', 947708, {}],
      [4300, 'java', 'gave_up', 'reaper', undefined, {}],
    ]);
  });

  it('a log whose formats narrow nothing says the family is assumed', async () => {
    const a = await run(['[    1.000000] usb 1-1: new device']);
    expect(a.profile.reasons[0]).toMatch(/assumed: no kernel release in the inputs, and no line format narrows the version/);
  });
});
