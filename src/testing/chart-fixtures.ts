// Chart data for the tests: a bundled real capture, and many victims made from a
// real one's rows (pids and times shifted, durations stretched a little so the
// distributions are not one value repeated).
import { join } from 'node:path';
import { analyze } from '../pipeline.ts';
import { SAMPLES_DIR } from './captures.ts';
import { chartData, type ChartData } from '../charts/data.ts';

/** The bundled samples the golden specs are kept for. */
export const GOLDEN_CASES = ['6.1/premature', '6.1/kvm_mn_eagain'] as const;

export const sampleFiles = (id: string): string[] => ['ftrace.txt.gz', 'dmesg.txt.gz', 'kprobe_events.txt'].map((f) => join(SAMPLES_DIR, id, f));

/** One bundled capture's rows, named by its id (never by a path, so specs are the same on every machine). */
export async function sampleData(id: string): Promise<ChartData> {
  return chartData([{ trace: id, analysis: await analyze(sampleFiles(id)) }]);
}

/**
 * `n` victims from the victims of `d` repeated: copy k gets pid + 10000·k, its times
 * moved by `every` seconds per copy and stretched around its selection by 0.8–1.4,
 * and keeps its trace (so a single-trace input stays one trace).
 */
export function repeatVictims(d: ChartData, n: number, every = 0.5): ChartData {
  const out: ChartData = { victims: [], attempts: [], callbacks: [], rss: [], findings: [] };
  if (!d.victims.length) return out;
  for (let k = 0; out.victims.length < n; k++) {
    const dp = 10000 * (k + 1);
    const stretch = 0.8 + (k % 7) / 10;
    const base = Math.min(...d.victims.map((v) => v.selected));
    const t = (x: number) => Math.round((base + k * every + (x - base) * stretch) * 1e6) / 1e6;
    const to = (x: number | undefined) => (x === undefined ? undefined : t(x));
    const dt = (x: number | undefined) => (x === undefined ? undefined : Math.round(x * stretch * 1e6) / 1e6);
    const pids = new Set<number>();
    for (const v of d.victims) {
      if (out.victims.length >= n) break;
      pids.add(v.pid);
      out.victims.push({
        ...v, pid: v.pid + dp, label: `${v.pid + dp} ${v.comm}`, selected: t(v.selected), kill: to(v.kill), wake: to(v.wake), oomSkip: to(v.oomSkip), release: to(v.release),
        toFirstAttempt: dt(v.toFirstAttempt), toOomSkip: dt(v.toOomSkip), toRelease: dt(v.toRelease),
      });
    }
    for (const a of d.attempts) if (pids.has(a.pid)) out.attempts.push({ ...a, pid: a.pid + dp, label: `${a.pid + dp} ${a.label.split(' ').slice(1).join(' ')}`, start: t(a.start), end: t(a.end) });
    for (const c of d.callbacks) if (pids.has(c.pid)) out.callbacks.push({ ...c, pid: c.pid + dp, t: t(c.t) });
    for (const r of d.rss) if (pids.has(r.pid)) out.rss.push({ ...r, pid: r.pid + dp, label: `${r.pid + dp} ${r.label.split(' ').slice(1).join(' ')}`, t: t(r.t) });
    for (const f of d.findings) if (f.pid === undefined || pids.has(f.pid)) out.findings.push({ ...f, pid: f.pid === undefined ? undefined : f.pid + dp });
  }
  return out;
}
