// tracefs text: a `# tracer:` header, or (trace_pipe) event lines with a latency
// column between the CPU and the timestamp, and a single space after `name:`.
//           victim-385     [001] .N.1.    12.512232: mark_victim: pid=385
// Each line is tested on its own (head-lines.ts): linear in the head's size.
import { eachHeadLine } from '../common/head-lines.ts';

const EVENT_RE = /^[ \t]*.{0,16}-\d+[ \t]+(?:\([ \t]*[\d-]+\)[ \t]+)?\[\d{3}\][ \t]+(?:\([ \t]*[\d-]+\)[ \t]+)?[.a-zA-Z0-9]{4,5}[ \t]+\d+(?:\.\d+)?: [\w.-]+: /;
const EVENT_NOIRQ_RE = /^[ \t]*.{0,16}-\d+[ \t]+(?:\([ \t]*[\d-]+\)[ \t]+)?\[\d{3}\][ \t]+\d+\.\d{6}: [\w.-]+: (?! {2})/;

export function sniffFtrace(head: string): number {
  let header = false;
  let event = false;
  let noirq = false;
  // The head is at most 64 KiB: every line of it is read, as the multiline regex did.
  eachHeadLine(head, Infinity, (line) => {
    if (line.length === 0) return;
    if (line.startsWith('# tracer: ')) header = true;
    else if (!event && EVENT_RE.test(line)) event = true;
    else if (!event && !noirq && EVENT_NOIRQ_RE.test(line)) noirq = true;
    return header;
  });
  if (header) return 1;
  if (event) return 0.9;
  // trace_pipe with noirq-info looks like trace-cmd report, but its names are not padded.
  return noirq ? 0.5 : 0;
}
