// Bench case: what the replay keeps for a victim that stays open. One victim of the
// bundled 6.1/premature capture, selected and killed, then a million of its own anon
// rss_stat lines (times shifted, never released): each is kept by the replay (its address
// space's events, its anon and its held samples) until the trace ends. Packed, each kept
// event must cost at most 64 bytes, and the process's memory follows from that.
// Run alone: `npx tsx src/bench/retained.ts`; `npm run bench` runs it too.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, SAMPLES_DIR } from '../testing/captures.ts';
import { openVictim } from './inputs.ts';
import { checkFiles } from './rss-curve.ts';

const SAMPLES = 1_000_000;
const MAX_BYTES_PER_EVENT = 64;

export async function retainedCase(benchDir: string, log: (s: string) => void = console.log): Promise<string[]> {
  const seed = join(SAMPLES_DIR, '6.1/premature');
  const input = join(benchDir, `open-victim-${SAMPLES / 1e6}m.txt`);
  if (!existsSync(input)) await openVictim(join(seed, 'ftrace.txt.gz'), input, SAMPLES);
  const f = checkFiles([input, join(seed, 'dmesg.txt.gz'), join(seed, 'kprobe_events.txt')]);
  const per = f.bytesPerPackedEvent ?? NaN;
  log(
    `open victim, ${SAMPLES.toLocaleString('en')} samples kept (${(f.textBytes / 1e6).toFixed(0)} MB text): ${f.seconds.toFixed(1)} s, peak RSS ${f.maxRssMB.toFixed(0)} MB; ` +
      `${f.packedEvents} events packed at ${per.toFixed(1)} B each (${f.buffersRetainedMB.toFixed(0)} MB), ${f.citedEvents} cited as objects; heap kept ${f.heapRetainedMB.toFixed(0)} MB`,
  );
  const failures: string[] = [];
  if (!(per <= MAX_BYTES_PER_EVENT)) failures.push(`open victim: ${per.toFixed(1)} B per packed event > ${MAX_BYTES_PER_EVENT} B`);
  if (f.packedEvents < SAMPLES) failures.push(`open victim: ${f.packedEvents} events packed, fewer than the ${SAMPLES} samples kept`);
  return failures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const failures = await retainedCase(join(REPO_ROOT, '.bench'));
  for (const m of failures) console.log(`MISSED ${m}`);
}
