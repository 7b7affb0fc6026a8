// Kernel-log sniffing: the share of lines that carry a kernel-log prefix (or are a
// banner / `uname -a` line). Trace text (ftrace, trace-cmd report, perf script)
// has a `[000]` CPU column and `name: ` fields, and printk text only inside
// `console:` events, so its lines never start with these prefixes.

const KERNEL_LINE = [
  // [    5.123456] msg   /   <6>[    5.123456] msg   /   kern  :info  : [    5.123456] msg
  /^(?:<\d{1,3}>)?(?:[a-z0-9]+ *:[a-z]+ *: )?\[ *\d{1,15}\.\d{6,9}(?: <[^>]*>)?\]/,
  // kern  :info  : msg   (dmesg -x without times)
  /^(?:kern|user|daemon|syslog|local[0-7]) *:(?:emerg|alert|crit|err|warn|notice|info|debug) *: /,
  // 6,1234,5123456,-;msg   (/dev/kmsg)
  /^\d{1,4},\d+,\d+,[^;,]*(?:,[^;]*)?;/,
  // Nov 22 08:56:09 host kernel: msg   /   2025-11-22T08:56:09+0000 host kernel: msg   /   Sat 2025-11-22 08:56:09 UTC host kernel: msg
  /^(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)?|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:[+-]\d\d:?\d\d|Z)?|[A-Z][a-z]{2} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? [\w+-]+|\d{9,12}\.\d+) \S+ kernel: /,
  // [Sat Nov 22 08:56:09 2025] msg   (dmesg -T)
  /^\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\] /,
  // 2025-11-22T08:56:09,123456+00:00 msg   (dmesg --time-format iso)
  /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d,\d+/,
  // -- Boot 5c1e0e3e8f0a4bd2 --   /   -- Logs begin at ...
  /^-- (?:Boot [0-9a-f]+|Reboot|Logs begin|Journal begins|No entries)/,
  // Linux version 6.1.0-56-amd64 (...)   /   Linux host 6.1.0-56-amd64 #1 SMP ...
  /^Linux (?:version \S+ |\S+ \d\S* #\d)/,
  // kernel: msg   (journal lines with time and host cut off)   /   [  638074.104526] kernel: msg
  /^(?:\[ *\d{1,15}\.\d{6,9}\] )?kernel: /,
  // Nov 22 08:56:09 host kernel: msg in a localized month (`avril 16 21:08:50 h kernel:`)
  /^[^\s\d\[\]]{3,10} [ \d]?\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ kernel: /,
  // [Mi Dez  6 10:00:00 2023] msg   (dmesg -T in another locale)
  /^\[[^\s\]]{1,12} +[^\s\]]{1,12} +\d{1,2} \d\d:\d\d:\d\d \d{4}\] /,
  // 5.123456] msg   (a paste that lost the `[`)
  /^\d{1,15}\.\d{6,9}\] /,
  // {"__CURSOR" : "s=…", … "MESSAGE" : …}   (journalctl -o json)   /   __CURSOR=s=…   (-o export)
  /^\{\s*"(?:__CURSOR|__REALTIME_TIMESTAMP|_TRANSPORT|MESSAGE|PRIORITY|_BOOT_ID)"\s*:|^__CURSOR=s=|^__REALTIME_TIMESTAMP=\d+$/,
];

// Paste decoration (`> ` quoting, indentation) before a line's prefix.
const DECOR = /^[ \t]*(?:>[ \t]?)*[ \t]*/;
// A foreign leader before a printk stamp: `percona # [   16.8] …`, `Jul 611:39:55 h kernel: [1.0] …`
const LEADER_MONO = /^[^\[]{1,160}?[\s:](?:<\d{1,3}>)?\[ *\d{1,15}\.\d{6,9}\] /;

// victim-385 [001] d.... 12.49: console: ...   /   victim 385 [001] 12.49: printk:console: ...
const TRACE_LINE = /\[\d{3}\]\s+(?:[.a-zA-Z0-9]{4,5}\s+)?\d+(?:\.\d+)?:\s+[\w:.-]+:\s/;
// Messages only a kernel log has at the start of a line, for untimed `dmesg -t`:
// victim invoked oom-killer: ...   /   Call Trace:   /   CPU: 1 PID: 385 Comm: victim Tainted: ...
const KERNEL_WORDS = /^(?:\S.* invoked oom-killer: |(?:[\w ()]+: )?Killed process \d|oom_reaper: |oom-kill:constraint=|Call Trace:|CPU: \d+ (?:UID: \d+ )?PID: \d+ Comm: )/;

// ` SUBSYSTEM=pci` under a /dev/kmsg record
const KMSG_DICT = /^ [A-Z0-9_]+=/;

const MAX_LINES = 400;

export function sniffKernelLog(head: string): number {
  if (/^# tracer: |^cpus=\d+\s*$/m.test(head.slice(0, 4096))) return 0;
  let lines = 0;
  let kernel = 0;
  let words = 0;
  let trace = 0;
  for (const raw of head.split('\n', MAX_LINES)) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    // Blank lines and /dev/kmsg dictionary lines (` SUBSYSTEM=pci`) say nothing either way.
    if (!line || KMSG_DICT.test(line)) continue;
    lines++;
    const bare = line.replace(DECOR, '');
    if (TRACE_LINE.test(line)) trace++;
    else if (KERNEL_LINE.some((re) => re.test(bare)) || LEADER_MONO.test(bare)) kernel++;
    else if (KERNEL_WORDS.test(bare)) words++;
  }
  if (lines === 0 || trace * 4 > lines) return 0.05;
  const share = kernel / lines;
  if (share >= 0.8) return 0.95;
  if (share >= 0.5) return 0.8;
  if (kernel + words > 0 && trace === 0) return 0.55;
  return 0.1 * share;
}
