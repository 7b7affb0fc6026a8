// `reaplay timeline <trace...> [--pid N | --mm ID]`: one address space's events in
// time order, each with its line: the victim's selection, kill, reaper attempts and
// the invalidate calls inside them, memory samples, release.
import type { AnalyzeOptions } from '../../replay/analyze.ts';
import { analyze } from '../../replay/analyze.ts';
import { callsOverMmLifetime as callsOf } from '../../facts/calls.ts';
import { MM_ID_REUSE_WINDOW_NS } from '../../facts/victim.ts';
import type { TraceEvent } from '../../types/event.ts';
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

export async function timelineCommand(args: TimelineArgs, io: CliIO): Promise<number> {
  const a = await analyze(args.files, args);
  const v = a.state.victims.find((x) =>
    args.pid !== undefined ? x.pid === args.pid || x.tasks.has(args.pid) : args.mm !== undefined ? x.mmPtr === args.mm || String(x.mmId) === args.mm : true,
  );
  if (!v) {
    const known = a.state.victims.map((x) => `pid ${x.pid}${x.mmPtr ? ` mm ${x.mmPtr}` : ''}`).join('; ') || 'none';
    throw new UserError(`no victim address space matches ${args.pid !== undefined ? `--pid ${args.pid}` : `--mm ${args.mm}`} (victims: ${known})`, 'no_such_victim');
  }
  // rss_stat's mm_id hashes an address that other mms had before and after this one:
  // from the first sample a task of the victim reports as its own mm, to past its release.
  const own = (e: TraceEvent) => e.name === 'kmem:rss_stat' && e.fields?.mm_id === v.mmId && e.fields?.curr === true && v.tasks.has(e.pid);
  const from = a.capture.events.find(own)?.ts ?? v.mark.ts;
  const to = v.release ? v.release.ts + MM_ID_REUSE_WINDOW_NS : undefined;
  const calls = new Set(callsOf(a.state, v).flatMap((c) => [c.entry, c.ret, c.endCall, ...c.callbacks.flatMap((cb) => [cb.entry, cb.ret])]));
  const mine = a.capture.events.filter((e) => {
    if (calls.has(e)) return true;
    if (e.name === 'kmem:rss_stat') return v.mmId !== undefined && e.fields?.mm_id === v.mmId && e.ts >= from && (to === undefined || e.ts <= to);
    const pid = e.fields?.pid;
    if (e.name.startsWith('oom:') || e.name === 'signal:signal_generate' || e.name === 'printk:console') return pid === v.pid;
    if (e.name === 'sched:sched_process_exit' || e.name === 'mmap:exit_mmap') return v.tasks.has(typeof pid === 'number' && e.name.startsWith('sched') ? pid : e.pid);
    return e === v.release?.ev;
  });
  io.stdout.write(`address space of victim ${v.pid} (${safe(v.comm)})${v.mmPtr ? `, mm ${v.mmPtr}` : ''}${v.mmId !== undefined ? `, rss mm_id ${v.mmId}` : ''}: ${mine.length} events\n`);
  for (const e of mine) io.stdout.write(`${formatInstant(e.ts).padStart(14)}  ${String(e.pid).padStart(7)}  ${describe(e).padEnd(112)} ${formatSourceRef(e.src)}\n`);
  return 0;
}
