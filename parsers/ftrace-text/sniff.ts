// tracefs text: a `# tracer:` header, or (trace_pipe) event lines with a latency
// column between the CPU and the timestamp, and a single space after `name:`.
//           victim-385     [001] .N.1.    12.512232: mark_victim: pid=385
const EVENT_RE = /^\s*.{0,16}-\d+\s+(?:\(\s*[\d-]+\)\s+)?\[\d{3}\]\s+(?:\(\s*[\d-]+\)\s+)?[.a-zA-Z0-9]{4,5}\s+\d+(?:\.\d+)?: [\w.-]+: /m;
const EVENT_NOIRQ_RE = /^\s*.{0,16}-\d+\s+(?:\(\s*[\d-]+\)\s+)?\[\d{3}\]\s+\d+\.\d{6}: [\w.-]+: (?! {2})/m;

export function sniffFtrace(head: string): number {
  if (/^# tracer: /m.test(head)) return 1;
  if (EVENT_RE.test(head)) return 0.9;
  // trace_pipe with noirq-info looks like trace-cmd report, but its names are not padded.
  if (EVENT_NOIRQ_RE.test(head)) return 0.5;
  return 0;
}
