// The reader on every real capture: both perf script layouts parse without errors,
// agree with each other, and agree with a plain regex reading of the same text.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/types/event.ts';
import { bundledCaptures, captureFile, HAVE_SHARED, sharedCaptures, type Capture } from '../../src/testing/captures.ts';
import { feed, type Fed } from '../../src/testing/feed.ts';
import { perfScriptImporter } from './index.ts';
import { sniffPerfScript } from './sniff.ts';

const FILES = ['perf-script.txt', 'perf-script-fields.txt'] as const;

/** The bundled samples always, every shared capture too when ../shared/traces is there. */
const captures = [...bundledCaptures(), ...(HAVE_SHARED ? sharedCaptures() : [])];
const label = (c: Capture): string => `${c.bundled ? 'samples' : 'shared'} ${c.id}`;
const has = (c: Capture, file: string): boolean => captureFile(c, file) !== undefined;

/** A capture's file, decompressed when gzipped. */
function read(c: Capture, file: string): Buffer {
  const path = captureFile(c, file)!;
  const raw = readFileSync(path);
  return path.endsWith('.gz') ? gunzipSync(raw) : raw;
}

const parsePerfScript = (input: Buffer, opts: { chunk?: number; events?: string[]; file?: string } = {}): Fed =>
  feed(perfScriptImporter, input, { file: 'input.txt', ...opts });

interface Plain {
  ts: bigint; cpu: number; pid: number; tgid?: number; comm: string; name: string; text: string; line: number; offset: number;
}

const plain = (e: TraceEvent): Plain => ({
  ts: e.ts, cpu: e.cpu, pid: e.pid, ...(e.tgid !== undefined ? { tgid: e.tgid } : {}),
  comm: e.comm, name: e.name, text: e.text, line: e.src.line, offset: e.src.offset,
});

// The reference: one regex per line, comm as perf's `%16s`, continuation lines joined.
//           victim   384/384   [001]    12.455582315:           oom:mark_victim: pid=384
const LINE_RE = /^(.{16}) +(-?\d+)(?:\/(-?\d+))? +\[(-?\d+)\] +(\d+)\.(\d+): +([^\s:]+:[^\s:]+): (.*)$/;
const MULTILINE = new Set(['printk:console', 'ftrace:print', 'ftrace:bprint', 'ftrace:bputs']);

function regexRead(input: Buffer): Plain[] {
  const out: Plain[] = [];
  const lines = input.toString('utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let offset = 0;
  let blanks = 0;
  lines.forEach((line, i) => {
    const m = LINE_RE.exec(line);
    if (m) {
      const [, comm, a, b, cpu, secs, frac, name, text] = m;
      const ev: Plain = {
        ts: BigInt(secs!) * 1_000_000_000n + BigInt(frac!.padEnd(9, '0')),
        cpu: Number(cpu), pid: Number(b ?? a), ...(b !== undefined ? { tgid: Number(a) } : {}),
        comm: comm!.trimStart(), name: name!, text: text!, line: i + 1, offset,
      };
      out.push(ev);
      blanks = 0;
    } else if (line === '') {
      blanks++;
    } else {
      const last = out[out.length - 1];
      if (!last || !MULTILINE.has(last.name)) throw new Error(`line ${i + 1} is neither event nor continuation: ${line}`);
      last.text += '\n'.repeat(blanks + 1) + line;
      blanks = 0;
    }
    offset += Buffer.byteLength(line) + 1;
  });
  return out;
}

const runnable = captures.filter((c) => FILES.every((f) => has(c, f)));
const lacking = captures.filter((c) => !runnable.includes(c));

describe('perf script captures', () => {
  it('has the bundled samples at least', () => {
    expect(runnable.filter((c) => c.bundled).length).toBeGreaterThan(0);
  });

  for (const c of lacking) it.skip(`${label(c)}: no perf script text (${FILES.filter((f) => !has(c, f)).join(', ')})`, () => {});

  describe.each(runnable.map((c) => [label(c), c] as const))('%s', (_, c) => {
    const parsed = FILES.map((f) => parsePerfScript(read(c, f), { file: f }));

    it.each(FILES.map((f, i) => [f, i] as const))('%s: sniffed, no error diagnostics, agrees with a regex reading', (file, i) => {
      const input = read(c, file);
      const p = parsed[i]!;
      expect(sniffPerfScript(input.subarray(0, 65536).toString('latin1'))).toBeGreaterThanOrEqual(0.9);
      expect(p.ctx.diag.bySeverity('error')).toBe(0);
      expect(p.ctx.diag.count('time_backwards')).toBe(0);
      expect(p.events.length).toBeGreaterThan(0);
      expect(p.events.map(plain)).toEqual(regexRead(input));
      expect(p.events.every((e) => e.src.file === file)).toBe(true);
      // tgid is printed only in the `pid/tid` layout.
      expect(p.events.every((e) => (e.tgid !== undefined) === (i === 1))).toBe(true);
      // Every event line was counted under its name, wanted or not.
      const counted = p.ctx.names.entries().reduce((n, e) => n + e.count, 0);
      expect(counted).toBe(p.events.length);
    });

    it('tracefs text and trace-cmd report of the same run are not taken for perf script', () => {
      for (const other of ['ftrace.txt', 'trace-cmd-report.txt']) {
        if (!has(c, other)) continue;
        expect(sniffPerfScript(read(c, other).subarray(0, 65536).toString('latin1')), other).toBeLessThan(0.5);
      }
    });

    it('both layouts give the same events (oom:* exactly; times within 1 µs)', () => {
      const [usec, nsec] = parsed.map((p) => p.events) as [TraceEvent[], TraceEvent[]];
      const key = (e: TraceEvent) => ({ name: e.name, pid: e.pid, cpu: e.cpu, comm: e.comm, text: e.text });
      const oomU = usec.filter((e) => e.name.startsWith('oom:'));
      const oomN = nsec.filter((e) => e.name.startsWith('oom:'));
      expect(oomU.length).toBeGreaterThan(0);
      expect(oomU.map(key)).toEqual(oomN.map(key));
      expect(usec.map(key)).toEqual(nsec.map(key));
      // The default layout prints truncated microseconds.
      usec.forEach((e, k) => {
        const d = nsec[k]!.ts - e.ts;
        expect(d >= 0n && d < 1000n, `${e.name} at line ${e.src.line}: ${d} ns apart`).toBe(true);
      });
    });
  });

  // The first two captures: bundled ones, so these run on a fresh clone too.
  it('same result fed whole and in 1-, 7- and 4096-byte chunks', () => {
    for (const c of runnable.slice(0, 2)) {
      for (const file of FILES) {
        const input = read(c, file);
        const whole = parsePerfScript(input);
        for (const chunk of [1, 7, 4096]) {
          const p = parsePerfScript(input, { chunk });
          expect(p.events).toEqual(whole.events);
          expect(p.ctx.diag.kept).toEqual(whole.ctx.diag.kept);
          expect(p.meta.lines).toBe(whole.meta.lines);
        }
      }
    }
  });

  it('with an --events filter, only wanted events are built and all are counted', () => {
    const c = runnable[0]!;
    const all = parsePerfScript(read(c, FILES[0]));
    const p = parsePerfScript(read(c, FILES[0]), { events: ['oom:*'] });
    expect(p.events).toEqual(all.events.filter((e) => e.name.startsWith('oom:')));
    const counts = (ps: Fed) => Object.fromEntries(ps.ctx.names.entries().map((e) => [e.full, e.count]));
    expect(counts(p)).toEqual(counts(all));
  });
});
