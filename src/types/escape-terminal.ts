// The terminal channel (check, timeline, compare, parse --stats, and every message on
// stderr that quotes input). Process names, cgroup paths, event names and input lines
// are attacker-controlled: a raw ESC or C1 byte drives the terminal, and a bidi
// override (U+202E) reorders what follows it, so `evil` reads `live`. Each such code
// point is shown as a visible escape instead: \x1b, \x9b, \u202e. Tab, CR and LF
// within one value are escaped too: a value never starts a new line or column.

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** `\xNN` below U+0100, `\uNNNN` above: the escape as a reader would type it. */
export function visibleEscape(c: string): string {
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `s` with every control character and bidi override made a visible escape. */
export function terminalSafe(s: string): string {
  return s.replace(UNSAFE, visibleEscape);
}

/** Whether `s` holds a code point terminalSafe() would escape. */
export function hasUnsafe(s: string): boolean {
  UNSAFE.lastIndex = 0;
  const found = UNSAFE.test(s);
  UNSAFE.lastIndex = 0;
  return found;
}
