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

// What a paste leaves where lines were cut out: `(...snipped...)`, `[...]`, `<snip>`,
// `--snip--`, `...`, `…`. Read by a scan of the trimmed line (a regex with `\s*` on both
// sides of these alternatives backtracks quadratically on long runs of blanks or dashes).
const SNIP_WORDS = ['snipped', 'snip', 'cut', 'trimmed', 'skipped', 'omitted'];

/** `...<at most 40 chars, no dot>...`, optionally in parentheses, optionally naming the cut. */
function dottedSnip(t: string): boolean {
  let a = t.startsWith('(') ? 1 : 0;
  let b = t.endsWith(')') ? t.length - 1 : t.length;
  if (b - a < 6 || !t.startsWith('...', a) || t.slice(b - 3, b) !== '...') return false;
  a += 3;
  b -= 3;
  const mid = t.slice(a, b);
  if (mid.includes('.') || mid.includes('\n')) return false;
  const rest = mid.trimStart().toLowerCase();
  const word = SNIP_WORDS.find((w) => rest.startsWith(w)) ?? '';
  return rest.length - word.length <= 40;
}

export function isSnipLine(line: string): boolean {
  const t = line.trim();
  if (t === '…') return true;
  if (t.length >= 3 && [...t].every((c) => c === '.')) return true;
  const inner = (open: string, close: string): string | undefined =>
    t.length >= 2 && t.startsWith(open) && t.endsWith(close) ? t.slice(open.length, t.length - close.length).trim().toLowerCase() : undefined;
  const sq = inner('[', ']');
  if (sq === '...' || sq === '…' || sq === 'snip' || sq === 'snipped') return true;
  if (inner('<', '>') === 'snip') return true;
  if (t.startsWith('-') && t.endsWith('-')) {
    let a = 0;
    let b = t.length;
    while (a < b && t[a] === '-') a++;
    while (b > a && t[b - 1] === '-') b--;
    if (a > 0 && b < t.length && t.slice(a, b).trim().toLowerCase() === 'snip') return true;
  }
  return dottedSnip(t);
}

export function ftraceOther(line: string, src: SourceRef, r: TextTraceReader): boolean {
  if (isSnipLine(line)) {
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
