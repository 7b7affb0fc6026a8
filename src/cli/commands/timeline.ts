// `reaplay timeline <trace...> [--pid N | --mm ID]`: prints one address space's
// timeline (an MmTimeline of src/timeline/mm-tracker.ts) with the invalidate calls the
// replay tied to it, each event with its line.
import type { AnalyzeOptions } from '../../pipeline.ts';
import { analyze } from '../../pipeline.ts';
import { callsOverMmLifetime as callsOf } from '../../facts/calls.ts';
import type { EventRef, TraceEvent } from '../../types/event.ts';
import { safe } from '../../types/terminal-text.ts';
import { formatSourceRef } from '../../types/source-ref.ts';
import type { CliIO } from '../io.ts';
import { UserError } from '../../types/errors.ts';
import { formatInstant } from '../../types/time.ts';

export interface TimelineArgs extends AnalyzeOptions {
  files: string[];
  pid?: number;
  mm?: string;
}

function describe(ev: TraceEvent): string {
  const f = ev.fields ?? {};
  if (ev.name === 'kmem:rss_stat') return `rss ${String(f.type)} = ${Math.round(Number(f.size) / 1024)} kB (curr=${f.curr ? 1 : 0})`;
  return `${ev.name} ${safe(ev.text)}`.slice(0, 110);
}

/** An event's place in its input: a sample built again from its packed row is a new object for the same line; the model keeps only a reference to a call's events. */
const placeOf = (e: EventRef): string => [e.src.file, e.src.instance, e.src.cpu, e.src.record, e.src.offset, e.src.line, e.name, e.ts].join('\0');

export async function timelineCommand(args: TimelineArgs, io: CliIO): Promise<number> {
  // The printer reads every event of the address space: the timeline is kept whole.
  const a = await analyze(args.files, { ...args, keepEvents: true });
  const v = a.state.victims.find((x) =>
    args.pid !== undefined ? x.pid === args.pid || x.mm.tasks.has(args.pid) : args.mm !== undefined ? x.mm.mmPtr === args.mm || String(x.mm.mmId) === args.mm : true,
  );
  if (!v) {
    const known = a.state.victims.map((x) => `pid ${x.pid}${x.mm.mmPtr ? ` mm ${x.mm.mmPtr}` : ''}`).join('; ') || 'none';
    throw new UserError(`no victim address space matches ${args.pid !== undefined ? `--pid ${args.pid}` : `--mm ${args.mm}`} (victims: ${known})`, 'no_such_victim');
  }
  // Its own events inside the mm_id reuse window and the line of its release, and the calls on it (the model keeps references to their lines).
  const own = new Map([...v.mm.within(v.release?.ts), ...(v.release ? [v.release.ev] : [])].map((e) => [placeOf(e), e]));
  const calls = new Set(callsOf(a.state, v).flatMap((c) => [c.entry, c.ret, c.endCall, ...c.callbacks.flatMap((cb) => [cb.entry, cb.ret])]).filter((e) => e !== undefined).map(placeOf));
  // In the kept stream's order: events of one time print as the trace has them.
  const at = new Map<string, { e: TraceEvent; i: number }>();
  a.capture.events.forEach((e, i) => {
    const p = placeOf(e);
    if (own.has(p) || calls.has(p)) at.set(p, { e, i });
  });
  for (const [p, e] of own) if (!at.has(p)) at.set(p, { e, i: a.capture.events.length });
  const mine = [...at.values()].sort((x, y) => (x.e.ts < y.e.ts ? -1 : x.e.ts > y.e.ts ? 1 : x.i - y.i)).map((x) => x.e);
  io.stdout.write(`address space of victim ${v.pid} (${safe(v.comm)})${v.mm.mmPtr ? `, mm ${v.mm.mmPtr}` : ''}${v.mm.mmId !== undefined ? `, rss mm_id ${v.mm.mmId}` : ''}: ${mine.length} events\n`);
  for (const e of mine) io.stdout.write(`${formatInstant(e.ts).padStart(14)}  ${String(e.pid).padStart(7)}  ${describe(e).padEnd(112)} ${formatSourceRef(e.src)}\n`);
  return 0;
}
