// Kernel log lines as the model reads them. Two jobs:
// - In traces, printk:console delivers a long message in KERN_CONT fragments, one
//   event each (`oom-kill:constraint=...`, `,cpuset=`, `/`, ..., `,task=victim,pid=440,uid=0`);
//   the fragments of one message are joined back and decoded as one line.
// - The same message often arrives twice, from the trace's console events and from
//   dmesg; the copy from the trace is kept (it sits in the trace), the other dropped.
import type { TraceEvent } from '../types/event.ts';
import { decodePrintk } from '../../parsers/common/printk-line.ts';

/** Fragments of one message are emitted by one task within this long. */
export const FRAGMENT_GAP_NS = 20_000_000n;
/** The same line from two sources lies within this long (console flush delay). */
export const DUPLICATE_NS = 200_000_000n;

/** The first fragment of a message printed in KERN_CONT parts. */
export const startsJoin = (ev: TraceEvent): boolean => ev.fields?.kind === 'oom_summary_part' && ev.text.startsWith('oom-kill:');

/** The message of `first` with the text of its fragments joined, decoded as one line. */
export function joined(first: TraceEvent, text: string): TraceEvent {
  return { ...first, text, fields: decodePrintk(text) ?? first.fields };
}

/** A record the model reads (lines of no known kind are left out). */
export const isRecord = (ev: TraceEvent): boolean => ev.fields !== undefined && ev.fields.kind !== 'other';

export function joinFragments(events: TraceEvent[]): TraceEvent[] {
  const out: TraceEvent[] = [];
  for (let i = 0; i < events.length; i++) {
    const ev = events[i]!;
    if (!startsJoin(ev)) {
      out.push(ev);
      continue;
    }
    let text = ev.text;
    let j = i + 1;
    for (; j < events.length; j++) {
      const f = events[j]!;
      // Another message's first fragment begins a message of its own.
      if (f.src.file !== ev.src.file || f.pid !== ev.pid || f.ts - events[j - 1]!.ts > FRAGMENT_GAP_NS || startsJoin(f)) break;
      text += f.text;
      if (f.text.startsWith(',task=')) {
        j++;
        break;
      }
    }
    out.push(joined(ev, text));
    i = j - 1;
  }
  return out;
}

/** The message without a printk time prefix, for comparing sources. */
export function key(ev: TraceEvent): string {
  return ev.text.replace(/^\[\s*\d+\.\d+\]\s?/, '').trim();
}

export function buildLogRecords(printk: TraceEvent[]): TraceEvent[] {
  const byFile = new Map<string, TraceEvent[]>();
  for (const ev of printk) {
    let l = byFile.get(ev.src.file);
    if (!l) byFile.set(ev.src.file, (l = []));
    l.push(ev);
  }
  const joined = [...byFile.values()].map(joinFragments);
  // Inputs with a CPU column are traces; their copy of a line wins over the log's.
  joined.sort((a, b) => Number((b[0]?.cpu ?? -1) >= 0) - Number((a[0]?.cpu ?? -1) >= 0));
  const kept: TraceEvent[] = [];
  const seen = new Map<string, bigint[]>();
  for (const list of joined) {
    const fromTrace = (list[0]?.cpu ?? -1) >= 0;
    for (const ev of list) {
      if (!isRecord(ev)) continue;
      const k = key(ev);
      const times = seen.get(k);
      if (!fromTrace && times && ev.ts >= 0n && times.some((t) => (t > ev.ts ? t - ev.ts : ev.ts - t) < DUPLICATE_NS)) continue;
      if (fromTrace) {
        if (times) times.push(ev.ts);
        else seen.set(k, [ev.ts]);
      }
      kept.push(ev);
    }
  }
  return kept;
}
