// Bench case: `reaplay watch` over a long live stream, its memory sampled as it runs.
// The stream is made on the fly (nothing written to disk): the real lines of the
// bundled 6.1/premature capture (two victims, one selected prematurely) repeated
// with pids and times shifted, round after round, for an hour of trace time.
// Run alone: `npx tsx src/bench/watch-stream.ts [--minutes 60]`; `npm run bench`
// runs it in a fresh process through watchStreamCase().
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import v8 from 'node:v8';
import { Writable } from 'node:stream';
import { REPO_ROOT, SAMPLES_DIR } from '../testing/captures.ts';
import { runWatch } from '../watch/watch.ts';

const SEED = join(SAMPLES_DIR, '6.1/premature');
/** Gap between rounds, on top of the capture's own span. */
const GAP_S = 5;
const HEAP_CAP_MB = 128;
const TS_RE = /^(.*?\[\d{3}\]\s+(?:\S{4,5}\s+)?)(\d+)(\.\d+: )/;

export interface WatchStreamFigures {
  rounds: number;
  traceSeconds: number;
  textMB: number;
  lines: number;
  victims: number;
  findings: number;
  prematureProven: number;
  seconds: number;
  /** RSS (MB) sampled after each round. */
  rssMB: number[];
  /** V8 heap in use (MB) after a full collection at the end of each round: what watch retains. */
  heapAfterGcMB: number[];
  heapLimitMB: number;
}

/** The seed's lines, their pids (of the test's own processes) and time span. */
function seed() {
  const lines = gunzipSync(readFileSync(join(SEED, 'ftrace.txt.gz'))).toString('latin1').split('\n').filter((l) => l.length > 0);
  const pids = new Set<string>();
  let first = Infinity;
  let last = 0;
  for (const l of lines) {
    const m = /-(\d+)\s+\[\d{3}\]/.exec(l);
    if (m && Number(m[1]) >= 300) pids.add(m[1]!);
    const t = TS_RE.exec(l);
    if (t) {
      first = Math.min(first, Number(t[2]));
      last = Math.max(last, Number(t[2]));
    }
  }
  return { lines, pidRe: new RegExp(`(?<![\\w.])(${[...pids].join('|')})(?![\\w.])`, 'g'), span: last - first + 1 };
}

async function* stream(rounds: number, s: ReturnType<typeof seed>, onRound: (r: number) => void): AsyncGenerator<Buffer> {
  for (let r = 0; r < rounds; r++) {
    const dt = r * (s.span + GAP_S);
    const dp = (r * 1000) % 3_000_000;
    const out: string[] = [];
    for (const l of s.lines) {
      if (l.startsWith('#')) {
        if (r === 0) out.push(l);
        continue;
      }
      let x = r === 0 ? l : l.replace(TS_RE, (_m, pre: string, secs: string, post: string) => `${pre}${Number(secs) + dt}${post}`);
      if (r > 0) x = x.replace(s.pidRe, (p) => String(Number(p) + dp));
      out.push(x);
      if (out.length === 2000) {
        yield Buffer.from(out.join('\n') + '\n', 'latin1');
        out.length = 0;
      }
    }
    if (out.length) yield Buffer.from(out.join('\n') + '\n', 'latin1');
    onRound(r);
  }
}

export async function measureWatchStream(minutes: number): Promise<WatchStreamFigures> {
  const s = seed();
  const rounds = Math.ceil((minutes * 60) / (s.span + GAP_S));
  const rssMB: number[] = [];
  const heapAfterGcMB: number[] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  const sample = (): void => {
    rssMB.push(process.memoryUsage().rss / 1e6);
    if (gc) {
      gc();
      const m = process.memoryUsage();
      heapAfterGcMB.push(m.heapUsed / 1e6);
    }
  };
  let victims = 0;
  let findings = 0;
  let prematureProven = 0;
  let bytes = 0;
  const t0 = process.hrtime.bigint();
  await runWatch({
    trace: {
      name: 'stream',
      chunks: (async function* () {
        for await (const c of stream(rounds, s, sample)) {
          bytes += c.length;
          yield c;
        }
      })(),
    },
    kprobeDefs: [join(SEED, 'kprobe_events.txt')],
    out: new Writable({ write: (_c, _e, cb) => cb() }),
    json: true,
    onEmit: (e) => {
      if (e.type === 'victim' && !e.victim.update) victims++;
      if (e.type === 'finding') {
        findings++;
        if (e.finding.rule === 'PVS-PREMATURE' && e.finding.level === 'proven') prematureProven++;
      }
    },
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { rounds, traceSeconds: rounds * (s.span + GAP_S), textMB: bytes / 1e6, lines: rounds * s.lines.length, victims, findings, prematureProven, seconds, rssMB, heapAfterGcMB, heapLimitMB: v8.getHeapStatistics().heap_size_limit / 1e6 };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** Runs the case in a fresh process; prints its figures and returns the targets it missed. */
export function watchStreamCase(): string[] {
  // The heap is capped so V8's lazy collection cannot pass for growth (or hide a leak: a
  // leak would run out of heap); the heap after a full collection is what watch retains.
  const args = ['--expose-gc', `--max-old-space-size=${HEAP_CAP_MB}`, '--import', 'tsx', fileURLToPath(import.meta.url)];
  const out = execFileSync(process.execPath, args, { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 1 << 22 });
  const f = JSON.parse(out.trim().split('\n').pop()!) as WatchStreamFigures;
  const q = Math.max(1, Math.floor(f.rssMB.length / 4));
  const firstQ = f.rssMB.slice(q, 2 * q);
  const lastQ = f.rssMB.slice(-q);
  const heapFirst = median(f.heapAfterGcMB.slice(q, 2 * q));
  const heapLast = median(f.heapAfterGcMB.slice(-q));
  console.log(
    `watch over ${f.traceSeconds} s of trace (${f.rounds} rounds of 6.1/premature, ${f.textMB.toFixed(0)} MB, ${f.lines} lines): ${f.seconds.toFixed(1)} s, ` +
      `${f.victims} victims, ${f.findings} findings (${f.prematureProven} premature proven); RSS median 2nd quarter ${median(firstQ).toFixed(0)} MB, ` +
      `last quarter ${median(lastQ).toFixed(0)} MB, max ${Math.max(...f.rssMB).toFixed(0)} MB (heap capped at ${f.heapLimitMB.toFixed(0)} MB); ` +
      `heap after a full GC: 2nd quarter ${heapFirst.toFixed(1)} MB, last quarter ${heapLast.toFixed(1)} MB`,
  );
  const missed: string[] = [];
  if (f.prematureProven !== f.rounds) missed.push(`watch stream: ${f.prematureProven} premature findings proven, expected ${f.rounds}`);
  // Flat: the last quarter's memory within 20% (+16 MB of noise) of the second quarter's.
  if (median(lastQ) > median(firstQ) * 1.2 + 16) missed.push(`watch stream: RSS grew from ${median(firstQ).toFixed(0)} MB to ${median(lastQ).toFixed(0)} MB`);
  if (heapLast > heapFirst * 1.2 + 4) missed.push(`watch stream: retained heap grew from ${heapFirst.toFixed(1)} MB to ${heapLast.toFixed(1)} MB`);
  return missed;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const i = process.argv.indexOf('--minutes');
  console.log(JSON.stringify(await measureWatchStream(i > 0 ? Number(process.argv[i + 1]) : 60)));
}
