// trace-cmd report: `cpus=N` first (after each file's name when several are read), and event names padded so the text starts 22
// columns after the name:
//           victim-385   [001]    12.506570: console:              Memory cgroup stats for
// Each line is tested on its own (head-lines.ts): linear in the head's size.
import { eachHeadLine } from '../common/head-lines.ts';
import { CPUS_RE, NAMED_CPUS_RE } from './markers.ts';

const EVENT_RE = /^[ \t]*.{0,16}-\d+[ \t]+(?:\([ \t]*[\d-]+\)[ \t]+)?\[\d{3}\][ \t]+(?:[.a-zA-Z0-9]{4,5}[ \t]+)?\d+(?:\.\d+)?: ([\w.-]+):( +)/;
// The head is at most 64 KiB: every line of it is read, as the multiline regex did.
const MAX_LINES = Infinity;

export function sniffTraceCmd(head: string): number {
  let cpus = false;
  eachHeadLine(head.slice(0, 200), 20, (l) => (cpus = CPUS_RE.test(l)));
  // `a.dat: cpus=2` of `report -i a.dat -i b.dat`: two files at least, the first two lines both name one.
  let named = 0;
  eachHeadLine(head.slice(0, 2400), 2, (l) => {
    if (NAMED_CPUS_RE.test(l)) named++;
  });
  cpus ||= named === 2;
  if (cpus) return 1;
  // Without the header, padding decides: `name:` then spaces up to column 22.
  let padded = 0;
  let seen = 0;
  eachHeadLine(head, MAX_LINES, (line) => {
    const m = line.length === 0 ? null : EVENT_RE.exec(line);
    if (!m) return false;
    seen++;
    if (m[1]!.length + 1 + m[2]!.length >= 22 || m[1]!.length >= 20) padded++;
    return seen >= 50;
  });
  return seen > 0 && padded === seen ? 0.8 : 0;
}
