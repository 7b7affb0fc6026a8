// Byte scanner for the head of a tracefs `trace` / `trace_pipe` line and of a
// `trace-cmd report` line; both print `%16s-%-Nd` then the CPU column:
//            victim-385     [001] .N.1.    12.512232: mark_victim: pid=385 ...   (tracefs >= 5.15)
//            victim-358     (    358) [000] ....    13.504663: mark_victim: pid=358  (record-tgid)
//            victim-385   [001]    12.506570: console:              Memory cgroup   (trace-cmd < 3.3)
// No regex and no string on the fast path: the caller decides from the event name
// whether the line is worth any allocation.
import { scanTimestamp, type TsScan } from './timestamp.ts';

export interface LineHead {
  /** Start of the line: the comm starts after its padding (`commStart`). */
  lineStart: number;
  commEnd: number;
  pid: number;
  /** -1: the column was printed but unknown (`(-------)`); -2: no TGID column. */
  tgid: number;
  cpu: number;
  flagsStart: number;
  flagsEnd: number;
  ts: TsScan;
  nameStart: number;
  nameEnd: number;
  textStart: number;
}

export function newHead(): LineHead {
  return {
    lineStart: 0, commEnd: 0, pid: 0, tgid: -2, cpu: 0, flagsStart: 0, flagsEnd: 0,
    ts: { secs: 0, nanos: 0, end: 0, raw: false }, nameStart: 0, nameEnd: 0, textStart: 0,
  };
}

/** Where the comm of a scanned head starts: after the padding, found only for the lines that want it. */
export function commStart(buf: Buffer, h: LineHead, from = h.lineStart): number {
  let i = from;
  while (i < h.commEnd && buf[i] === SP) i++;
  return i;
}

const SP = 32;
const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 48 && c <= 57;

/** Columns of the comm before its dash (`%16s`): tracefs and trace-cmd report alike. */
const COMM_COLUMNS = 16;

/** The dash tracefs prints after a comm of 16 columns, followed by the pid's first digit. */
const dashAtColumn = (buf: Buffer, start: number, end: number): boolean => {
  const i = start + COMM_COLUMNS;
  return i + 1 < end && buf[i] === 45 && isDigit(buf[i + 1]);
};

/**
 * Slow path for a comm that is not exactly 16 columns wide (hand-edited or odd recorders),
 * matched from the line's first non-blank: with no leading blanks to give back, the lazy
 * scan is linear in the window.
 */
const HEAD_FROM_TEXT_RE = /^(.*?)-(\d+)\s+(?:\(\s*(?:\d+|-+)\)\s+)?\[\d+\][\s(]/;
/**
 * Bytes of a line searched for its dash: room for `trace-cmd report -i` of files named by
 * long paths (the name is printed before the comm: `bufferPrefix`).
 */
const SLOW_WINDOW = 1024;

/** The first byte of the line after its leading white space (what `\s*` would take). */
function firstText(buf: Buffer, start: number, end: number): number {
  let s = start;
  for (let c = buf[s]; s < end && (c === SP || (c! >= 9 && c! <= 13)); c = buf[++s]);
  return s;
}

function findDashSlow(buf: Buffer, start: number, end: number): number {
  const s = firstText(buf, start, end);
  const m = HEAD_FROM_TEXT_RE.exec(buf.toString('latin1', s, Math.min(end, s + SLOW_WINDOW)));
  return m ? s + m[1]!.length : -1;
}

/** A line that starts like an event (`comm-pid [cpu]`) but did not scan: a damaged event, never a continuation. */
export function looksLikeHead(buf: Buffer, start: number, end: number): boolean {
  // Its first 96 bytes only: a console message's continuation may name `task-123 [001]` further on.
  const w = Math.min(end, start + 96);
  const s = firstText(buf, start, w);
  return HEAD_FROM_TEXT_RE.test(buf.toString('latin1', s, w));
}

/** pid and CPU digits beyond this are not a kernel's (pid_max is 2^22, CPUs fewer than 2^13). */
const MAX_ID_DIGITS = 10;

/**
 * Scan a line head into `h`. `paddedName`: trace-cmd pads `name:` so the text starts
 * at least 22 columns after the name. Returns false if the line is not an event line.
 * One pass from the dash on, each byte read once; runs per line of a gigabyte.
 */
export function scanHead(buf: Buffer, start: number, end: number, h: LineHead, paddedName: boolean): boolean {
  const i = scanCommPid(buf, start, end, h, false);
  if (i >= 0 && (fixedLayout(buf, i, end, h, paddedName) || scanAfterPid(buf, i, end, h, paddedName))) return true;
  return retrySlow(buf, start, end, h, paddedName);
}

/** `scanHead` without the fixed-layout path: what that path must agree with (tests). */
export function scanHeadGeneral(buf: Buffer, start: number, end: number, h: LineHead, paddedName: boolean): boolean {
  const i = scanCommPid(buf, start, end, h, false);
  return (i >= 0 && scanAfterPid(buf, i, end, h, paddedName)) || retrySlow(buf, start, end, h, paddedName);
}

/**
 * A dash at column 16 that led nowhere may belong to a name printed before the comm
 * (`NAME: ` of a report of several buffers or files: `bufferPrefix`), or to a comm: the
 * line is scanned again from the dash the slow path finds, when it is another.
 */
function retrySlow(buf: Buffer, start: number, end: number, h: LineHead, paddedName: boolean): boolean {
  if (!dashAtColumn(buf, start, end)) return false;
  const i = scanCommPid(buf, start, end, h, true);
  return i >= 0 && h.commEnd !== start + COMM_COLUMNS && scanAfterPid(buf, i, end, h, paddedName);
}

/** The comm's end and the pid into `h`; the index after the pid's digits, or -1. `slow`: find the dash by the regex. */
function scanCommPid(buf: Buffer, start: number, end: number, h: LineHead, slow: boolean): number {
  let i: number;
  let c = 0;
  // tracefs prints the comm in 16 columns: the dash is there unless the comm is odd.
  if (!slow && dashAtColumn(buf, start, end)) {
    i = start + COMM_COLUMNS;
  } else {
    i = findDashSlow(buf, start, end);
    if (i < 0) return -1;
  }
  h.commEnd = i;
  h.lineStart = start;
  i++;
  let pid = 0;
  const p0 = i;
  for (; i < end; i++) {
    c = buf[i]!;
    if (c < 48 || c > 57) break;
    pid = pid * 10 + (c - 48);
  }
  // At most 10 digits, so the value stays an exact integer (2^64 would become a float).
  if (i - p0 > MAX_ID_DIGITS) return -1;
  h.pid = pid;
  return i;
}

/** 0..9 for a digit byte, else a number above 9 (`>>> 0` folds the negatives up). */
const digit = (c: number): number => (c - 48) >>> 0;

/**
 * The layout tracefs prints after the pid, `%-7d [%03d] ` then 4 (5.10) or 5 (6.1)
 * latency flags and ` %5lu.%06lu: `: every byte checked at its column, no loop over the
 * padding, the CPU or the fraction. Any other line is left to `scanAfterPid`, which
 * reads this layout to the same fields. `i`: the index after the pid's digits.
 */
function fixedLayout(buf: Buffer, i: number, end: number, h: LineHead, paddedName: boolean): boolean {
  const d = h.commEnd;
  if (i > d + 8 || d + 40 > end || buf[d + 8] !== SP || buf[d + 9] !== 91) return false;
  for (let k = i; k < d + 8; k++) if (buf[k] !== SP) return false;
  const c0 = digit(buf[d + 10]!);
  const c1 = digit(buf[d + 11]!);
  const c2 = digit(buf[d + 12]!);
  if (c0 > 9 || c1 > 9 || c2 > 9 || buf[d + 13] !== 93 || buf[d + 14] !== SP) return false;
  // Flags: not a blank, a TGID column or a stamp, 4 or 5 of them then a blank.
  const fs = d + 15;
  const a = buf[fs]!;
  if (a === SP || a === 40 || digit(a) <= 9 || buf[fs + 1] === SP || buf[fs + 2] === SP || buf[fs + 3] === SP) return false;
  let f = fs + 4;
  if (buf[f] !== SP && buf[++f] !== SP) return false;
  // ` %5lu.%06lu: `: seconds right-aligned in 5 columns, 6 fraction digits.
  let k = f + 1;
  while (k < f + 5 && buf[k] === SP) k++;
  let secs = 0;
  for (; k <= f + 5; k++) {
    const x = digit(buf[k]!);
    if (x > 9) return false;
    secs = secs * 10 + x;
  }
  if (buf[f + 6] !== 46 || buf[f + 13] !== 58 || buf[f + 14] !== SP) return false;
  const u0 = digit(buf[f + 7]!);
  const u1 = digit(buf[f + 8]!);
  const u2 = digit(buf[f + 9]!);
  const u3 = digit(buf[f + 10]!);
  const u4 = digit(buf[f + 11]!);
  const u5 = digit(buf[f + 12]!);
  if (u0 > 9 || u1 > 9 || u2 > 9 || u3 > 9 || u4 > 9 || u5 > 9) return false;
  if (!scanName(buf, f + 15, end, h, paddedName)) return false;
  h.tgid = -2;
  h.cpu = c0 * 100 + c1 * 10 + c2;
  h.flagsStart = fs;
  h.flagsEnd = f;
  const ts = h.ts;
  ts.secs = secs;
  ts.nanos = (((((u0 * 10 + u1) * 10 + u2) * 10 + u3) * 10 + u4) * 10 + u5) * 1000;
  ts.raw = false;
  ts.end = f + 13;
  return true;
}

/** The rest of the head from the index after the pid's digits (any layout). */
function scanAfterPid(buf: Buffer, i: number, end: number, h: LineHead, paddedName: boolean): boolean {
  let c = 0;
  while (i < end && buf[i] === SP) i++;
  h.tgid = -2;
  if (i < end && buf[i] === 40) {
    i = scanTgid(buf, i, end, h);
    if (i < 0) return false;
  }
  if (i >= end || buf[i] !== 91) return false;
  i++;
  let cpu = 0;
  const c0 = i;
  for (; i < end; i++) {
    c = buf[i]!;
    if (c < 48 || c > 57) break;
    cpu = cpu * 10 + (c - 48);
  }
  if (i === c0 || i - c0 > MAX_ID_DIGITS || i >= end || buf[i] !== 93) return false;
  h.cpu = cpu;
  i++;
  while (i < end && buf[i] === SP) i++;
  // 4.13-4.18 print the TGID column after the CPU (docs/formats.md#tracefs-tgid).
  if (i < end && buf[i] === 40 && h.tgid === -2) {
    i = scanTgid(buf, i, end, h);
    if (i < 0) return false;
  }
  // Either the timestamp (`12.506570:`) or the latency flags (`.N.1.`) then the timestamp.
  h.flagsStart = i;
  const ts = h.ts;
  c = i < end ? buf[i]! : 0;
  if (c >= 48 && c <= 57 && scanTimestamp(buf, i, end, ts) && ts.end < end && buf[ts.end] === 58) {
    h.flagsEnd = i;
  } else {
    while (i < end && buf[i] !== SP) i++;
    h.flagsEnd = i;
    while (i < end && buf[i] === SP) i++;
    if (!scanTimestamp(buf, i, end, ts) || ts.end >= end || buf[ts.end] !== 58) return false;
  }
  i = ts.end + 1;
  if (i >= end || buf[i] !== SP) return false;
  return scanName(buf, i + 1, end, h, paddedName);
}

/** The event name from `n0` to its colon, and where the text starts, into `h`; false if there is none. */
function scanName(buf: Buffer, n0: number, end: number, h: LineHead, paddedName: boolean): boolean {
  let n = n0;
  let c = 0;
  for (; n < end; n++) {
    c = buf[n]!;
    if (c === 58 || c === SP) break;
  }
  if (n === n0 || n >= end || c !== 58) return false;
  h.nameStart = n0;
  h.nameEnd = n;
  let t = n + 1;
  if (paddedName) t = Math.max(t + 1, n0 + 22);
  else if (t < end && buf[t] === SP) t++;
  h.textStart = Math.min(t, end);
  return true;
}

/** `(   4240)` or `(-------)` at `i` (its `(`); returns the index after it and its spaces, or -1. */
function scanTgid(buf: Buffer, i: number, end: number, h: LineHead): number {
  i++;
  while (i < end && buf[i] === SP) i++;
  if (isDigit(buf[i])) {
    let t = 0;
    while (i < end && isDigit(buf[i])) t = t * 10 + (buf[i++]! - 48);
    h.tgid = t;
  } else {
    while (i < end && buf[i] === 45) i++;
    h.tgid = -1;
  }
  if (buf[i] !== 41) return -1;
  i++;
  while (i < end && buf[i] === SP) i++;
  return i;
}

/** True when the bytes hold NUL or other control characters (binary data, not text). */
export function hasControlBytes(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if ((c < 32 && c !== 9) || c === 127) return true;
  }
  return false;
}

/**
 * `trace-cmd report` of several buffers (`record -B NAME`) or files (`-i a -i b`) prints
 * `%*s: ` before each line's 16-column comm, the buffer's or file's name right-aligned to
 * the longest one, and as many blanks for the top buffer (trace-read.c, print_handle_file).
 * A comm is at most 15 bytes (TASK_COMM_LEN), so a head wider than its 16 columns holds
 * such a prefix. Returns the name (`''` for blanks, the top buffer) and where the comm's
 * column starts, or undefined when the head is no wider than the comm (one buffer).
 */
export function bufferPrefix(buf: Buffer, h: LineHead): { name: string; commFrom: number } | undefined {
  const commFrom = h.commEnd - COMM_COLUMNS;
  if (commFrom < h.lineStart + 2) return undefined;
  let i = h.lineStart;
  while (i < commFrom && buf[i] === SP) i++;
  if (i === commFrom) return { name: '', commFrom };
  if (buf[commFrom - 2] !== 58 || buf[commFrom - 1] !== SP || i >= commFrom - 2) return undefined;
  return { name: buf.toString('utf8', i, commFrom - 2), commFrom };
}
