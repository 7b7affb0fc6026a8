// Peak RSS of `check` against input size: the 1 GB haystack, a 3 GB trace generated from
// its real lines (written under .bench/), and a 10 GB one generated into a pipe and read
// from stdin (never written to disk). Memory is flat when it does not grow with the size.
// Run alone with `npx tsx src/bench/rss-curve.ts [GB...]`; `npm run bench` runs it too.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../testing/captures.ts';
import { generateRepeated } from './inputs.ts';

export interface CheckFigures {
  streamed: boolean;
  seconds: number;
  textBytes: number;
  maxRssMB: number;
  victims: number;
  findings: number;
  citedEvents: number;
  bytesPerCitedEvent?: number;
  packedEvents: number;
  bytesPerPackedEvent?: number;
  anonKept: number;
  heapRetainedMB: number;
  buffersRetainedMB: number;
}

const CHECK = join(REPO_ROOT, 'src/bench/check.ts');
const NODE_ARGS = ['--expose-gc', '--import', 'tsx', CHECK];
const last = (out: string): CheckFigures => JSON.parse(out.trim().split('\n').pop()!) as CheckFigures;

/** `check` on files (the trace first), in a fresh process. */
export function checkFiles(files: string[]): CheckFigures {
  return last(execFileSync(process.execPath, [...NODE_ARGS, ...files], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 1 << 20 }));
}

/** `check` on a trace of `bytes` generated from `seed` into a pipe, read from stdin. */
export async function checkPiped(seed: string, bytes: number, rest: string[]): Promise<CheckFigures> {
  const gen = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src/bench/rss-curve.ts'), '--generate', seed, String(bytes)], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const check = spawn(process.execPath, [...NODE_ARGS, '-', ...rest], { cwd: REPO_ROOT, stdio: [gen.stdout, 'pipe', 'inherit'] });
  let out = '';
  check.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  const code = await new Promise<number | null>((res) => check.on('close', res));
  if (code !== 0) throw new Error(`check on a ${bytes / 1e9} GB pipe exited ${code}`);
  return last(out);
}

export async function rssCurve(benchDir: string, haystack: string, rest: string[], log: (s: string) => void = console.log): Promise<CheckFigures[]> {
  const three = join(benchDir, 'generated-3g.txt');
  if (!existsSync(three)) await generateRepeated(haystack, three, 2_900_000_000);
  const rows: [string, CheckFigures][] = [
    ['1 GB haystack (file)', checkFiles([haystack, ...rest])],
    ['3 GB generated (file)', checkFiles([three, ...rest])],
    ['10 GB generated (stdin)', await checkPiped(haystack, 10_000_000_000, rest)],
  ];
  log('check: peak RSS against input size (real haystack lines repeated, times shifted 1000 s a round)');
  for (const [label, f] of rows) {
    log(
      `  ${label.padEnd(26)} ${(f.textBytes / 1e9).toFixed(2).padStart(6)} GB  ${f.seconds.toFixed(1).padStart(6)} s  ` +
        `${(f.textBytes / 1e6 / f.seconds).toFixed(0).padStart(4)} MB/s  peak RSS ${f.maxRssMB.toFixed(0).padStart(4)} MB  ` +
        `${f.victims} victim(s), ${f.citedEvents} events cited by the state (${f.bytesPerCitedEvent?.toFixed(0) ?? '?'} B each), ` +
        `${f.packedEvents} kept packed (${f.bytesPerPackedEvent?.toFixed(0) ?? '-'} B each), ` +
        `${f.anonKept} anon samples (24 B each), ${f.heapRetainedMB.toFixed(1)} MB heap kept${f.streamed ? '' : ' (not streamed)'}`,
    );
  }
  return rows.map(([, f]) => f);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv[2] === '--generate') {
    await generateRepeated(process.argv[3]!, process.stdout, Number(process.argv[4]));
  } else {
    const dir = join(REPO_ROOT, '.bench');
    const h = join(REPO_ROOT, '../shared/traces/6.1/haystack');
    await rssCurve(dir, join(dir, 'haystack.txt'), [join(h, 'dmesg.txt'), join(h, 'kprobe_events.txt')]);
  }
}
