// A guard, not a speed target (those live in `npm run bench`, src/bench/growth.ts): a
// crafted line of up to 1 MB built from a rule's own separators must decode, and a
// head of 64 KiB must sniff, in well under the time a backtracking regex takes
// (minutes for sched_process_fork, kprobe string arguments and the format sniffers).
import { describe, expect, it } from 'vitest';
import { feed } from '../testing/feed.ts';
import { ftraceImporter } from '../../parsers/ftrace-text/index.ts';
import { decodeEvent } from './index.ts';
import { DECODER_CASES, SNIFFER_CASES, timeRun } from '../testing/worst-lines.ts';

const GUARD_MS = 2000;

describe('no line makes a decoder or sniffer hang', () => {
  for (const c of DECODER_CASES) {
    it(`${c.name}: 1 MB line`, () => {
      expect(timeRun(c, c.build(1 << 20))).toBeLessThan(GUARD_MS);
    });
  }
  for (const c of SNIFFER_CASES) {
    it(`${c.name}: 64 KiB head`, () => {
      expect(timeRun(c, c.build(64 * 1024))).toBeLessThan(GUARD_MS);
    });
  }
  it('a 1 MB sched_process_fork line parses and decodes through the ftrace reader', () => {
    const text = `comm=${' pid=0 child_comm='.repeat(60_000)}h`;
    const line = `          init-1     [000] .....   100.000001: sched_process_fork: ${text}\n`;
    const t0 = performance.now();
    const { events } = feed(ftraceImporter, `# tracer: nop\n${line}`, { maxLine: 2 << 20 });
    const fields = decodeEvent(events[0]!, { kprobe: () => undefined });
    expect(performance.now() - t0).toBeLessThan(GUARD_MS);
    expect(events.map((e) => e.name)).toEqual(['sched:sched_process_fork']);
    expect(fields).toBeUndefined();
  });
});
