// --follow on a file that is truncated and written again, or rotated: watch keeps
// going and judges what the new content holds. The wait between polls is injected:
// the test drives the file between the follower's polls, no real sleep.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, renameSync, truncateSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Writable } from 'node:stream';
import { followFile } from './follow.ts';
import { runWatch, type Emitted } from './watch.ts';
import { analyze } from '../pipeline.ts';
import { SAMPLES_DIR } from '../testing/captures.ts';

const cap = join(SAMPLES_DIR, '6.1/premature');
const lines = gunzipSync(readFileSync(join(cap, 'ftrace.txt.gz'))).toString('latin1').split('\n');
const head = lines.slice(0, 2000).join('\n') + '\n';
const rest = lines.slice(2000).join('\n');
const nul = new Writable({ write: (_c, _e, cb) => cb() });

async function followScenario(change: (path: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'reaplay-follow-'));
  const path = join(dir, 'trace.txt');
  writeFileSync(path, head);
  // Each step runs at one poll of the follower, when it has read all there is.
  const steps = [() => change(path), () => appendFileSync(path, rest, 'latin1'), () => stop.abort()];
  const resets: string[] = [];
  const stop = new AbortController();
  const wait = async (): Promise<void> => {
    await new Promise((r) => setImmediate(r));
    steps.shift()?.();
  };
  const emitted: Emitted[] = [];
  const code = await runWatch({
    trace: { name: path, chunks: followFile(path, { wait, signal: stop.signal, onReset: (w) => resets.push(w), chunkSize: 4096 }) },
    kprobeDefs: [join(cap, 'kprobe_events.txt')],
    out: nul,
    signal: stop.signal,
    onEmit: (e) => emitted.push(e),
  });
  return { code, emitted, resets };
}

const digest = (es: Emitted[]) => es.flatMap((e) => (e.type === 'finding' ? [`${e.finding.rule} ${e.finding.level} ${e.finding.victim?.pid}`] : [])).sort();

describe('watch --follow', () => {
  it('keeps going when the file is truncated and written again (copytruncate)', async () => {
    const { emitted, resets } = await followScenario((p) => truncateSync(p, 0));
    expect(resets).toEqual(['truncated']);
    // What the rewritten content holds is judged as check judges the same lines.
    const dir = mkdtempSync(join(tmpdir(), 'reaplay-follow-'));
    writeFileSync(join(dir, 'trace.txt'), head + rest, 'latin1');
    const a = await analyze([join(dir, 'trace.txt'), join(cap, 'kprobe_events.txt')]);
    expect(digest(emitted)).toEqual(digest(a.findings.map((finding) => ({ type: 'finding', finding }) as Emitted)));
    expect(digest(emitted)).toContain('PVS-PREMATURE proven 386');
  }, 60_000);

  it('follows the name to a new file on rotation', async () => {
    const { emitted, resets } = await followScenario((p) => {
      renameSync(p, `${p}.1`);
      writeFileSync(p, '');
    });
    expect(resets).toEqual(['rotated']);
    expect(digest(emitted)).toContain('PVS-PREMATURE proven 386');
  }, 60_000);
});
