// Byte scanner for one `perf script` line (docs/formats.md#perf-script). No regex and no
// string: the reader decides from the event name whether the line is worth any.
// Default fields for tracepoints (`%16s` comm, tid `%5d` or `%7d`, `[%03d]`, usecs):
//           victim   384 [001]    12.455582:           oom:mark_victim: pid=384
// `-F comm,pid,tid,cpu,time,event,trace --ns` (`pid/tid`, nanoseconds):
//           victim   384/384   [001]    12.455582315:           oom:mark_victim: pid=384
import { scanTimestamp, type TsScan } from '../common/timestamp.ts';

// Binary-data test shared with the tracefs readers (same rule: any C0 byte but TAB, or DEL).
export { hasControlBytes } from '../common/tracefs-line.ts';

/** What `scanPerfLine` found. */
export const LineKind = {
  None: 0,
  /** A trace event: every field of the PerfLine is set. */
  Event: 1,
  /** A perf side record (`PERF_RECORD_LOST lost 3`); `nameStart` points at `PERF_RECORD_`. */
  Record: 2,
} as const;
export type LineKind = (typeof LineKind)[keyof typeof LineKind];

export interface PerfLine {
  commStart: number;
  commEnd: number;
  /** The tid column: the thread that was running. */
  tid: number;
  /** The pid column of the `pid/tid` form; meaningful only when `hasTgid`. */
  tgid: number;
  hasTgid: boolean;
  cpu: number;
  ts: TsScan;
  nameStart: number;
  nameEnd: number;
  textStart: number;
}

export function newPerfLine(): PerfLine {
  return {
    commStart: 0, commEnd: 0, tid: 0, tgid: 0, hasTgid: false, cpu: 0,
    ts: { secs: 0, nanos: 0, end: 0, raw: false }, nameStart: 0, nameEnd: 0, textStart: 0,
  };
}

const SP = 32;
const COLON = 58;
const SLASH = 47;
const MINUS = 45;
const RECORD_PREFIX = Buffer.from('PERF_RECORD_', 'latin1');
/** perf prints comm as `%16s `: the separator sits at column 16 unless the comm is longer. */
const COMM_WIDTH = 16;
/** How far the slow path looks for the end of a comm that is not 16 wide. */
const COMM_SEARCH = 80;

/** Where an integer scan ended (-1: no digits) and its value; reused, so no allocation. */
const num = { end: 0, value: 0 };

// `-1` (perf's unknown thread), `384`; at most 10 digits so a value stays exact.
function scanInt(buf: Buffer, i: number, end: number): boolean {
  let neg = false;
  if (i < end && buf[i] === MINUS) {
    neg = true;
    i++;
  }
  const d0 = i;
  let v = 0;
  while (i < end) {
    const c = buf[i]!;
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
    i++;
  }
  if (i === d0 || i - d0 > 10) return false;
  num.end = i;
  num.value = neg ? -v : v;
  return true;
}

export function startsWith(buf: Buffer, i: number, end: number, prefix: Buffer): boolean {
  if (end - i < prefix.length) return false;
  for (let k = 0; k < prefix.length; k++) if (buf[i + k] !== prefix[k]) return false;
  return true;
}

// Everything after the comm's separator:
//   384/384   [001]    12.455582315:           oom:mark_victim: pid=384
function scanAfterComm(buf: Buffer, i: number, end: number, h: PerfLine): LineKind {
  while (i < end && buf[i] === SP) i++;
  if (!scanInt(buf, i, end)) return LineKind.None;
  i = num.end;
  if (buf[i] === SLASH) {
    h.tgid = num.value;
    if (!scanInt(buf, i + 1, end)) return LineKind.None;
    i = num.end;
    h.tid = num.value;
    h.hasTgid = true;
  } else {
    h.tid = num.value;
    h.hasTgid = false;
  }
  if (buf[i] !== SP) return LineKind.None;
  while (i < end && buf[i] === SP) i++;
  // `[cpu]` is printed only when the recording was per CPU (always for tracepoints).
  if (buf[i] === 91) {
    if (!scanInt(buf, i + 1, end) || buf[num.end] !== 93) return LineKind.None;
    h.cpu = num.value;
    i = num.end + 1;
    if (buf[i] !== SP) return LineKind.None;
    while (i < end && buf[i] === SP) i++;
  } else {
    h.cpu = -1;
  }
  if (!scanTimestamp(buf, i, end, h.ts)) return LineKind.None;
  i = h.ts.end;
  if (buf[i] !== COLON || (i + 1 < end && buf[i + 1] !== SP)) return LineKind.None;
  i += 2;
  while (i < end && buf[i] === SP) i++;
  // Sample events print their period before the event name: `  250000 cpu-clock:pppH:`.
  let d = i;
  while (d < end && buf[d]! >= 48 && buf[d]! <= 57) d++;
  if (d > i && d < end && buf[d] === SP) {
    i = d;
    while (i < end && buf[i] === SP) i++;
  }
  h.nameStart = i;
  if (startsWith(buf, i, end, RECORD_PREFIX)) return LineKind.Record;
  // The name is `system:event` and ends at the first `:` followed by a space or the
  // end of the line; the text starts right after that `: `, leading spaces and all.
  while (i < end) {
    const c = buf[i]!;
    if (c <= SP || c === 127) return LineKind.None;
    if (c === COLON && (i + 1 === end || buf[i + 1] === SP)) break;
    i++;
  }
  if (i >= end || i === h.nameStart) return LineKind.None;
  h.nameEnd = i;
  h.textStart = Math.min(i + 2, end);
  return LineKind.Event;
}

//       my app  v2  4242 [003]  1234.567890: oom:mark_victim: pid=4242
/**
 * Scan a whole line into `h`. The comm is attacker-controlled and may hold spaces,
 * so it is cut at column 16 when the rest of the line scans from there; only
 * otherwise (a comm printed unpadded or longer) is a separator searched for.
 */
export function scanPerfLine(buf: Buffer, start: number, end: number, h: PerfLine): LineKind {
  let c0 = start;
  while (c0 < end && buf[c0] === SP) c0++;
  const fixed = start + COMM_WIDTH;
  if (fixed < end && buf[fixed] === SP) {
    const kind = scanAfterComm(buf, fixed + 1, end, h);
    if (kind !== LineKind.None) {
      h.commStart = Math.min(c0, fixed);
      h.commEnd = fixed;
      return kind;
    }
  }
  const limit = Math.min(end, c0 + COMM_SEARCH);
  for (let p = c0 + 1; p < limit; p++) {
    if (buf[p] !== SP || p === fixed) continue;
    const kind = scanAfterComm(buf, p + 1, end, h);
    if (kind !== LineKind.None) {
      h.commStart = c0;
      h.commEnd = p;
      return kind;
    }
  }
  return LineKind.None;
}
