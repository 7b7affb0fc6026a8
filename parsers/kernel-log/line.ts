// The prefix of one kernel-log line in each style users bring, and where the
// message starts. Works on the line as latin1 text, so a character index is also
// the byte offset of the message in the line.
//
// Pasted logs carry decoration the kernel never printed: `> ` mail quoting, Markdown
// indentation, a test driver's `machine # ` leader, a `[` lost at the start. It is
// taken off only when a known prefix follows, so dmesg's own indented continuation
// lines (` active_file:…`, stack frames) keep their text.
import { parseSecondsToNs } from '../common/timestamp.ts';
import { monthOf, wallNs, yearFor, zoneOffset, type WallYear } from './wall.ts';

/** What a line is. `partial`: a time prefix cut short (only meaningful on a last line). */
export type LineKind = 'message' | 'skip' | 'boot' | 'partial';

export interface LinePrefix {
  /** Index of the message's first character. */
  start: number;
  /** Monotonic time in integer ns; -1n when the line has none (see reader.ts). */
  ts: bigint;
  /** Wall-clock time in integer ns (its own clock, see wall.ts); -1n when none. */
  wall: bigint;
  /** From a `[C1]` printk caller id, else -1. */
  cpu: number;
  /** From a `[T123]` printk caller id, else -1. */
  pid: number;
  /** A /dev/kmsg record: its message has `\xNN` escapes. */
  kmsg: boolean;
  /** Some prefix (time, syslog or journal header) was recognised. */
  prefixed: boolean;
  /** The time stamp lost its opening `[` (a paste cut at the line start). */
  cutStamp: boolean;
}

/** Per-stream state. */
export interface PrefixMode {
  /** Whether `[time] host ident: msg` lines are a journal's (decided once). */
  journal?: boolean;
  /** Year of year-less syslog stamps. */
  year?: WallYear;
}

export function newPrefix(): LinePrefix {
  return { start: 0, ts: -1n, wall: -1n, cpu: -1, pid: -1, kmsg: false, prefixed: false, cutStamp: false };
}

// -- Boot 5c1e0e3e8f0a4bd2a1d7 --   /   -- Logs begin at Sat 2025-11-22 08:00:01 UTC, end at ... --
const JOURNAL_MARK = /^-- (?:(?<boot>Boot [0-9a-f]+|Reboot)|Logs begin|Journal begins|No entries)/;
// 6,1234,5123456,-;msg   /   4,567,89012345,-,caller=T123;msg
const KMSG = /^\d{1,4},\d+,(?<us>\d{1,15}),[^,;]*(?<extra>,[^;]*)?;/;
// Paste decoration: indentation, `>` quote marks (`> `, `>> `, `> > `), an opening quotation mark.
const DECOR = /[ \t]*(?:[>"'`][ \t]?)*[ \t]*/y;
// <6>[    1.234567] msg
const LEVEL = /<\d{1,3}>/y;
// kern  :info  : [    1.234567] msg   (dmesg -x)
const DMESG_X = /(?:kern|user|mail|daemon|auth|syslog|lpr|news|uucp|cron|authpriv|ftp|res\d|local[0-7]) *:(?:emerg|alert|crit|err|warn|notice|info|debug) *: /y;
// Nov 22 08:56:09 (syslog, journalctl short; a localized month name too)   /   Nov 22 08:56:09.123456 (short-precise)
const SYSLOG = /(?<mon>[A-Za-z\u00c0-\u024f\u0400-\u04ff]{3,9}\.?) (?<day>[ \d]?\d) (?<h>\d\d):(?<mi>\d\d):(?<s>\d\d)(?:\.(?<f>\d{1,9}))? /y;
// 2025-11-22T08:56:09+0000, 2025-11-22T08:56:09.123456+01:00 (short-iso, RFC 5424), 2025-11-22T08:56:09,123456+00:00 (dmesg iso)
const ISO = /(?<y>\d{4})-(?<mo>\d\d)-(?<d>\d\d)T(?<h>\d\d):(?<mi>\d\d):(?<s>\d\d)(?:[.,](?<f>\d{1,9}))?(?<z>Z|[+-]\d\d:?\d\d)? /y;
// Sat 2025-11-22 08:56:09 UTC (short-full)
const FULL = /[A-Z][a-z]{2} (?<y>\d{4})-(?<mo>\d\d)-(?<d>\d\d) (?<h>\d\d):(?<mi>\d\d):(?<s>\d\d)(?:\.(?<f>\d{1,9}))? (?<z>[\w+-]{1,8}) /y;
// 1763801769.123456 (short-unix)
const UNIX = /(?<s>\d{9,12})\.(?<f>\d{1,9}) /y;
// host kernel: msg   /   host systemd[1]: msg
const HOST_IDENT = /[^\s\[\]:]+ (?<ident>[^\s\[\]:]+)(?:\[\d+\])?: /y;
// [    5.123456] msg   /   [    5.123456 <    0.000123>] msg   (dmesg -d)
const MONO = /\[ *(?<t>\d{1,15}\.\d{1,9})(?: <[^>]*>)?\]/y;
// 5.123456] msg: the same with its `[` lost
const CUT_MONO = /(?<t>\d{1,15}\.\d{6,9})\] /y;
// [    5.123456][  T123] msg   /   [    5.123456] [T123] msg   (CONFIG_PRINTK_CALLER)
const CALLER = / ?\[ *(?<c>[TC])(?<n>\d{1,10})\]/y;
// [Sat Nov 22 08:56:09 2025] msg (dmesg -T, any locale: `[Mi Dez  6 …]`, `[四 12月  7 …]`)
const DMESG_T = /\[(?<wd>[^\s\]]{1,12}) +(?<mon>[^\s\]]{1,12}) +(?<d>\d{1,2}) (?<h>\d\d):(?<mi>\d\d):(?<s>\d\d) (?<y>\d{4})\] ?/y;
// [Nov22 08:56] / [  +0.000123] msg (-e)   [<    0.000123>] msg (-d -t)
const UNTIMED = /\[(?:[A-Z][a-z]{2}\d{1,2} \d\d:\d\d|[ \d]*[+-]\d+\.\d+|< *\d+\.\d+>)\] ?/y;
// A monotonic stamp after a foreign leader (`percona # [ 16.8] …`, `… Guest: <6>[ 16.8] …`).
const LED_MONO = /(?:<\d{1,3}>)?\[ *\d{1,15}\.\d{6,9}\] /g;
// [    5.12   (a timed line cut short)
const PARTIAL = /^(?:<\d{1,3}>)?\[ *[\d.]*$/;
/** How far into a line a foreign leader may reach. */
const MAX_LEADER = 160;

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

const num = (g: Record<string, string | undefined>, k: string): number => Number(g[k]);

/** A syslog / journal / ISO wall-clock stamp at `i`: its end, with `p.wall` set; -1 when none. */
function wallStamp(s: string, i: number, p: LinePrefix, mode: PrefixMode): number {
  const c = s.charCodeAt(i);
  if (c >= 48 && c <= 57) {
    let m = at(ISO, s, i);
    if (m) {
      const g = m.groups!;
      p.wall = wallNs(num(g, 'y'), num(g, 'mo'), num(g, 'd'), num(g, 'h'), num(g, 'mi'), num(g, 's'), g.f, zoneOffset(g.z)) ?? -1n;
      return ISO.lastIndex;
    }
    m = at(UNIX, s, i);
    if (m) {
      p.wall = BigInt(m.groups!.s!) * 1_000_000_000n + BigInt(m.groups!.f!.padEnd(9, '0'));
      return UNIX.lastIndex;
    }
    return -1;
  }
  let m = at(FULL, s, i);
  if (m) {
    const g = m.groups!;
    p.wall = wallNs(num(g, 'y'), num(g, 'mo'), num(g, 'd'), num(g, 'h'), num(g, 'mi'), num(g, 's'), g.f, zoneOffset(g.z)) ?? -1n;
    return FULL.lastIndex;
  }
  m = at(SYSLOG, s, i);
  if (m) {
    const g = m.groups!;
    const mon = monthOf(g.mon!);
    if (mon === undefined) return -1;
    const year = yearFor((mode.year ??= { year: 2000, lastMonth: 0 }), mon);
    p.wall = wallNs(year, mon, Number(g.day!.trim()), num(g, 'h'), num(g, 'mi'), num(g, 's'), g.f) ?? -1n;
    return SYSLOG.lastIndex;
  }
  return -1;
}

function reset(p: LinePrefix): void {
  p.start = 0;
  p.ts = -1n;
  p.wall = -1n;
  p.cpu = -1;
  p.pid = -1;
  p.kmsg = false;
  p.prefixed = false;
  p.cutStamp = false;
}

/** Fills `p` for the line `s`; see LineKind. */
export function parsePrefix(s: string, p: LinePrefix, mode: PrefixMode): LineKind {
  reset(p);
  const k = KMSG.exec(s);
  if (k) {
    p.ts = BigInt(k.groups!.us!) * 1000n;
    const c = /,caller=([TC])(\d{1,10})/.exec(k.groups!.extra ?? '');
    if (c) caller(p, c[1]!, c[2]!);
    p.kmsg = true;
    p.prefixed = true;
    p.start = k[0].length;
    return 'message';
  }
  if (PARTIAL.test(s)) return 'partial';
  const d = at(DECOR, s, 0)![0];
  const quoted = d.includes('>');
  let kind = prefixAt(s, d.length, p, mode);
  if (!p.prefixed && d.length > 0 && !quoted) {
    // Indentation with no prefix behind it is the message's own (a continuation line).
    kind = prefixAt(s, 0, p, mode);
  }
  if (!p.prefixed && kind === 'message') leader(s, p, mode);
  return kind;
}

/**
 * A foreign leader before a monotonic stamp: the line is taken from the stamp on
 * when nothing else was recognised and the leader holds no `[` of its own.
 */
function leader(s: string, p: LinePrefix, mode: PrefixMode): void {
  LED_MONO.lastIndex = 0;
  const m = LED_MONO.exec(s.length > MAX_LEADER + 40 ? s.slice(0, MAX_LEADER + 40) : s);
  if (!m || m.index === 0 || m.index > MAX_LEADER) return;
  const lead = s.slice(0, m.index);
  if (lead.includes('[') || !/[\s:]$/.test(lead)) return;
  const q = newPrefix();
  prefixAt(s, m.index, q, mode);
  if (q.ts < 0n) return;
  Object.assign(p, q);
}

function prefixAt(s: string, i: number, p: LinePrefix, mode: PrefixMode): LineKind {
  if (s.startsWith('-- ', i)) {
    const j = JOURNAL_MARK.exec(s.slice(i));
    if (j) {
      p.prefixed = true;
      return j.groups!.boot ? 'boot' : 'skip';
    }
  }
  const i0 = i;
  if (at(LEVEL, s, i)) i = LEVEL.lastIndex;
  if (at(DMESG_X, s, i)) i = DMESG_X.lastIndex;
  // Set once a journal/syslog `host kernel: ` was consumed: what follows is the message.
  let wrapped = false;
  if (s.startsWith('kernel: ', i)) {
    // A bare `kernel: ` (journal lines with time and host cut off).
    i += 8;
    wrapped = true;
  } else {
    const w = wallStamp(s, i, p, mode);
    if (w >= 0) {
      const j = journalIdent(s, w);
      if (j < 0) {
        p.prefixed = true;
        return 'skip';
      }
      wrapped = j > w;
      if (wrapped) mode.journal ??= true;
      i = j;
    }
  }
  const m = at(MONO, s, i);
  const cm = m ? null : i === i0 ? at(CUT_MONO, s, i) : null;
  if (m || cm) {
    p.ts = parseSecondsToNs((m ?? cm)!.groups!.t!) ?? -1n;
    p.cutStamp = cm !== null;
    i = m ? MONO.lastIndex : CUT_MONO.lastIndex - 1;
    const c = at(CALLER, s, i);
    if (c) {
      caller(p, c.groups!.c!, c.groups!.n!);
      i = CALLER.lastIndex;
    }
    if (s.charCodeAt(i) === 32) i++;
    if (!wrapped) {
      if (s.startsWith('kernel: ', i)) {
        // journalctl -o short-monotonic without the host name
        i += 8;
      } else {
        mode.journal ??= looksJournal(s, i);
        if (mode.journal) {
          const j = journalIdent(s, i);
          if (j < 0) {
            p.prefixed = true;
            return 'skip';
          }
          i = j;
        }
      }
    }
  } else {
    const t = at(DMESG_T, s, i);
    const mon = t ? monthOf(t.groups!.mon!) : undefined;
    if (t && mon !== undefined) {
      const g = t.groups!;
      p.wall = wallNs(num(g, 'y'), mon, num(g, 'd'), num(g, 'h'), num(g, 'mi'), num(g, 's')) ?? -1n;
      i = DMESG_T.lastIndex;
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
  }
  p.prefixed = i > i0 && (wrapped || p.ts >= 0n || p.wall >= 0n || p.pid >= 0 || p.cpu >= 0 || i - i0 > 0);
  p.start = i;
  return 'message';
}
