// Byte scanner for the head of a tracefs `trace` / `trace_pipe` line and of a
// `trace-cmd report` line; both print `%16s-%-Nd` then the CPU column:
//            victim-385     [001] .N.1.    12.512232: mark_victim: pid=385 ...   (tracefs >= 5.15)
//            victim-358     (    358) [000] ....    13.504663: mark_victim: pid=358  (record-tgid)
//            victim-385   [001]    12.506570: console:              Memory cgroup   (trace-cmd < 3.3)
// No regex and no string on the fast path: the caller decides from the event name
// whether the line is worth any allocation.
import { scanTimestamp, type TsScan } from './timestamp.ts';

export interface LineHead {
  commStart: number;
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
    commStart: 0, commEnd: 0, pid: 0, tgid: -2, cpu: 0, flagsStart: 0, flagsEnd: 0,
    ts: { secs: 0, nanos: 0, end: 0, raw: false }, nameStart: 0, nameEnd: 0, textStart: 0,
  };
}

const SP = 32;
const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 48 && c <= 57;

/** Slow path for a comm that is not exactly 16 columns wide (hand-edited or odd recorders). */
const HEAD_RE = /^(\s*)(.*?)-(\d+)\s+(?:\(\s*(?:\d+|-+)\)\s+)?\[\d+\][\s(]/;

function findDash(buf: Buffer, start: number, end: number): number {
  const fixed = start + 16;
  if (fixed + 1 < end && buf[fixed] === 45 && isDigit(buf[fixed + 1])) return fixed;
  const m = HEAD_RE.exec(buf.toString('latin1', start, Math.min(end, start + 96)));
  return m ? start + m[1]!.length + m[2]!.length : -1;
}

/** A line that starts like an event (`comm-pid [cpu]`) but did not scan: a damaged event, never a continuation. */
export function looksLikeHead(buf: Buffer, start: number, end: number): boolean {
  return HEAD_RE.test(buf.toString('latin1', start, Math.min(end, start + 96)));
}

/** pid and CPU digits beyond this are not a kernel's (pid_max is 2^22, CPUs fewer than 2^13). */
const MAX_ID_DIGITS = 10;

/**
 * Scan a line head into `h`. `paddedName`: trace-cmd pads `name:` so the text starts
 * at least 22 columns after the name. Returns false if the line is not an event line.
 */
export function scanHead(buf: Buffer, start: number, end: number, h: LineHead, paddedName: boolean): boolean {
  const dash = findDash(buf, start, end);
  if (dash < 0) return false;
  let i = start;
  while (i < dash && buf[i] === SP) i++;
  h.commStart = i;
  h.commEnd = dash;
  i = dash + 1;
  let pid = 0;
  const p0 = i;
  while (i < end && isDigit(buf[i])) pid = pid * 10 + (buf[i++]! - 48);
  // At most 10 digits, so the value stays an exact integer (2^64 would become a float).
  if (i - p0 > MAX_ID_DIGITS) return false;
  h.pid = pid;
  while (i < end && buf[i] === SP) i++;
  h.tgid = -2;
  if (buf[i] === 40) {
    i = scanTgid(buf, i, end, h);
    if (i < 0) return false;
  }
  if (buf[i] !== 91) return false;
  i++;
  let cpu = 0;
  const c0 = i;
  while (i < end && isDigit(buf[i])) cpu = cpu * 10 + (buf[i++]! - 48);
  if (i === c0 || i - c0 > MAX_ID_DIGITS || buf[i] !== 93) return false;
  h.cpu = cpu;
  i++;
  while (i < end && buf[i] === SP) i++;
  // 4.13-4.18 print the TGID column after the CPU (docs/formats.md#tracefs-tgid).
  if (buf[i] === 40 && h.tgid === -2) {
    i = scanTgid(buf, i, end, h);
    if (i < 0) return false;
  }
  // Either the timestamp (`12.506570:`) or the latency flags (`.N.1.`) then the timestamp.
  h.flagsStart = h.flagsEnd = i;
  if (!scanTimestamp(buf, i, end, h.ts) || buf[h.ts.end] !== 58) {
    while (i < end && buf[i] !== SP) i++;
    h.flagsEnd = i;
    while (i < end && buf[i] === SP) i++;
    if (!scanTimestamp(buf, i, end, h.ts) || buf[h.ts.end] !== 58) return false;
  }
  i = h.ts.end + 1;
  if (buf[i] !== SP) return false;
  i++;
  h.nameStart = i;
  while (i < end) {
    const c = buf[i]!;
    if (c === 58 || c === SP) break;
    i++;
  }
  if (i === h.nameStart || i >= end || buf[i] !== 58) return false;
  h.nameEnd = i;
  let t = i + 1;
  if (paddedName) t = Math.max(t + 1, h.nameStart + 22);
  else if (buf[t] === SP) t++;
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
