// Header and loss lines of `trace-cmd report` (docs/formats.md#trace-cmd-report).
import type { SourceRef } from '../../src/types/event.ts';
import type { TextTraceReader } from '../common/text-trace-reader.ts';

// cpus=2
export const CPUS_RE = /^cpus=(\d+)\s*$/;
// a.dat: cpus=2   (`report -i a.dat -i b.dat` names each file, before any event: tracefs-line.ts bufferPrefix)
export const NAMED_CPUS_RE = /^[^\n]*: cpus=(\d+)\s*$/;
// CPU:1 [2231 EVENTS DROPPED]      CPU:1 [EVENTS DROPPED]
const DROPPED_RE = /^CPU:(\d+) \[(?:(\d+) )?EVENTS DROPPED\]/;
// CPU 1 is empty
const EMPTY_RE = /^CPU \d+ is empty\s*$/;
// version = 6
const VERSION_RE = /^version = \d+\s*$/;
// Linux (none) 6.1.0-56-amd64 #1 SMP ...   (`trace-cmd report --uname`)
const UNAME_RE = /^Linux \S+ (\d+\.\d\S*) #/;

export function traceCmdOther(line: string, src: SourceRef, r: TextTraceReader): boolean {
  // The named form only where trace-cmd prints it: a console line may end the same way.
  const cpus = CPUS_RE.exec(line) ?? (r.eventsSeen === 0 ? NAMED_CPUS_RE.exec(line) : null);
  if (cpus) {
    if (r.eventsSeen > 0) r.newSegment(src);
    r.meta.cpus = Number(cpus[1]);
    return true;
  }
  const dropped = DROPPED_RE.exec(line);
  if (dropped) {
    r.loss('events_dropped', Number(dropped[1]), src, dropped[2] !== undefined ? Number(dropped[2]) : undefined);
    return true;
  }
  const uname = UNAME_RE.exec(line);
  if (uname) {
    r.meta.kernelRelease ??= uname[1];
    return true;
  }
  return EMPTY_RE.test(line) || VERSION_RE.test(line);
}
