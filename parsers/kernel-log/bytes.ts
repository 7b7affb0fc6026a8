// Byte-level checks and rewrites of one kernel-log line: binary detection, colour
// escapes (`dmesg --color=always`), and the `\xNN` escapes of /dev/kmsg records.

/** `escapes`: ESC bytes only (colour sequences to strip). */
export type Control = 'none' | 'escapes' | 'binary';

/**
 * Tabs and CR are text; ESC is colour. A NUL byte, or control bytes making up more
 * than a quarter of the line, mean binary; a few other C0 bytes or DEL are text (a
 * process may put them in its comm, and the kernel prints comms raw).
 */
export function scanControl(buf: Buffer, start: number, end: number): Control {
  let r: Control = 'none';
  let ctl = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c >= 32 && c !== 127) continue;
    if (c === 9 || c === 13) continue;
    if (c === 0) return 'binary';
    if (c === 27) r = 'escapes';
    else ctl++;
  }
  return ctl * 4 > end - start ? 'binary' : r;
}

/** The line without ANSI CSI sequences (`\x1b[1;32m`); other ESC bytes are dropped too. */
export function stripEscapes(buf: Buffer, start: number, end: number): Buffer {
  const out = Buffer.allocUnsafe(end - start);
  let n = 0;
  let i = start;
  while (i < end) {
    const c = buf[i]!;
    if (c !== 27) {
      out[n++] = c;
      i++;
      continue;
    }
    i++;
    if (i < end && buf[i] === 91) {
      i++;
      // Parameter and intermediate bytes, then one final byte (0x40–0x7e).
      while (i < end && (buf[i]! < 0x40 || buf[i]! > 0x7e)) i++;
      i++;
    }
  }
  return out.subarray(0, n);
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * /dev/kmsg escapes every byte below 0x20, from 0x7f up, and `\` itself as `\xNN`;
 * undoing it per byte restores the message's UTF-8 and its embedded newlines.
 */
export function unescapeKmsg(buf: Buffer, start: number, end: number): Buffer {
  const first = buf.indexOf(92, start);
  if (first < 0 || first >= end) return buf.subarray(start, end);
  const out = Buffer.allocUnsafe(end - start);
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c === 92 && i + 3 < end && buf[i + 1] === 120) {
      const h = hexVal(buf[i + 2]!);
      const l = hexVal(buf[i + 3]!);
      if (h >= 0 && l >= 0) {
        out[n++] = h * 16 + l;
        i += 3;
        continue;
      }
    }
    out[n++] = c;
  }
  return out.subarray(0, n);
}

/** True when every byte is ASCII (the common case: decode as latin1, no UTF-8 check). */
export function isAscii(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i]! >= 0x80) return false;
  return true;
}

/** rsyslog's `#ooo` escapes of control characters (`#011` tab, `#012` newline) undone. */
export function unescapeRsyslog(text: string): string {
  let out = '';
  let from = 0;
  let i = text.indexOf('#0');
  while (i >= 0 && i + 3 < text.length + 0) {
    const a = text.charCodeAt(i + 2);
    const b = text.charCodeAt(i + 3);
    if (a >= 48 && a <= 51 && b >= 48 && b <= 55) {
      out += text.slice(from, i) + String.fromCharCode((a - 48) * 8 + (b - 48));
      from = i + 4;
      i = text.indexOf('#0', from);
    } else {
      i = text.indexOf('#0', i + 1);
    }
  }
  return from === 0 ? text : out + text.slice(from);
}
