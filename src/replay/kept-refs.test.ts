// What the model keeps of the events a verdict may cite once they have streamed past: for
// every invalidate call (thousands a victim on a long trace), references (time, task, name,
// line), not the events with their text and fields.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../pipeline.ts';
import { SAMPLES_DIR } from '../testing/captures.ts';

const dir = join(SAMPLES_DIR, '6.1/premature');
const REF_KEYS = ['name', 'pid', 'src', 'tgid', 'ts'];

describe('kept references', () => {
  it('calls, their callbacks and the callback-failed lines hold references, not events', async () => {
    const a = await analyze(['ftrace.txt.gz', 'dmesg.txt.gz', 'kprobe_events.txt'].map((f) => join(dir, f)));
    const s = a.state;
    const refs = s.calls.flatMap((c) => [c.entry, c.ret, c.endCall, ...c.callbacks.flatMap((cb) => [cb.entry, cb.ret])]).filter((r) => r !== undefined);
    expect(s.calls.length).toBe(141);
    expect(refs.length).toBe(141 * 2 + 1 + 140 * 2);
    for (const r of refs) expect(Object.keys(r).sort()).toEqual(REF_KEYS);
    expect(s.failedLogs.length).toBeGreaterThan(0);
    for (const l of s.failedLogs) expect(Object.keys(l).sort()).toEqual([...REF_KEYS, 'module', 'symbol'].sort());
    expect(s.failedLogs[0]).toMatchObject({ name: 'printk:console', symbol: 'mnt_invalidate_range_start', module: 'mntest' });
    // The verdicts read the same lines as before.
    expect(a.findings.some((f) => f.rule === 'UPI-CORE-FAILED-START' && f.count === 140)).toBe(true);
  });
});
