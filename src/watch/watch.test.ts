// watch on the real captures, fed from a pipe all at once and in small paced chunks,
// against `check` on the same files: the same victims and findings, and each finding
// emitted before the end of its input.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PassThrough, Writable } from 'node:stream';
import { analyze } from '../pipeline.ts';
import { bundledCaptures, captureFile, sharedCaptures, type Capture } from '../testing/captures.ts';
import { runWatch, type Emitted } from './watch.ts';
import { firstTime, pacedByTime, piped } from '../testing/paced-input.ts';
import type { Finding } from '../findings/finding.ts';
import { oomRounds } from '../bench/inputs.ts';

const text = (f: string): Buffer => (f.endsWith('.gz') ? gunzipSync(readFileSync(f)) : readFileSync(f));
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)));
const sortBy = <T>(xs: T[], k: (x: T) => string): T[] => [...xs].sort((a, b) => k(a).localeCompare(k(b)));
const fkey = (f: Finding): string => `${f.rule}|${f.victim?.pid}|${f.notifier}|${f.evidence[0]?.src.line}`;

const sink = (): Writable & { text: string } => {
  const w = new Writable({ write(c, _e, cb) { (w as unknown as { text: string }).text += String(c); cb(); } }) as Writable & { text: string };
  w.text = '';
  return w;
};

/** How a capture's inputs are fed: all at once in chunks of this many bytes, or paced by their own times `speed` times faster. */
type Feed = { chunk: number } | { speed: number };

export async function watchCapture(files: { trace: string; log?: string; defs?: string }, feed: Feed | number, traceBuf = text(files.trace)) {
  const how: Feed = typeof feed === 'number' ? { chunk: feed } : feed;
  const logBuf = files.log ? text(files.log) : undefined;
  const origin = Math.min(firstTime(traceBuf), logBuf ? firstTime(logBuf) : Infinity);
  const start = performance.now();
  const source = (buf: Buffer): PassThrough => ('speed' in how ? pacedByTime(buf, origin, how.speed, start) : piped(buf, how.chunk));
  const emitted: { e: Emitted; pos: number }[] = [];
  const code = await runWatch({
    trace: { name: files.trace, chunks: source(traceBuf) },
    kernelLog: files.log ? { name: files.log, chunks: source(logBuf!) } : undefined,
    kprobeDefs: files.defs ? [files.defs] : undefined,
    out: sink(),
    onEmit: (e, pos) => emitted.push({ e, pos }),
  });
  return { code, emitted, size: traceBuf.length };
}

function filesOf(c: Capture, trace = 'ftrace.txt') {
  return { trace: captureFile(c, trace)!, log: captureFile(c, 'dmesg.txt'), defs: captureFile(c, 'kprobe_events.txt') };
}

const bySelection = (v: { selected: { line: number } }): string => String(v.selected.line).padStart(9, '0');

async function compare(c: Capture, feed: Feed | number, trace = 'ftrace.txt') {
  const f = filesOf(c, trace);
  const a = await analyze([f.trace, ...(f.log ? [f.log] : []), ...(f.defs ? [f.defs] : [])]);
  expect(a.victims.length).toBeGreaterThan(0);
  const w = await watchCapture(f, feed);
  // A victim printed again as an update: its last print is the one to compare.
  const last = new Map<string, unknown>();
  for (const x of w.emitted) if (x.e.type === 'victim') last.set(`${x.e.victim.summary.pid}|${x.e.victim.summary.selected.line}`, x.e.victim.summary);
  // Printed as each settles (a victim may settle before an earlier one): compared in selection order.
  const victims = sortBy([...last.values()] as { selected: { line: number } }[], bySelection);
  const findings = w.emitted.flatMap((x) => (x.e.type === 'finding' ? [x.e.finding] : []));
  // watch prints no `next` (a later selection, unknown when a victim settles).
  expect(plain(victims)).toEqual(plain(sortBy(a.victims.map(({ next: _n, earlier: _e, anon: _a, ...v }) => v), bySelection)));
  expect(plain(sortBy(findings, fkey))).toEqual(plain(sortBy(a.findings, fkey)));
  return { a, w };
}

const captures = [...bundledCaptures(), ...sharedCaptures()].filter((c) => captureFile(c, 'ftrace.txt'));

/** A finding is emitted before the end of its input and after the last trace line it rests on. */
function emittedWhereDecided(w: Awaited<ReturnType<typeof watchCapture>>, nearMax: number): void {
  const findings = w.emitted.filter((x) => x.e.type === 'finding' && x.e.finding.kind !== 'missing_events');
  for (const x of findings) {
    const f = (x.e as { finding: Finding }).finding;
    expect(x.pos, f.rule).toBeLessThan(w.size);
    const traceLines = f.evidence.filter((e) => e.src.file.includes('ftrace')).map((e) => e.src.offset ?? 0);
    if (traceLines.length) expect(x.pos, f.rule).toBeGreaterThan(Math.max(...traceLines));
    // A premature selection is decided by its last line (the earlier victim's memory going):
    // it is printed soon after it, not at some later point.
    if (f.rule === 'PVS-PREMATURE') expect(x.pos - Math.max(...traceLines), f.rule).toBeLessThan(nearMax);
  }
}

describe('watch agrees with check', () => {
  for (const c of captures) {
    it(`${c.id}: all at once (64 KiB chunks)`, async () => {
      await compare(c, 64 * 1024);
    }, 60_000);
    it(`${c.id}: paced by its own time stamps, 100 times faster; findings emitted where decided, before the end`, async () => {
      const { a, w } = await compare(c, { speed: 100 });
      if (a.findings.some((f) => f.kind !== 'missing_events')) expect(w.emitted.some((x) => x.e.type === 'finding')).toBe(true);
      emittedWhereDecided(w, 256 * 1024);
    }, 60_000);
  }
  for (const c of captures.filter((x) => x.bundled)) {
    for (const trace of ['trace-cmd-report.txt', 'perf-script.txt']) {
      it(`${c.id}: ${trace}, sniffed from its first lines`, async () => {
        await compare(c, 64 * 1024, trace);
      }, 60_000);
    }
    it(`${c.id}: in 4 KiB chunks; findings emitted where decided, before the end`, async () => {
      const { w } = await compare(c, 4096);
      expect(w.emitted.filter((x) => x.e.type === 'finding' && x.e.finding.kind !== 'missing_events').length).toBeGreaterThan(0);
      emittedWhereDecided(w, 256 * 1024);
    }, 60_000);
  }
});

describe('watch on a stream of many OOM kills', () => {
  // A crash-looping service OOM-killed again and again: the bundled premature capture's story
  // repeated, the same pids every round. Each round's window is dropped once its victims are
  // settled; the next round's victims rest on what came before them (their tasks' rss
  // samples), so every victim and finding check gives is printed as the input goes.
  it('prints every victim and finding check gives, each victim as check tells it', async () => {
    const cap = bundledCaptures().find((c) => c.id === '6.1/premature')!;
    const dir = mkdtempSync(join(tmpdir(), 'reaplay-watch-rounds-'));
    const trace = join(dir, 'rounds.txt');
    await oomRounds(captureFile(cap, 'ftrace.txt.gz')!, trace, 30);
    const defs = captureFile(cap, 'kprobe_events.txt')!;
    const a = await analyze([trace, defs]);
    expect(a.victims.length).toBe(60);
    const w = await watchCapture({ trace, defs }, 64 * 1024);
    const last = new Map<string, { selected: { line: number } }>();
    for (const x of w.emitted) if (x.e.type === 'victim') last.set(`${x.e.victim.summary.pid}|${x.e.victim.summary.selected.line}`, x.e.victim.summary);
    // Neighbours in other windows are not known to watch: `earlier` and `next` aside.
    const strip = ({ next: _n, earlier: _e, anon: _a, ...v }: Record<string, unknown>) => v;
    expect(plain(sortBy([...last.values()], bySelection).map(strip))).toEqual(plain(sortBy(a.victims as unknown as { selected: { line: number } }[], bySelection).map(strip)));
    const findings = w.emitted.flatMap((x) => (x.e.type === 'finding' ? [x.e.finding] : []));
    expect(plain(sortBy(findings, fkey))).toEqual(plain(sortBy(a.findings, fkey)));
    // Decided as the stream goes, not at its end.
    expect(findings.length).toBe(60);
    expect(w.emitted.filter((x) => x.e.type === 'finding' && x.pos < w.size * 0.9).length).toBeGreaterThan(50);
  }, 120_000);
});

describe('watch on broken or alerting streams', () => {
  const cap = bundledCaptures().find((c) => c.id === '6.1/premature')!;
  const f = filesOf(cap);

  it('a data-loss marker mid-stream lowers the level of the findings it touches, as check does', async () => {
    const lines = text(f.trace).toString('latin1').split('\n');
    // Between the first victim's selection (line 3236) and its release (line 10840).
    const at = lines.findIndex((l, i) => i > 8000 && /^\s*\S.*\[\d{3}\]/.test(l));
    const cpu = Number(/\[(\d{3})\]/.exec(lines[at]!)![1]);
    lines.splice(at, 0, `CPU:${cpu} [LOST 120 EVENTS]`);
    const dir = mkdtempSync(join(tmpdir(), 'reaplay-loss-'));
    const lossy = join(dir, 'ftrace.txt');
    writeFileSync(lossy, lines.join('\n'), 'latin1');
    const a = await analyze([lossy, f.log!, f.defs!]);
    const w = await watchCapture({ trace: lossy, log: f.log, defs: f.defs }, 4096);
    const findings = w.emitted.flatMap((x) => (x.e.type === 'finding' ? [x.e.finding] : []));
    expect(plain(sortBy(findings, fkey))).toEqual(plain(sortBy(a.findings, fkey)));
    const premature = findings.find((x) => x.rule === 'PVS-PREMATURE')!;
    expect(premature.level).toBe('inconclusive');
    expect(premature.why).toMatch(/data-loss marker/);
    // Without the marker the same finding is proven.
    const clean = await watchCapture(f, 4096);
    expect(clean.emitted.find((x) => x.e.type === 'finding' && x.e.finding.rule === 'PVS-PREMATURE')?.e).toMatchObject({ finding: { level: 'proven' } });
  }, 60_000);

  it('--exit-on proven stops at the first proven finding the model does not expect, before the end', async () => {
    const out = sink();
    const trace = text(f.trace);
    let at = -1;
    const code = await runWatch({
      trace: { name: f.trace, chunks: piped(trace, 4096) },
      kernelLog: { name: f.log!, chunks: piped(text(f.log!), 4096) },
      kprobeDefs: [f.defs!],
      out,
      json: true,
      exitOn: 'proven',
      onEmit: (e, pos) => {
        if (e.type === 'finding' && e.finding.rule === 'PVS-PREMATURE') at = pos;
      },
    });
    expect(code).toBe(1);
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(trace.length);
    const last = JSON.parse(out.text.trim().split('\n').pop()!);
    expect(last).toMatchObject({ type: 'finding', rule: 'PVS-PREMATURE', level: 'proven', expected: false });
  }, 60_000);
});

describe('watch with a victim whose memory never goes', () => {
  it('keeps only what the open victims rest on once the window is full, with the findings check gives', async () => {
    const f = filesOf(bundledCaptures().find((c) => c.id === '6.1/premature')!);
    // Cut the trace before the first victim's memory goes (line 10840): it stays open.
    const cut = Buffer.from(text(f.trace).toString('latin1').split('\n').slice(0, 10000).join('\n') + '\n', 'latin1');
    const emitted: Emitted[] = [];
    let held = 0;
    await runWatch({ onStats: (st) => (held = Math.max(held, st.windowEvents)), trace: { name: f.trace, chunks: piped(cut, 4096) }, kprobeDefs: [f.defs!], out: sink(), windowLimits: { maxEvents: 3000, keepRecentNs: 500_000_000n }, onEmit: (e) => emitted.push(e) });
    // Held events stayed near the limit (one chunk of lines over it at most), and the
    // findings are those check gives on the same lines.
    expect(held).toBeGreaterThan(2000);
    expect(held).toBeLessThan(3000 + 200);
    const dir = mkdtempSync(join(tmpdir(), 'reaplay-cut-'));
    writeFileSync(join(dir, 'ftrace.txt'), cut);
    const a = await analyze([join(dir, 'ftrace.txt'), f.defs!]);
    const digest = (fs: Finding[]) => fs.map((x) => `${x.rule} ${x.level} ${x.victim?.pid}`).sort();
    expect(digest(emitted.flatMap((e) => (e.type === 'finding' ? [e.finding] : [])))).toEqual(digest(a.findings));
    // Nothing is printed twice as new; the premature selection is still found.
    const fresh = emitted.filter((e) => e.type === 'victim' && !e.victim.update).map((e) => (e as { victim: { pid: number } }).victim.pid);
    expect(new Set(fresh).size).toBe(fresh.length);
    expect(emitted.some((e) => e.type === 'finding' && e.finding.kind === 'premature_victim')).toBe(true);
  }, 60_000);
});

describe('watch summary line', () => {
  const cap = bundledCaptures().find((c) => c.id === '6.1/kvm_mn_eagain')!;
  const f = filesOf(cap);
  const runWith = async (isTTY: boolean) => {
    const out = Object.assign(sink(), { isTTY });
    // A few ms between summaries; the input is paced so the run spans several of them.
    await runWatch({ trace: { name: f.trace, chunks: piped(text(f.trace), 2048) }, kprobeDefs: [f.defs!], out, summaryEveryMin: 0.0001 });
    return out.text;
  };
  it('is printed on a terminal only', async () => {
    expect(await runWith(true)).toMatch(/^watch: trace time \d+\.\d+, \d+ lines, \d+ victim\(s\) settled, \d+ open, \d+ finding\(s\), \d+ events held, RSS \d+ MB$/m);
    expect(await runWith(false)).not.toMatch(/^watch: /m);
  }, 60_000);
});
