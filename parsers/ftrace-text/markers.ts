// Header and loss lines of the tracefs `trace` file and `trace_pipe`.
import type { SourceRef } from '../../src/types/event.ts';
import type { TextTraceReader } from '../common/text-trace-reader.ts';

// # entries-in-buffer/entries-written: 12124/12124   #P:2
const ENTRIES_RE = /^# entries-in-buffer\/entries-written: (\d+)\/(\d+)\s+#P:(\d+)/;
// CPU:1 [LOST 2231 EVENTS]      CPU:1 [LOST EVENTS]
const LOST_RE = /^CPU:(\d+) \[LOST (?:(\d+) )?EVENTS\]/;
// ##### CPU 3 buffer started ####
const STARTED_RE = /^##### CPU (\d+) buffer started ####/;

// The stacktrace option: `<comm>-<pid> [001] d..1. 12.5: <stack trace>` then ` => func+0x1/0x2` lines.
const STACK_HEAD_RE = /^ {0,16}\S.{0,40}?-\d+ +(?:\( *[\d-]+\) +)?\[\d{3}\] +(?:[.\w]{4,6} +)?\d+\.\d+: <(?:stack|user stack) trace>$/;
const FRAME_RE = /^ => (.+)$/;

// What a paste leaves where lines were cut out: `(...snipped...)`, `[...]`, `<snip>`, `...`.
export const SNIP_RE = /^\s*(?:\(?\.\.\.\s*(?:snip(?:ped)?|cut|trimmed|skipped|omitted)?[^.\n]{0,40}\.\.\.\)?|\[\s*(?:\.\.\.|…|snip(?:ped)?)\s*\]|<\s*snip\s*>|-+\s*snip\s*-+|\.{3,}|…)\s*$/i;

export function ftraceOther(line: string, src: SourceRef, r: TextTraceReader): boolean {
  if (SNIP_RE.test(line)) {
    // Lines cut out of a paste: events of every CPU may be missing here.
    r.loss('events_dropped', -1, src);
    return true;
  }
  if (line.startsWith(' => ')) {
    r.stackFrame(FRAME_RE.exec(line)![1]!);
    return true;
  }
  if (line.endsWith(' trace>') && STACK_HEAD_RE.test(line)) return true;
  if (line.startsWith('#')) {
    const started = STARTED_RE.exec(line);
    if (started) {
      r.loss('buffer_started', Number(started[1]), src);
      return true;
    }
    if (line.startsWith('# tracer:') && r.eventsSeen > 0) r.newSegment(src);
    const m = ENTRIES_RE.exec(line);
    if (m) {
      const inBuffer = Number(m[1]);
      const written = Number(m[2]);
      r.meta.entries = { inBuffer, written };
      r.meta.cpus = Number(m[3]);
      if (written > inBuffer) r.overrun(src, written - inBuffer);
    }
    return true;
  }
  const lost = LOST_RE.exec(line);
  if (lost) {
    r.loss('lost_events', Number(lost[1]), src, lost[2] !== undefined ? Number(lost[2]) : undefined);
    return true;
  }
  return false;
}
