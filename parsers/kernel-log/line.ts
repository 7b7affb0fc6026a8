// The prefix of one kernel-log line in each style users bring, and where the
// message starts. Works on the line as latin1 text, so a character index is also
// the byte offset of the message in the line.
import { parseSecondsToNs } from '../common/timestamp.ts';

/** What a line is. `partial`: a time prefix cut short (only meaningful on a last line). */
export type LineKind = 'message' | 'skip' | 'boot' | 'partial';

export interface LinePrefix {
  /** Index of the message's first character. */
  start: number;
  /** Monotonic time in integer ns; -1n when the line has none (see reader.ts). */
  ts: bigint;
  /** From a `[C1]` printk caller id, else -1. */
  cpu: number;
  /** From a `[T123]` printk caller id, else -1. */
  pid: number;
  /** A /dev/kmsg record: its message has `\xNN` escapes. */
  kmsg: boolean;
}

/** Per-stream state: whether `[time] host ident: msg` lines are a journal's (decided once). */
export interface PrefixMode {
  journal?: boolean;
}

export function newPrefix(): LinePrefix {
  return { start: 0, ts: -1n, cpu: -1, pid: -1, kmsg: false };
}

// -- Boot 5c1e0e3e8f0a4bd2a1d7 --   /   -- Logs begin at Sat 2025-11-22 08:00:01 UTC, end at ... --
const JOURNAL_MARK = /^-- (?:(?<boot>Boot [0-9a-f]+|Reboot)|Logs begin|Journal begins|No entries)/;
// 6,1234,5123456,-;msg   /   4,567,89012345,-,caller=T123;msg
const KMSG = /^\d{1,4},\d+,(?<us>\d{1,15}),[^,;]*(?<extra>,[^;]*)?;/;
// <6>[    1.234567] msg
const LEVEL = /<\d{1,3}>/y;
// kern  :info  : [    1.234567] msg   (dmesg -x)
const DMESG_X = /(?:kern|user|mail|daemon|auth|syslog|lpr|news|uucp|cron|authpriv|ftp|res\d|local[0-7]) *:(?:emerg|alert|crit|err|warn|notice|info|debug) *: /y;
// Nov 22 08:56:09 host kernel: msg   /   2025-11-22T08:56:09+0000 host kernel: msg   (journalctl, syslog files)
// Sat 2025-11-22 08:56:09 UTC host kernel: msg   /   1763801769.123456 host kernel: msg   (-o short-full, short-unix)
const WALL = /(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?:\.\d{1,9})?|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:[+-]\d\d:?\d\d|Z)?|[A-Z][a-z]{2} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{1,9})? [\w+-]+|\d{9,12}\.\d{1,9}) /y;
// host kernel: msg   /   host systemd[1]: msg
const HOST_IDENT = /[^\s\[\]:]+ (?<ident>[^\s\[\]:]+)(?:\[\d+\])?: /y;
// [    5.123456] msg   /   [    5.123456 <    0.000123>] msg   (dmesg -d)
const MONO = /\[ *(?<t>\d{1,15}\.\d{1,9})(?: <[^>]*>)?\]/y;
// [    5.123456][  T123] msg   /   [    5.123456] [T123] msg   (CONFIG_PRINTK_CALLER)
const CALLER = / ?\[ *(?<c>[TC])(?<n>\d{1,10})\]/y;
// [Sat Nov 22 08:56:09 2025] msg (-T)   [Nov22 08:56] / [  +0.000123] msg (-e)   [<    0.000123>] msg (-d -t)
const UNTIMED = /\[(?:[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}|[A-Z][a-z]{2}\d{1,2} \d\d:\d\d|[ \d]*[+-]\d+\.\d+|< *\d+\.\d+>)\] ?/y;
// 2025-11-22T08:56:09,123456+00:00 msg   (dmesg --time-format iso)
const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d,\d+(?:[+-]\d\d:?\d\d)? /y;
// [    5.12   (a timed line cut short)
const PARTIAL = /^(?:<\d{1,3}>)?\[ *[\d.]*$/;

function at(re: RegExp, s: string, i: number): RegExpExecArray | null {
  re.lastIndex = i;
  return re.exec(s);
}

function caller(p: LinePrefix, c: string, n: string): void {
  if (c === 'T') p.pid = Number(n);
  else p.cpu = Number(n);
}

/** `host kernel: ` at `i`: its end; -1 for another program's line; `i` when there is none. */
function journalIdent(s: string, i: number): number {
  const m = at(HOST_IDENT, s, i);
  if (!m) return i;
  return m.groups!.ident === 'kernel' ? HOST_IDENT.lastIndex : -1;
}

/**
 * Whether `[time] ` is followed by a journal's `host kernel: ` (or `host prog[pid]: `).
 * Decided on the first timed line only: kernel messages such as `usb 1-1: new device`
 * look like `host ident: ` too, so a dmesg must not be re-judged line by line.
 */
function looksJournal(s: string, i: number): boolean {
  const m = at(HOST_IDENT, s, i);
  return m !== null && (m.groups!.ident === 'kernel' || m[0].includes('['));
}

/** Fills `p` for the line `s`; see LineKind. */
export function parsePrefix(s: string, p: LinePrefix, mode: PrefixMode): LineKind {
  p.start = 0;
  p.ts = -1n;
  p.cpu = -1;
  p.pid = -1;
  p.kmsg = false;
  if (s.startsWith('-- ')) {
    const j = JOURNAL_MARK.exec(s);
    if (j) return j.groups!.boot ? 'boot' : 'skip';
  }
  const k = KMSG.exec(s);
  if (k) {
    p.ts = BigInt(k.groups!.us!) * 1000n;
    const c = /,caller=([TC])(\d{1,10})/.exec(k.groups!.extra ?? '');
    if (c) caller(p, c[1]!, c[2]!);
    p.kmsg = true;
    p.start = k[0].length;
    return 'message';
  }
  if (PARTIAL.test(s)) return 'partial';
  let i = 0;
  if (at(LEVEL, s, i)) i = LEVEL.lastIndex;
  if (at(DMESG_X, s, i)) i = DMESG_X.lastIndex;
  // Set once a journal/syslog `host kernel: ` was consumed: what follows is the message.
  let wrapped = false;
  if (at(WALL, s, i)) {
    const j = journalIdent(s, WALL.lastIndex);
    if (j < 0) return 'skip';
    wrapped = j > WALL.lastIndex;
    mode.journal ??= wrapped;
    i = j;
  } else if (at(ISO, s, i)) {
    i = ISO.lastIndex;
  }
  const m = at(MONO, s, i);
  if (m) {
    p.ts = parseSecondsToNs(m.groups!.t!) ?? -1n;
    i = MONO.lastIndex;
    const c = at(CALLER, s, i);
    if (c) {
      caller(p, c.groups!.c!, c.groups!.n!);
      i = CALLER.lastIndex;
    }
    if (s.charCodeAt(i) === 32) i++;
    if (!wrapped) {
      mode.journal ??= looksJournal(s, i);
      if (mode.journal) {
        const j = journalIdent(s, i);
        if (j < 0) return 'skip';
        i = j;
      }
    }
  } else if (at(UNTIMED, s, i)) {
    i = UNTIMED.lastIndex;
  } else if (s.charCodeAt(i) === 91) {
    const c = at(CALLER, s, i);
    if (c) {
      caller(p, c.groups!.c!, c.groups!.n!);
      i = CALLER.lastIndex;
      if (s.charCodeAt(i) === 32) i++;
    }
  }
  p.start = i;
  return 'message';
}
