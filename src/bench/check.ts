// One `check` analysis in a fresh process, so peak RSS belongs to it alone:
//   tsx src/bench/check.ts <trace|-> [kernel log] [kprobe_events]
// The whole pipeline as `reaplay check` runs it (streamed), without printing. Prints one
// JSON line: seconds, text bytes, peak RSS, victims and findings, and what the replay
// retained at the end: the distinct events the model's state cites and the heap bytes of
// each (measured on a copy), the anon samples the facts kept, and the heap the analysis
// holds (heap after it less the heap before, both after a full GC; needs --expose-gc).
import { analyze } from '../pipeline.ts';
import type { TraceEvent } from '../types/event.ts';

const files = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;

/** Distinct trace events reachable from `root` (the model's state cites events by reference). */
function citedEvents(root: unknown): Set<TraceEvent> {
  const seen = new Set<object>();
  const events = new Set<TraceEvent>();
  const stack: unknown[] = [root];
  while (stack.length) {
    const x = stack.pop();
    if (x === null || typeof x !== 'object' || seen.has(x)) continue;
    seen.add(x);
    if ('ts' in x && 'src' in x && 'name' in x) events.add(x as TraceEvent);
    if (x instanceof Map) for (const [k, v] of x) stack.push(k, v);
    else if (x instanceof Set) for (const v of x) stack.push(v);
    else for (const v of Object.values(x)) stack.push(v);
  }
  return events;
}

/** Heap bytes per event of a copy of `events` (strings, fields and source reference included). */
function bytesPerEvent(events: Set<TraceEvent>): number | undefined {
  if (!gc || events.size === 0) return undefined;
  gc();
  const h0 = process.memoryUsage().heapUsed;
  const copy = structuredClone([...events]);
  gc();
  const h1 = process.memoryUsage().heapUsed;
  return copy.length ? (h1 - h0) / copy.length : undefined;
}

gc?.();
const heap0 = process.memoryUsage().heapUsed;
const t0 = process.hrtime.bigint();
const a = await analyze(files);
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
gc?.();
const heap1 = process.memoryUsage().heapUsed;
const cited = citedEvents(a.state);
const perCited = bytesPerEvent(cited);
console.log(
  JSON.stringify({
    files,
    streamed: a.capture.streamed === true,
    seconds,
    textBytes: a.inputs.reduce((n, m) => n + (m.format === 'kernel-log' || m.format === 'kprobe-events' ? 0 : m.bytes), 0),
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    victims: a.victims.length,
    findings: a.findings.length,
    citedEvents: cited.size,
    bytesPerCitedEvent: perCited,
    /** Anon samples the facts kept (typed columns, 24 B each). */
    anonKept: a.facts.victims.reduce((n, v) => n + v.anon.length, 0),
    heapRetainedMB: (heap1 - heap0) / 1e6,
  }),
);
