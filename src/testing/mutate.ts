// Mutation fuzzing over real lines: byte flips, inserts, deletes, field splices and
// line moves (as a hostile or damaged capture would hold them), with the properties
// every format keeps: no exception, the same events and diagnostics whatever the chunk
// size, and no mutated capture makes `check` exit outside {0, 1, 2} or prove what its
// truth.json contradicts. Used by the short run in `npm test` (src/ingest/fuzz.test.ts)
// and the long run `npm run fuzz` (bin/fuzz.ts).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { FormatImporter } from '../../parsers/importer.ts';
import { importerByName } from '../../parsers/registry.ts';
import { decodeEvent } from '../normalize/index.ts';
import type { TraceEvent } from '../types/event.ts';
import { captureFile, SAMPLES_DIR, type Capture } from './captures.ts';
import { cli } from './cli.ts';
import { feed } from './feed.ts';
import { exportCsv } from './csv-table.ts';

/** What a mutation may insert: each format's separators, and bytes a name should never hold. */
const PIECES = [' ', '  ', ':', ': ', '=', '"', ',', '\n', '\r', '\t', '[', ']', '(', ')', '-', '#', '.', '0', '9', '18446744073709551616', '\u001b[2J', '\u202e', '\u0000', '\u00ff', '\ud800', 'comm=', ' pid=', '<- ', ';'].map((s) => Buffer.from(s));

export type Mutation =
  | { op: 'flip'; line: number; at: number; byte: number }
  | { op: 'insert'; line: number; at: number; piece: number }
  | { op: 'delete'; line: number; at: number; len: number }
  | { op: 'splice'; a: number; b: number; field: number }
  | { op: 'move'; from: number; to: number };

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), line: fc.nat(), at: fc.nat(), byte: fc.nat(255) }),
  fc.record({ op: fc.constant('insert' as const), line: fc.nat(), at: fc.nat(), piece: fc.nat(PIECES.length - 1) }),
  fc.record({ op: fc.constant('delete' as const), line: fc.nat(), at: fc.nat(), len: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ op: fc.constant('splice' as const), a: fc.nat(), b: fc.nat(), field: fc.nat(12) }),
  fc.record({ op: fc.constant('move' as const), from: fc.nat(), to: fc.nat() }),
);

function fields(line: Buffer): Buffer[] {
  return line.toString('latin1').split(' ').map((f) => Buffer.from(f, 'latin1'));
}

/** `lines` with `m` applied (lines are Buffers: mutations may break UTF-8). */
export function mutate(lines: Buffer[], m: Mutation): Buffer[] {
  if (lines.length === 0) return lines;
  const out = [...lines];
  const pick = (i: number): number => i % out.length;
  switch (m.op) {
    case 'flip': {
      const l = Buffer.from(out[pick(m.line)]!);
      if (l.length > 0) l[m.at % l.length] = m.byte;
      out[pick(m.line)] = l;
      break;
    }
    case 'insert': {
      const l = out[pick(m.line)]!;
      const at = m.at % (l.length + 1);
      out[pick(m.line)] = Buffer.concat([l.subarray(0, at), PIECES[m.piece]!, l.subarray(at)]);
      break;
    }
    case 'delete': {
      const l = out[pick(m.line)]!;
      const at = m.at % (l.length + 1);
      out[pick(m.line)] = Buffer.concat([l.subarray(0, at), l.subarray(at + m.len)]);
      break;
    }
    case 'splice': {
      const fa = fields(out[pick(m.a)]!);
      const fb = fields(out[pick(m.b)]!);
      if (fa.length > 0 && fb.length > 0) fa[m.field % fa.length] = fb[m.field % fb.length]!;
      out[pick(m.a)] = Buffer.from(fa.map((f) => f.toString('latin1')).join(' '), 'latin1');
      break;
    }
    case 'move': {
      const [l] = out.splice(pick(m.from), 1);
      out.splice(m.to % (out.length + 1), 0, l!);
      break;
    }
  }
  return out;
}

const read = (path: string): Buffer => (path.endsWith('.gz') ? gunzipSync(readFileSync(path)) : readFileSync(path));
const splitLines = (b: Buffer): Buffer[] => {
  const out: Buffer[] = [];
  let s = 0;
  for (let i = b.indexOf(10); i >= 0; s = i + 1, i = b.indexOf(10, s)) out.push(b.subarray(s, i));
  if (s < b.length) out.push(b.subarray(s));
  return out;
};

/** Real lines of every text format, from the bundled 6.1/premature capture. */
export async function realLines(): Promise<Record<string, Buffer[]>> {
  const dir = join(SAMPLES_DIR, '6.1/premature');
  const ftrace = read(join(dir, 'ftrace.txt.gz'));
  const events: TraceEvent[] = feed(importerByName('ftrace') as FormatImporter, ftrace).events;
  return {
    ftrace: splitLines(ftrace),
    'trace-cmd-report': splitLines(read(join(dir, 'trace-cmd-report.txt.gz'))),
    // Lines that name their buffer or file before the comm (`oomlab: `, ` trace.dat: `).
    'trace-cmd-report (named buffers and files)': [
      ...splitLines(read(join(SAMPLES_DIR, 'binary/6.12/premature_instance/trace-cmd-report.txt.gz'))).slice(0, 4000),
      ...splitLines(read(join(SAMPLES_DIR, 'binary/6.1/kvm_mn_eagain/report-two-files.txt.gz'))).slice(0, 4000),
    ],
    'perf-script': splitLines(read(join(dir, 'perf-script.txt.gz'))),
    'kernel-log': splitLines(read(join(dir, 'dmesg.txt.gz'))),
    'kprobe-events': splitLines(read(join(dir, 'kprobe_events.txt'))),
    csv: splitLines(await exportCsv(events.slice(0, 3000))),
  };
}

/** A window of `size` real lines (the header among them when it starts at 0), mutated 1-6 times, fed whole and in chunks. */
export function lineProperty(label: string, lines: Buffer[], size = 24): fc.IPropertyWithHooks<[number, Mutation[], number]> {
  // `format (what the lines are)`: the importer's name is the first word.
  const format = label.split(' ')[0]!;
  const importer = importerByName(format) as FormatImporter;
  const kprobes = format === 'ftrace' || format === 'trace-cmd-report' || format === 'perf-script';
  return fc.property(fc.nat(Math.max(0, lines.length - size)), fc.array(mutationArb, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 97 }), (start, ms, chunk) => {
    let win = lines.slice(start, start + size);
    for (const m of ms) win = mutate(win, m);
    const data = Buffer.concat(win.flatMap((l) => [l, Buffer.from('\n')]));
    const whole = feed(importer, data);
    const parts = feed(importer, data, { chunk });
    if (kprobes) for (const ev of whole.events) decodeEvent(ev, { kprobe: (n) => whole.ctx.names.kprobe(n) });
    else for (const ev of whole.events) decodeEvent(ev, { kprobe: () => undefined });
    const same = JSON.stringify(parts.events, big) === JSON.stringify(whole.events, big) && JSON.stringify([...parts.ctx.diag.counts]) === JSON.stringify([...whole.ctx.diag.counts]);
    if (!same) throw new Error(`chunk size ${chunk} changes the result`);
  });
}

const big = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? v.toString() : v);

interface Truth {
  victims: { pid: number; core: { start_nonblock_failed: number } }[];
  premature: { cases: { selected_pid: number }[] };
}
interface CaptureJson {
  findings: { kind: string; rule: string; level: string; victim?: { pid: number } }[];
}
/** One capture's document, or one per capture when the inputs hold several (a header line mid-file starts another). */
type CheckJson = CaptureJson | { captures: CaptureJson[] };

/** What a proven finding of `check --json` may not claim against truth.json; empty when it agrees. */
export function contradictions(out: CheckJson, truth: Truth): string[] {
  const bad: string[] = [];
  const pids = new Set(truth.victims.map((v) => v.pid));
  const premature = new Set(truth.premature.cases.map((c) => c.selected_pid));
  const findings = 'captures' in out ? out.captures.flatMap((c) => c.findings) : out.findings;
  for (const f of findings.filter((x) => x.level === 'proven')) {
    const pid = f.victim?.pid;
    if (f.kind === 'premature_victim' && (pid === undefined || !premature.has(pid))) bad.push(`proven premature selection of ${pid}`);
    if (pid !== undefined && !pids.has(pid)) bad.push(`proven ${f.rule} for ${pid}, not a victim`);
    if (f.rule === 'UPI-CORE-FAILED-START' && !truth.victims.some((v) => v.pid === pid && v.core.start_nonblock_failed > 0)) bad.push(`proven ${f.rule} for ${pid}`);
  }
  return bad;
}

/** A whole capture (trace, kernel log, kprobe_events) mutated, then `check --json`: exit code and proven findings. */
export function captureProperty(c: Capture, trace = 'ftrace.txt'): fc.IAsyncPropertyWithHooks<[Mutation[], Mutation[]]> {
  const traceLines = splitLines(read(captureFile(c, trace)!));
  const logLines = splitLines(read(captureFile(c, 'dmesg.txt')!));
  const kprobes = captureFile(c, 'kprobe_events.txt')!;
  const truth = JSON.parse(readFileSync(join(c.dir, 'truth.json'), 'utf8')) as Truth;
  const dir = mkdtempSync(join(tmpdir(), 'reaplay-fuzz-'));
  return fc.asyncProperty(fc.array(mutationArb, { minLength: 1, maxLength: 40 }), fc.array(mutationArb, { maxLength: 10 }), async (mt, ml) => {
    let t = traceLines;
    for (const m of mt) t = mutate(t, m);
    let l = logLines;
    for (const m of ml) l = mutate(l, m);
    const tf = join(dir, 'trace.txt');
    const lf = join(dir, 'dmesg.txt');
    writeFileSync(tf, Buffer.concat(t.flatMap((x) => [x, Buffer.from('\n')])));
    writeFileSync(lf, Buffer.concat(l.flatMap((x) => [x, Buffer.from('\n')])));
    const r = await cli('check', '--json', tf, lf, kprobes);
    if (![0, 1, 2].includes(r.code)) throw new Error(`exit code ${r.code}: ${r.err}`);
    if (r.code === 2) return;
    const bad = contradictions(JSON.parse(r.out) as CheckJson, truth);
    if (bad.length) throw new Error(`${bad.join('; ')}`);
  });
}
