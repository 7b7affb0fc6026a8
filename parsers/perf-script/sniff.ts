// perf script prints `system:event:` after the timestamp and no latency column;
// tracefs text and trace-cmd report print `comm-pid` and the bare event name:
//           victim   384 [001]    12.455582:           oom:mark_victim: pid=384     (perf script)
//           victim-385     [001] .N.1.    12.512232: mark_victim: pid=385          (tracefs)
const PERF_EVENT_RE = /^.{0,80}? -?\d+(?:\/-?\d+)? +\[-?\d+\] +\d+(?:\.\d+)?: +(?:[^\s:]+:[^\s:]+:(?: |$)|PERF_RECORD_)/;
// Sample events: `[cpu]` only for per-CPU recordings, the period before the event name:
//             perf  1234 [001] 12345.678901:     250000 cpu-clock:pppH:  ffffffff8100abcd native_safe_halt+0xd ([kernel.kallsyms])
//           stress  4242  1234.567890:   1 page-faults:u:
const SAMPLE_RE = /^.{0,80}? -?\d+(?:\/-?\d+)? +(?:\[-?\d+\] +)?\d+\.\d+: +\d+ +[\w.-]+(?::[\w]*)*:(?: |$)/;
// A callchain frame line under a sample: `\tffffffff8123abcd clear_page_erms+0x7 ([kernel.kallsyms])`
const CHAIN_RE = /^\s+[0-9a-f]{4,16}(?: |$)/;
const SAMPLE_LINES = 200;

/** Confidence that `head` is perf script output: the share of its first lines that are perf event lines. */
export function sniffPerfScript(head: string): number {
  if (/^# tracer: /m.test(head) || /^cpus=\d+\s*$/m.test(head.slice(0, 200))) return 0;
  let perf = 0;
  let other = 0;
  let start = 0;
  for (let n = 0; n < SAMPLE_LINES && start < head.length; n++) {
    const nl = head.indexOf('\n', start);
    // The head is cut at an arbitrary byte: its last, partial line says nothing.
    if (nl < 0) break;
    const line = head.slice(start, nl);
    start = nl + 1;
    if (line.trim() === '' || line.startsWith('#') || CHAIN_RE.test(line)) continue;
    if (PERF_EVENT_RE.test(line) || SAMPLE_RE.test(line)) perf++;
    else other++;
  }
  if (perf === 0) return 0;
  // Continuation lines (a memcg statistics block) can outnumber events in a short head.
  return perf >= other ? 0.95 : 0.6;
}
