// Silent-loss cases of the line heads: ids too large for an exact number, event lines
// whose comm starts with `#` in the middle of a file, and stdin named twice.
import { describe, expect, it } from 'vitest';
import { feed } from '../../src/testing/feed.ts';
import { cli } from '../../src/testing/cli.ts';
import { ftraceImporter } from '../ftrace-text/index.ts';
import { traceCmdReportImporter } from '../trace-cmd-report/index.ts';
import { perfScriptImporter } from '../perf-script/index.ts';

describe('ids that do not fit', () => {
  it('a pid or CPU of 2^64 is a malformed line, never a float', () => {
    const text = [
      '# tracer: nop',
      '          init-1     [000] .....   100.000001: mark_victim: pid=1',
      '          init-18446744073709551616     [000] .....   100.000002: mark_victim: pid=2',
      '          init-3     [18446744073709551616] .....   100.000003: mark_victim: pid=3',
      '          init-4     [001] .....   100.000004: mark_victim: pid=4',
      '',
    ].join('\n');
    const { events, ctx } = feed(ftraceImporter, text);
    expect(events.map((e) => [e.pid, e.cpu])).toEqual([[1, 0], [4, 1]]);
    expect(events.every((e) => Number.isSafeInteger(e.pid) && Number.isSafeInteger(e.cpu))).toBe(true);
    expect(ctx.diag.kept.filter((d) => d.code === 'malformed_line').map((d) => d.src?.line)).toEqual([3, 4]);
  });
});

describe('`#` at the start of an event line in the middle of a file', () => {
  it('is an event (comm `#x`), not a comment, in tracefs text, trace-cmd report and perf script', () => {
    const ftrace = feed(ftraceImporter, '# tracer: nop\n#\n          init-1     [000] .....   100.000001: mark_victim: pid=1\n#x-2     [000] .....   100.000002: mark_victim: pid=2\n');
    expect(ftrace.events.map((e) => e.comm)).toEqual(['init', '#x']);
    const tc = feed(traceCmdReportImporter, 'cpus=1\n          init-1     [000]   100.000001: mark_victim:          pid=1\n#x-2     [000]   100.000002: mark_victim:          pid=2\n');
    expect(tc.events.map((e) => e.comm)).toEqual(['init', '#x']);
    const perf = feed(perfScriptImporter, '          victim   440 [001]    14.551576:           oom:mark_victim: pid=440\n#victim   441 [001]    14.551577:           oom:mark_victim: pid=441\n');
    expect(perf.events.map((e) => e.comm)).toEqual(['victim', '#victim']);
  });
});

describe('stdin', () => {
  it('`- -` is refused with a clear message: one stdin cannot feed two inputs', async () => {
    const r = await cli('parse', '-', '-');
    expect(r.code).toBe(2);
    expect(r.err).toBe('reaplay: - (stdin) can be given only once\n');
  });
});
