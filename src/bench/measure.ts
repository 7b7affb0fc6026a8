// One measurement, run in a fresh process so peak RSS belongs to it alone:
//   tsx src/bench/measure.ts <trace> [--defs kprobe_events.txt] [--retain]
// Parses with the model's event filter and prints one JSON line of figures.
// With --retain it keeps every selected event and reports the heap bytes each costs.
import { statSync } from 'node:fs';
import type { TraceEvent } from '../types/event.ts';
import { newContext, parseInputs } from '../ingest/parse-inputs.ts';
import { MODEL_EVENTS } from '../replay/needs.ts';

const args = process.argv.slice(2);
const file = args[0]!;
const defs = args.includes('--defs') ? args[args.indexOf('--defs') + 1] : undefined;
const retain = args.includes('--retain');
const gc = (globalThis as { gc?: () => void }).gc;

gc?.();
const heap0 = process.memoryUsage().heapUsed;
const kept: TraceEvent[] = [];
let events = 0;
const ctx = newContext(MODEL_EVENTS);
const t0 = process.hrtime.bigint();
const r = await parseInputs(defs ? [defs, file] : [file], {
  context: ctx,
  onEvent: (ev) => {
    events++;
    if (retain) kept.push(ev);
  },
});
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
gc?.();
const heap1 = process.memoryUsage().heapUsed;
const meta = r.inputs.find((m) => m.file === file)!;
const allEvents = ctx.names.entries().reduce((a, e) => a + e.count, 0);
console.log(
  JSON.stringify({
    file,
    seconds,
    textBytes: meta.bytes,
    fileBytes: statSync(file).size,
    lines: meta.lines,
    allEvents,
    selected: events,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    retainedBytesPerEvent: retain && kept.length ? (heap1 - heap0) / kept.length : undefined,
    errors: ctx.diag.bySeverity('error'),
  }),
);
