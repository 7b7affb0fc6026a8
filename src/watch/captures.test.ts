// watch on two real traces concatenated into one stream: the first capture is judged as
// a whole trace, the second is never merged with it (no victim of one judged against the
// other), and watch ends with the mixed_captures error naming where the second begins.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Writable } from 'node:stream';
import { runWatch, type Emitted } from './watch.ts';
import { piped } from '../testing/paced-input.ts';
import { SAMPLES_DIR } from '../testing/captures.ts';
import { ReaplayError } from '../types/errors.ts';

const trace = (id: string): Buffer => gunzipSync(readFileSync(join(SAMPLES_DIR, id, 'ftrace.txt.gz')));
const lines = (b: Buffer): number => b.toString('latin1').split('\n').length - 1;

describe('watch on concatenated traces', () => {
  it('judges the first capture, stops where the second begins and says so (exit 2), never merging them', async () => {
    const first = trace('6.1/premature');
    const second = trace('5.10/kvm_mn_eagain');
    const name = 'two-traces.txt';
    const emitted: Emitted[] = [];
    const out = new Writable({ write: (_c, _e, cb) => cb() });
    const run = runWatch({
      trace: { name, chunks: piped(Buffer.concat([first, second]), 64 * 1024) },
      kprobeDefs: [join(SAMPLES_DIR, '6.1/premature/kprobe_events.txt')],
      out,
      onEmit: (e) => emitted.push(e),
    });
    const err = await run.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ReaplayError);
    expect((err as ReaplayError).code).toBe('mixed_captures');
    // Cited at the second trace's header: the line after the first trace's last.
    expect((err as Error).message).toMatch(new RegExp(`^${name}:${lines(first) + 1} begins another trace`));
    const cited = emitted.flatMap((e) => (e.type === 'finding' ? e.finding.evidence.map((x) => x.src.line) : [e.victim.summary.selected.line]));
    expect(cited.length).toBeGreaterThan(0);
    expect(Math.max(...cited)).toBeLessThanOrEqual(lines(first));
    // The first capture's own verdict is still given: 386 selected while 440 held its memory.
    const premature = emitted.filter((e) => e.type === 'finding' && e.finding.rule === 'PVS-PREMATURE');
    expect(premature.map((e) => (e.type === 'finding' ? [e.finding.victim?.pid, e.finding.level] : []))).toEqual([[386, 'proven']]);
  }, 60_000);
});
