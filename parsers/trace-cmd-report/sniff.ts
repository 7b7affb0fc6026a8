// trace-cmd report: `cpus=N` first, and event names padded so the text starts 22
// columns after the name:
//           victim-385   [001]    12.506570: console:              Memory cgroup stats for
const EVENT_RE = /^\s*.{0,16}-\d+\s+(?:\(\s*[\d-]+\)\s+)?\[\d{3}\]\s+(?:[.a-zA-Z0-9]{4,5}\s+)?\d+(?:\.\d+)?: ([\w.-]+):( +)/gm;

export function sniffTraceCmd(head: string): number {
  if (/^cpus=\d+\s*$/m.test(head.slice(0, 200))) return 1;
  // Without the header, padding decides: `name:` then spaces up to column 22.
  let padded = 0;
  let seen = 0;
  for (const m of head.matchAll(EVENT_RE)) {
    seen++;
    if (m[1]!.length + 1 + m[2]!.length >= 22 || m[1]!.length >= 20) padded++;
    if (seen >= 50) break;
  }
  return seen > 0 && padded === seen ? 0.8 : 0;
}
