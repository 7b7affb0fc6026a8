// One `check` analysis in a fresh process, so peak RSS belongs to it alone:
//   tsx src/bench/check.ts <trace|-> [kernel log] [kprobe_events]
// The whole pipeline as `reaplay check` runs it (streamed), without printing. Prints one
// JSON line: seconds, text bytes, peak RSS, victims and findings, and what the replay
// retained at the end: the distinct events the model's state cites as objects and the heap
// bytes of each (measured on a copy), the references to the lines of invalidate calls it keeps
// in their place (src/replay/ref-table.ts), those it keeps packed (src/timeline/event-columns.ts)
// and their bytes each, the anon samples the facts kept, and the heap and buffers the
// analysis holds (after it less before, both after a full GC; needs --expose-gc).
import { analyze } from '../pipeline.ts';
import type { TraceEvent } from '../types/event.ts';
import { EventColumns } from '../timeline/event-columns.ts';
import { RefTable } from '../replay/ref-table.ts';

const files = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;

/** Distinct trace events reachable from `root` as objects, and those held packed with their bytes. */
function citedEvents(root: unknown): { events: Set<TraceEvent>; refs: number; packed: number; packedBytes: number } {
  const seen = new Set<object>();
  const events = new Set<TraceEvent>();
  let refs = 0;
  let packed = 0;
  let packedBytes = 0;
  const stack: unknown[] = [root];
  while (stack.length) {
    const x = stack.pop();
    if (x === null || typeof x !== 'object' || seen.has(x)) continue;
    seen.add(x);
    if (x instanceof RefTable) refs += x.length;
    if (x instanceof EventColumns) {
      packed += x.packedCount();
      packedBytes += x.packedBytes();
    }
    if ('ts' in x && 'src' in x && 'name' in x && 'text' in x) events.add(x as TraceEvent);
    if (x instanceof Map) for (const [k, v] of x) stack.push(k, v);
    else if (x instanceof Set) for (const v of x) stack.push(v);
    else for (const v of Object.values(x)) stack.push(v);
  }
  return { events, refs, packed, packedBytes };
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
const { heapUsed: heap0, arrayBuffers: buffers0 } = process.memoryUsage();
const t0 = process.hrtime.bigint();
const a = await analyze(files);
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
gc?.();
const { heapUsed: heap1, arrayBuffers: buffers1 } = process.memoryUsage();
const { events: cited, refs, packed, packedBytes } = citedEvents(a.state);
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
    citedRefs: refs,
    packedEvents: packed,
    bytesPerPackedEvent: packed ? packedBytes / packed : undefined,
    /** Anon samples the facts kept (typed columns, 24 B each). */
    anonKept: a.facts.victims.reduce((n, v) => n + v.anon.length, 0),
    heapRetainedMB: (heap1 - heap0) / 1e6,
    buffersRetainedMB: (buffers1 - buffers0) / 1e6,
  }),
);
