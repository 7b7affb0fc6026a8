// The first lines of a sniffing head, one at a time. Sniffers test each line on its own
// with regexes that cannot cross a newline: a multiline regex over the whole head
// restarts at every line and, with `\s` spanning newlines, grows quadratically on a head
// of blank lines.

/** Up to `max` lines of `head` (CR before LF removed); `skipPartial` drops a last line with no newline. */
export function headLines(head: string, max: number, skipPartial = false): string[] {
  const out: string[] = [];
  let start = 0;
  while (out.length < max && start < head.length) {
    const nl = head.indexOf('\n', start);
    if (nl < 0 && skipPartial) break;
    const end = nl < 0 ? head.length : nl;
    out.push(head.slice(start, end > start && head.charCodeAt(end - 1) === 13 ? end - 1 : end));
    start = end + 1;
  }
  return out;
}
