// The reader on every real capture: both perf script layouts parse without errors,
// agree with each other, and agree with a plain regex reading of the same text.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/types/event.ts';
import { parsePerfScript } from './test-support.ts';
import { sniffPerfScript } from './sniff.ts';

const TRACES = fileURLToPath(new URL('../../../shared/traces', import.meta.url));
const FILES = ['perf-script.txt.gz', 'perf-script-fields.txt.gz'] as const;

function captures(): string[] {
  if (!existsSync(TRACES)) return [];
  const dirs: string[] = [];
  for (const kernel of readdirSync(TRACES, { withFileTypes: true })) {
    if (!kernel.isDirectory()) continue;
    for (const scenario of readdirSync(`${TRACES}/${kernel.name}`, { withFileTypes: true })) {
      const dir = `${kernel.name}/${scenario.name}`;
      if (scenario.isDirectory() && FILES.every((f) => existsSync(`${TRACES}/${dir}/${f}`))) dirs.push(dir);
    }
  }
  return dirs.sort();
}

const read = (dir: string, file: string): Buffer => gunzipSync(readFileSync(`${TRACES}/${dir}/${file}`));

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

const dirs = captures();

describe.skipIf(dirs.length === 0)('perf script captures', () => {
  describe.each(dirs)('%s', (dir) => {
    const parsed = FILES.map((f) => parsePerfScript(read(dir, f), { file: f }));

    it.each(FILES.map((f, i) => [f, i] as const))('%s: sniffed, no error diagnostics, agrees with a regex reading', (file, i) => {
      const input = read(dir, file);
      const p = parsed[i]!;
      expect(sniffPerfScript(input.subarray(0, 65536).toString('latin1'))).toBeGreaterThanOrEqual(0.9);
      expect(p.diag.bySeverity('error')).toBe(0);
      expect(p.diag.count('time_backwards')).toBe(0);
      expect(p.events.length).toBeGreaterThan(0);
      expect(p.events.map(plain)).toEqual(regexRead(input));
      expect(p.events.every((e) => e.src.file === file)).toBe(true);
      // tgid is printed only in the `pid/tid` layout.
      expect(p.events.every((e) => (e.tgid !== undefined) === (i === 1))).toBe(true);
      // Every event line was counted under its name, wanted or not.
      const counted = p.names.entries().reduce((n, e) => n + e.count, 0);
      expect(counted).toBe(p.events.length);
    });

    it('tracefs text and trace-cmd report of the same run are not taken for perf script', () => {
      for (const other of ['ftrace.txt.gz', 'trace-cmd-report.txt.gz']) {
        if (!existsSync(`${TRACES}/${dir}/${other}`)) continue;
        expect(sniffPerfScript(read(dir, other).subarray(0, 65536).toString('latin1')), other).toBeLessThan(0.5);
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

  it('same result fed whole and in 1-, 7- and 4096-byte chunks', () => {
    for (const dir of dirs.slice(0, 2)) {
      for (const file of FILES) {
        const input = read(dir, file);
        const whole = parsePerfScript(input);
        for (const chunk of [1, 7, 4096]) {
          const p = parsePerfScript(input, { chunk });
          expect(p.events).toEqual(whole.events);
          expect(p.diag.kept).toEqual(whole.diag.kept);
          expect(p.meta.lines).toBe(whole.meta.lines);
        }
      }
    }
  });

  it('with an --events filter, only wanted events are built and all are counted', () => {
    const dir = dirs[0]!;
    const all = parsePerfScript(read(dir, FILES[0]));
    const p = parsePerfScript(read(dir, FILES[0]), { events: ['oom:*'] });
    expect(p.events).toEqual(all.events.filter((e) => e.name.startsWith('oom:')));
    const counts = (ps: typeof p) => Object.fromEntries(ps.names.entries().map((e) => [e.full, e.count]));
    expect(counts(p)).toEqual(counts(all));
  });
});
