import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../types/event.ts';
import { newContext, parseInputs } from './parse-inputs.ts';
import { MODEL_EVENTS } from '../replay/needs.ts';
import { decodeGeneric } from '../normalize/index.ts';
import { SAMPLES_DIR } from '../testing/captures.ts';

const EXCERPT = join(SAMPLES_DIR, 'excerpts/haystack-6.1-oom.txt.zst');
const DEFS = join(SAMPLES_DIR, '6.1/kvm_mn_eagain/kprobe_events.txt');

describe('parseInputs on a busy real trace_pipe excerpt (zstd, no header)', () => {
  it('keeps every event; unknown ones raw, decodable on demand', async () => {
    const events: TraceEvent[] = [];
    const { inputs, ctx } = await parseInputs([EXCERPT], { onEvent: (e) => events.push(e) });
    expect(inputs[0]).toMatchObject({ format: 'ftrace', lines: 5001, losses: [], segments: 1 });
    expect(events).toHaveLength(4998);
    expect(ctx.diag.bySeverity('error') + ctx.diag.bySeverity('warning')).toBe(0);
    const sw = events.find((e) => e.name === 'sched:sched_switch')!;
    expect(sw.fields).toBeUndefined();
    expect(decodeGeneric(sw.text).prev_comm).toBeDefined();
    const sys = events.find((e) => e.name === 'raw_syscalls:sys_enter')!;
    expect(sys.text).toMatch(/^NR \d+ \(/);
    const mark = events.find((e) => e.name === 'oom:mark_victim')!;
    expect(mark.fields).toMatchObject({ pid: 2754, comm: 'victim' });
    expect(mark.src).toMatchObject({ file: EXCERPT, line: 3001 });
  });

  it('the model filter builds only the model’s events but counts all', async () => {
    const events: TraceEvent[] = [];
    const ctx = newContext(MODEL_EVENTS);
    await parseInputs([DEFS, EXCERPT], { context: ctx, onEvent: (e) => events.push(e) });
    const names = new Set(events.map((e) => e.name));
    expect(names.has('raw_syscalls:sys_enter')).toBe(false);
    expect(names.has('oom:mark_victim')).toBe(true);
    expect(names.has('kmem:rss_stat')).toBe(true);
    expect([...names].every((n) => /^(oom|kmem|mmap|sched|task|signal|printk|kvm|mn):/.test(n))).toBe(true);
    expect(ctx.names.entries().reduce((a, e) => a + e.count, 0)).toBe(4998);
  });
});
