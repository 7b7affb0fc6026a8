// Every decodable event line of the real captures decodes, in all three recorders' text,
// and kprobe events name the same probed function in all of them.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { EventNames } from '../../parsers/common/event-names.ts';
import { parseKprobeDefinition } from '../../parsers/kprobe-events/parse.ts';
import { bundledCaptures, captureFile, HAVE_SHARED, sharedCaptures, type Capture } from '../testing/captures.ts';
import type { Fields, TraceEvent } from '../types/event.ts';
import { decodeEvent } from './index.ts';

/** The bundled samples always, every shared capture too when ../shared/traces is there. */
const captures = [...bundledCaptures(), ...(HAVE_SHARED ? sharedCaptures() : [])];
const label = (c: Capture): string => `${c.bundled ? 'samples' : 'shared'} ${c.id}`;

/** A capture's file (plain or gzipped), decompressed. */
function read(path: string): Buffer {
  const raw = readFileSync(path);
  return path.endsWith('.gz') ? gunzipSync(raw) : raw;
}

// tracefs:   victim-385     [001] .N.1.    12.512232: mark_victim: pid=385 ...
// trace-cmd: victim-385   [001]    12.512545: mark_victim:          pid=385 ...
const TRACEFS_LINE = /^\s*(.+?)-(\d+)\s+\[(\d+)\]\s+(?:\S{4,5}\s+)?(\d+\.\d+): (\w+): (.*)$/;
// perf:      victim   385 [001]    12.512519:           oom:mark_victim: pid=385 ...
const PERF_LINE = /^\s*(.+?)\s+(\d+)\s+\[(\d+)\]\s+(\d+\.\d+):\s+(\w+:\w+): (.*)$/;

type Recorder = 'ftrace' | 'trace-cmd' | 'perf';
const FILES: Record<Recorder, string> = { ftrace: 'ftrace.txt', 'trace-cmd': 'trace-cmd-report.txt', perf: 'perf-script.txt' };

function namesOf(capture: Capture): EventNames {
  const names = new EventNames();
  const text = read(captureFile(capture, 'kprobe_events.txt')!).toString('utf8');
  text.split('\n').forEach((line, i) => {
    const def = parseKprobeDefinition(line, { file: 'kprobe_events.txt', line: i + 1, offset: 0 });
    if (def) names.addKprobe(def);
  });
  return names;
}

interface Outcome { decoded: Map<string, Fields[]>; failed: string[]; lines: number }

function decodeCapture(capture: Capture, recorder: Recorder): Outcome | undefined {
  const path = captureFile(capture, FILES[recorder]);
  if (!path) return undefined;
  const names = namesOf(capture);
  const ctx = { kprobe: (n: string) => names.kprobe(n) };
  const out: Outcome = { decoded: new Map(), failed: [], lines: 0 };
  const re = recorder === 'perf' ? PERF_LINE : TRACEFS_LINE;
  for (const line of read(path).toString('utf8').split('\n')) {
    const m = re.exec(line);
    if (!m) continue;
    out.lines++;
    const name = recorder === 'perf' ? names.byFull(m[5]!).full : names.byShort(m[5]!).full;
    const ev: TraceEvent = {
      ts: 0n, cpu: Number(m[3]), pid: Number(m[2]), comm: m[1]!, name, text: m[6]!,
      src: { file: path, line: 0, offset: 0 },
    };
    const fields = decodeEvent(ev, ctx);
    if (fields === undefined) out.failed.push(`${name}: ${m[6]}`);
    else if (fields !== null) {
      const list = out.decoded.get(name) ?? [];
      list.push(fields);
      out.decoded.set(name, list);
    }
  }
  return out;
}

describe('real captures', () => {
  it('has the bundled samples at least', () => {
    expect(captures.filter((c) => c.bundled).length).toBeGreaterThan(0);
  });

  describe.each(captures.map((c) => [label(c), c] as const))('%s', (_, capture) => {
    if (!captureFile(capture, 'kprobe_events.txt')) {
      it.skip('no kprobe_events.txt: the kprobe events cannot be named', () => {});
      return;
    }
    const names = namesOf(capture);
    // Each test decodes what it reads (once per recorder), so it holds when run alone.
    const outcomes = new Map<Recorder, Outcome>();
    const outcome = (recorder: Recorder): Outcome | undefined => {
      if (!outcomes.has(recorder)) {
        const out = decodeCapture(capture, recorder);
        if (out) outcomes.set(recorder, out);
      }
      return outcomes.get(recorder);
    };
    const recorders = (['ftrace', 'trace-cmd', 'perf'] as const).filter((r) => captureFile(capture, FILES[r]));

    for (const recorder of ['ftrace', 'trace-cmd', 'perf'] as const) {
      (captureFile(capture, FILES[recorder]) ? it : it.skip)(`every decodable event in ${recorder} text decodes`, () => {
        const out = outcome(recorder)!;
        expect(out.failed.slice(0, 5)).toEqual([]);
        expect(out.lines).toBeGreaterThan(0);
        for (const name of ['oom:mark_victim', 'sched:sched_process_fork', 'signal:signal_generate']) {
          expect(out.decoded.get(name)?.length, name).toBeGreaterThan(0);
        }
        for (const f of out.decoded.get('kmem:rss_stat') ?? []) expect(typeof f.type).toBe('string');
        for (const f of out.decoded.get('oom:mark_victim') ?? []) expect(typeof f.pid).toBe('number');
      });
    }

    it('kprobe events name the defined function in every recorder', () => {
      let checked = 0;
      for (const recorder of recorders) {
        for (const [name, list] of outcome(recorder)!.decoded) {
          const def = names.kprobe(name);
          if (!def) continue;
          checked += list.length;
          for (const f of list) {
            expect(f.probe_func, `${recorder} ${name}`).toBe(def.func);
            expect(f.is_return).toBe(def.isReturn);
            for (const a of def.args) expect(f[a.name], `${recorder} ${name} ${a.name}`).not.toBeUndefined();
          }
          // Raw-address recorders say where the probe sat; tracefs says it by symbol.
          if (recorder !== 'ftrace') expect(typeof list[0]!.probe_addr).toBe('string');
        }
      }
      expect(checked, 'kprobe events decoded').toBeGreaterThan(0);
    });
  });
});
