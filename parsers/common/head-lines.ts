// The lines of a sniffing head, one at a time. Sniffers test each line on its own
// with regexes that cannot cross a newline: a multiline regex over the whole head
// restarts at every line and, with `\s` spanning newlines, grows quadratically on a head
// of blank lines. No array of lines is built (on a head of blank lines that costs more
// than the tests).

/**
 * Calls `visit` with each of the first `max` lines of `head` (CR before LF removed)
 * until it returns true; `skipPartial` leaves out a last line with no newline.
 */
export function eachHeadLine(head: string, max: number, visit: (line: string) => boolean | void, skipPartial = false): void {
  let start = 0;
  for (let n = 0; n < max && start < head.length; n++) {
    const nl = head.indexOf('\n', start);
    if (nl < 0 && skipPartial) return;
    const end = nl < 0 ? head.length : nl;
    const line = end === start ? '' : head.slice(start, head.charCodeAt(end - 1) === 13 ? end - 1 : end);
    if (visit(line) === true) return;
    start = end + 1;
  }
}
