// The one classifier of kernel log lines (printk messages): typed fields for the lines
// the OOM model reads (docs/model.md#domains),
// in every kernel version's wording. The text is one printk message: a kernel-log
// line without its prefix, or a `printk:console` event, which up to 5.18 still
// carries the `[secs.usec] ` prefix (kept as `log_ts`) and from 5.19 arrives in
// KERN_CONT fragments (see `oom_summary_part`). Only the first line is read.
//
// Comms and cgroup paths are text the attacker chose: they are kept as strings and
// matched greedily or lazily so that the fixed text around them (which always
// follows them) decides where they end; numbers anchored at the end stay reliable.
//
// It lives with the parsers because the kernel-log reader needs it while reading (to
// rejoin a wrapped OOM line, and to narrow the version from the line formats); the
// `printk:console` decoder of src/normalize uses the same function.
import type { FieldValue, Fields } from '../../src/types/event.ts';
import { BOOT_BANNER } from './kernel-release.ts';

type Groups = Record<string, string | undefined>;
type Rule = [RegExp, (g: Groups) => Fields];

/** An integer as a number when it fits, else a bigint (`%lu`/`%llu` can exceed 2^53). */
function int(s: string): number | bigint {
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : BigInt(s);
}

/** Adds the fields whose group matched; `conv` turns the digits into a number. */
function pick(g: Groups, names: Record<string, string>, conv = false): Fields {
  const f: Fields = {};
  for (const [field, group] of Object.entries(names)) {
    const v = g[group];
    if (v !== undefined) f[field] = conv ? int(v) : v;
  }
  return f;
}

/** `%pS`: `mnt_invalidate_range_start+0x0/0x110 [mntest]`, or a bare address when unresolved. */
const SYM = String.raw`(?:(?<sym>[^\s+]+)\+0x(?<off>[0-9a-f]+)/0x(?<size>[0-9a-f]+)|(?<addr>0x[0-9a-f]+))(?: \[(?<mod>[^\]\s]+)(?: [0-9a-f]+)?\])?`;

function sym(g: Groups): Fields {
  const f: Fields = { symbol: g.sym ?? g.addr! };
  if (g.off !== undefined) {
    f.offset = parseInt(g.off, 16);
    f.size = parseInt(g.size!, 16);
  }
  if (g.mod !== undefined) f.module = g.mod;
  return f;
}

// A node list (`%*pbl`): 0-1,3   or a NULL mask: (null)
const NODES = String.raw`\(null\)|[\d,-]*`;
// anon-rss:0kB, file-rss:0kB, shmem-rss:0kB
const RSS = String.raw`anon-rss:(?<anon>\d+)kB, file-rss:(?<file>\d+)kB, shmem-rss:(?<shmem>\d+)kB`;
const rss = (g: Groups): Fields => pick(g, { anon_rss_kb: 'anon', file_rss_kb: 'file', shmem_rss_kb: 'shmem' }, true);
const task = (g: Groups): Fields => ({ pid: Number(g.pid), comm: g.comm! });

const RULES: Rule[] = [
  // victim invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0
  // stress invoked oom-killer: gfp_mask=0x14200ca(GFP_HIGHUSER_MOVABLE), nodemask=(null), order=0, oom_score_adj=0
  // apache2 invoked oom-killer: gfp_mask=0x200da, order=0, oom_adj=0   (<=2.6.35)
  [new RegExp(String.raw`^(?<comm>.*) invoked oom-killer: gfp_mask=(?<gfp>0x[0-9a-f]+|0)(?:\((?<flags>[^)]*)\))?, (?:nodemask=(?<nodes>${NODES}), ? ?)?order=(?<order>-?\d+), (?:oom_score_adj=(?<adj>-?\d+)|oom_adj=(?<oadj>-?\d+))$`),
    (g) => ({ kind: 'oom_invoked', comm: g.comm!, gfp_mask: g.gfp!, ...pick(g, { gfp_flags: 'flags', nodemask: 'nodes' }), order: Number(g.order), ...pick(g, { oom_score_adj: 'adj', oom_adj: 'oadj' }, true) })],
  // First and last KERN_CONT fragments of the line above (printk:console from 5.19):
  // oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null)
  [new RegExp(String.raw`^oom-kill:constraint=(?<c>\w+),nodemask=(?<nodes>${NODES})$`), (g) => ({ kind: 'oom_summary_part', constraint: g.c!, nodemask: g.nodes! })],
  // ,task=victim,pid=385,uid=0
  [/^,task=(?<comm>.*),pid=(?<pid>\d+),uid=(?<uid>-?\d+)$/, (g) => ({ kind: 'oom_summary_part', task: g.comm!, pid: Number(g.pid), uid: Number(g.uid) })],
  // oom killer 4242 (stress) has mm pinned by 1 (systemd)
  [/^oom killer (?<pid>\d+) \((?<comm>.*)\) has mm pinned by (?<pp>\d+) \((?<pc>.*)\)$/,
    (g) => ({ kind: 'oom_mm_pinned', ...task(g), pinned_by_pid: Number(g.pp), pinned_by_comm: g.pc! })],
  // Tasks in /batch.slice/job42 are going to be killed due to memory.oom.group set
  [/^Tasks in (?<cg>.*) are going to be killed due to memory\.oom\.group set$/, (g) => ({ kind: 'oom_group_kill', cgroup: g.cg! })],
  // oom_reaper: reaped process 4242 (stress), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB
  [new RegExp(String.raw`^oom_reaper: reaped process (?<pid>\d+) \((?<comm>.*)\), now ${RSS}$`), (g) => ({ kind: 'oom_reaped', ...task(g), ...rss(g) })],
  // oom_reaper: unable to reap pid:385 (victim)
  [/^oom_reaper: unable to reap pid:(?<pid>\d+) \((?<comm>.*)\)$/, (g) => ({ kind: 'oom_unable_to_reap', ...task(g) })],
  // mnt_invalidate_range_start+0x0/0x110 [mntest] callback failed with -11 in non-blockable context.
  [new RegExp(String.raw`^${SYM} callback failed with (?<err>-?\d+) in (?<non>non-)?blockable context\.$`),
    (g) => ({ kind: 'notifier_failed', ...sym(g), errno: Number(g.err), blockable: g.non === undefined })],
  // Task in /oomlab killed as a result of limit of /oomlab
  [/^Task in (?<t>.*) killed as a result of limit of (?<m>.*)$/, (g) => ({ kind: 'memcg_task_in', task_memcg: g.t!, oom_memcg: g.m! })],
  // Memory limit reached of cgroup /syz0
  [/^Memory limit reached of cgroup (?<m>.*)$/, (g) => ({ kind: 'memcg_limit_reached', oom_memcg: g.m! })],
  // memory: usage 65536kB, limit 65536kB, failcnt 78
  [/^(?<c>memory|memory\+swap|swap|kmem): usage (?<u>\d+)kB, limit (?<l>\d+)kB, failcnt (?<f>\d+)$/,
    (g) => ({ kind: 'memcg_usage', counter: g.c!, usage_kb: int(g.u!), limit_kb: int(g.l!), failcnt: int(g.f!) })],
  // Memory cgroup stats for /oomlab:   (≤4.19: the statistics follow on the same line)
  [/^Memory cgroup stats for (?<m>.*?):(?: \w+:\d+KB.*)?$/, (g) => ({ kind: 'memcg_stats', memcg: g.m! })],
  // stress cpuset=/ mems_allowed=0   (≤4.18, after "invoked oom-killer")
  [new RegExp(String.raw`^(?<comm>.*) cpuset=(?<cs>.*) mems_allowed=(?<mems>${NODES})$`), (g) => ({ kind: 'oom_cpuset', comm: g.comm!, cpuset: g.cs!, mems_allowed: g.mems! })],
  // Out of memory and no killable processes...
  [/^Out of memory and no killable processes\.\.\.$/, () => ({ kind: 'oom_no_victim', sysrq: false })],
  // OOM request ignored. No task eligible
  [/^OOM request ignored\. No task eligible$/, () => ({ kind: 'oom_no_victim', sysrq: true })],
  // sysrq: Manual OOM execution   (≤4.x: "SysRq : Manual OOM execution")
  [/^(?:sysrq: |SysRq : )?Manual OOM execution$/, () => ({ kind: 'sysrq_oom' })],
  // WARNING: CPU: 0 PID: 31 at mm/mmu_notifier.c:510 __mmu_notifier_invalidate_range_start.cold+0x3c/0x52
  // WARNING: CPU: 1 PID: 1 at kernel/foo.c:12 foo+0x1/0x2 [mod]()   (≤4.x appends "()")
  [new RegExp(String.raw`^WARNING: (?:CPU: (?<cpu>\d+) PID: (?<pid>\d+) )?at (?:(?<file>\S+):(?<line>\d+) )?${SYM}(?:\(\))?$`),
    (g) => ({ kind: 'warning', ...pick(g, { file: 'file' }), ...pick(g, { line: 'line', cpu: 'cpu', pid: 'pid' }, true), ...sym(g) })],
  // WARNING: mm/mmu_notifier.c:495 at __mmu_notifier_invalidate_range_start+0x1c0/0x230, CPU#1: oom_reaper/31   (newest kernels)
  [new RegExp(String.raw`^WARNING: (?:(?<file>\S+):(?<line>\d+) )?at ${SYM}, CPU#(?<cpu>\d+): (?<comm>.*)/(?<pid>\d+)$`),
    (g) => ({ kind: 'warning', ...pick(g, { file: 'file' }), ...pick(g, { line: 'line', cpu: 'cpu', pid: 'pid' }, true), ...sym(g), comm: g.comm! })],
  [BOOT_BANNER, (g) => ({ kind: 'kernel_version', release: g.rel! })],
];

// Lines whose fields are attacker-controlled text between fixed words (comms, cgroup
// paths) are read by scanners that locate the fixed words with indexOf and use regexes
// only on anchored tails: each line is read in linear time, whatever it holds.

/** `<prefix>: <phrase>…` or `<phrase>…`: the prefix and the text from the phrase on. */
function afterPrefix(line: string, phrase: string): { prefix?: string; rest: string } | undefined {
  const i = line.indexOf(phrase);
  if (i < 0) return undefined;
  if (i === 0) return { rest: line };
  if (i < 2 || line.charCodeAt(i - 2) !== 58 || line.charCodeAt(i - 1) !== 32) return undefined;
  return { prefix: line.slice(0, i - 2), rest: line.slice(i) };
}

// Killed process 4242 (stress) total-vm:…kB, anon-rss:…kB, file-rss:…kB[, shmem-rss:…kB][, UID:%u pgtables:%lukB oom_score_adj:%hd]
// Killed process 42452 (memcg_test_1), UID 0, total-vm:7296kB, anon-rss:96kB, file-rss:164kB, shmem-rss:0kB   (RHEL/CentOS 7)
const KILL = new RegExp(String.raw`^Killed process (?<pid>\d+) \((?<comm>.*)\)(?<el7>, UID (?<uid7>\d+),)? total-vm:(?<vm>\d+)kB, anon-rss:(?<anon>\d+)kB, file-rss:(?<file>\d+)kB(?:, shmem-rss:(?<shmem>\d+)kB)?(?:, UID:(?<uid>\d+) pgtables:(?<pgt>\d+)kB oom_score_adj:(?<adj>-?\d+))?$`);
// Killed process 21578, UID 503, (redis-server) total-vm:9100804kB, anon-rss:9066596kB, file-rss:64kB   (RHEL/CentOS 6)
const KILL_EL6 = /^Killed process (?<pid>\d+), UID (?<uid>\d+), \((?<comm>.*)\) total-vm:(?<vm>\d+)kB, anon-rss:(?<anon>\d+)kB, file-rss:(?<file>\d+)kB$/;

function killLine(line: string): Fields | undefined {
  const a = afterPrefix(line, 'Killed process ');
  if (!a) return undefined;
  const pre: Fields = a.prefix !== undefined ? { prefix: a.prefix } : {};
  let m = KILL.exec(a.rest);
  if (m) {
    const g = m.groups!;
    return {
      kind: 'oom_kill', ...pre, ...task(g), total_vm_kb: int(g.vm!), ...rss(g),
      ...pick(g, { uid: 'uid', pgtables_kb: 'pgt', oom_score_adj: 'adj' }, true),
      ...(g.el7 !== undefined ? { style: 'el7', uid: Number(g.uid7) } : {}),
    };
  }
  m = KILL_EL6.exec(a.rest);
  if (!m) {
    // A complete line with a paste's closing quotation mark or punctuation after it.
    const t = /["'`,;\s]+$/.exec(a.rest);
    if (t) {
      const f = killLine(line.slice(0, line.length - t[0].length));
      if (f && !f.cut) return f;
    }
  }
  if (m) {
    const g = m.groups!;
    return { kind: 'oom_kill', ...pre, ...task(g), total_vm_kb: int(g.vm!), ...rss(g), uid: Number(g.uid), style: 'el6' };
  }
  return cutKill(a.rest, pre);
}

/**
 * A kill line cut short (terminal width, a title, a pager) that still names the pid
 * and, when its `(` … `)` survived, the comm: `cut: true`.
 */
function cutKill(rest: string, pre: Fields): Fields | undefined {
  const m = /^Killed process (\d+)(,| \(|$)/.exec(rest);
  if (!m) return undefined;
  let comm = '';
  const open = rest.indexOf('(', m[0].length - 1);
  if (open >= 0) {
    const body = rest.slice(open + 1);
    let j = body.lastIndexOf(') total-vm:');
    if (j < 0) j = body.lastIndexOf('), UID ');
    if (j < 0 && body.endsWith(')')) j = body.length - 1;
    if (j >= 0) comm = body.slice(0, j);
  }
  const uid = /, UID:(\d+)/.exec(rest);
  return { kind: 'oom_kill', ...pre, pid: Number(m[1]), comm, ...(uid ? { uid: Number(uid[1]) } : {}), cut: true };
}

// Out of memory: Kill process 4242 (stress) score 912 or sacrifice child
const CHOOSE = /^Kill process (?<pid>\d+) \((?<comm>.*)\) score (?<score>\d+) or sacrifice child$/;
// Out of memory: OOM victim 4242 (stress) is already exiting. Skip killing the task
const EXITING = /^OOM victim (?<pid>\d+) \((?<comm>.*)\) is already exiting\. Skip killing the task$/;

function chooseLine(line: string): Fields | undefined {
  let a = afterPrefix(line, 'Kill process ');
  if (a?.prefix !== undefined) {
    const m = CHOOSE.exec(a.rest);
    if (m) return { kind: 'oom_choose', prefix: a.prefix, ...task(m.groups!), score: Number(m.groups!.score) };
  }
  a = afterPrefix(line, 'OOM victim ');
  if (a?.prefix !== undefined) {
    const m = EXITING.exec(a.rest);
    if (m) return { kind: 'oom_victim_exiting', prefix: a.prefix, ...task(m.groups!) };
  }
  return undefined;
}

/** A node list (`%*pbl`) or `(null)` at `i`: its end. */
function nodesEnd(s: string, i: number): number {
  if (s.startsWith('(null)', i)) return i + 6;
  let j = i;
  while (j < s.length) {
    const c = s.charCodeAt(j);
    if ((c >= 48 && c <= 57) || c === 44 || c === 45) j++;
    else break;
  }
  // The comma before the next key is not part of the list.
  while (j > i && s.charCodeAt(j - 1) === 44) j--;
  return j;
}

/**
 * oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/oomlab,task_memcg=/oomlab,task=victim,pid=385,uid=0
 * The pid and uid are anchored at the end; the comm after the last `,task=`; the
 * cgroup paths between their fixed keys.
 */
function summaryLine(line: string): Fields | undefined {
  if (!line.startsWith('oom-kill:constraint=')) return undefined;
  const tail = /,pid=(\d+),uid=(-?\d+)$/.exec(line);
  let i = 20;
  let j = i;
  while (j < line.length && /\w/.test(line[j]!)) j++;
  const constraint = line.slice(i, j);
  if (!constraint || !line.startsWith(',nodemask=', j)) return undefined;
  i = j + 10;
  j = nodesEnd(line, i);
  const nodemask = line.slice(i, j);
  if (!tail) {
    // The first KERN_CONT fragment (printk:console from 5.19).
    return j === line.length ? { kind: 'oom_summary_part', constraint, nodemask } : undefined;
  }
  const end = tail.index;
  const t = line.lastIndexOf(',task=', end);
  if (t < j) return undefined;
  const f: Fields = { kind: 'oom_summary', constraint, nodemask };
  i = j;
  if (line.startsWith(',cpuset=', i)) {
    const k = line.indexOf(',mems_allowed=', i + 8);
    if (k < 0 || k > t) return undefined;
    f.cpuset = line.slice(i + 8, k);
    const e = nodesEnd(line, k + 14);
    f.mems_allowed = line.slice(k + 14, e);
    i = e;
  }
  let global = false;
  if (line.startsWith(',global_oom', i)) {
    i += 11;
    global = true;
  } else if (line.startsWith(',oom_memcg=', i)) {
    let k = line.indexOf(',task_memcg=', i + 11);
    if (k < 0 || k > t) k = t;
    f.oom_memcg = line.slice(i + 11, k);
    i = k;
  }
  if (line.startsWith(',task_memcg=', i)) {
    f.task_memcg = line.slice(i + 12, t);
    i = t;
  }
  if (i !== t) return undefined;
  f.global_oom = global;
  f.task = line.slice(t + 6, end);
  f.pid = Number(tail[1]);
  f.uid = Number(tail[2]);
  return f;
}

const CPU_HEAD = /^CPU: (?<cpu>\d+) (?:UID: (?<uid>\d+) )?PID: (?<pid>\d+) Comm: /;

/**
 * CPU: 1 PID: 385 Comm: victim Tainted: G           OE      6.1.0-56-amd64 #1  Debian 6.1.192-2
 * CPU: 0 UID: 0 PID: 2050 Comm: syz-executor0 Not tainted 6.12.0 #90
 * CPU: 9 PID: 14881 Comm: java Tainted: G    B          ------------ T 3.10.0-327.4.5.el7.x86_64 #1   (RHEL: a dashed field, `T` marks a tech preview)
 * The comm ends at the last taint marker; the release is the first word after the taint letters that starts with a digit.
 */
function cpuLine(line: string): Fields | undefined {
  const h = CPU_HEAD.exec(line);
  if (!h) return undefined;
  const rest = line.slice(h[0].length);
  const nt = rest.lastIndexOf(' Not tainted ');
  const tt = rest.lastIndexOf(' Tainted: ');
  const tainted = tt > nt;
  const at = tainted ? tt : nt;
  if (at < 0) return undefined;
  let comm = rest.slice(0, at);
  if (comm.endsWith(' Kdump: loaded')) comm = comm.slice(0, -14);
  const after = rest.slice(at + (tainted ? 10 : 13));
  const words = after.split(' ');
  let k = 0;
  let taintEnd = 0;
  let pos = 0;
  let release: string | undefined;
  for (; k < words.length; k++) {
    const w = words[k]!;
    if (w && w.charCodeAt(0) >= 48 && w.charCodeAt(0) <= 57) {
      release = w;
      break;
    }
    if (w && !/^(?:[A-Z]+|-+)$/.test(w)) return undefined;
    pos += w.length + 1;
    if (/^[A-Z]+$/.test(w) && !after.slice(0, pos).includes('-')) taintEnd = pos - 1;
  }
  if (release === undefined) return undefined;
  if (!tainted && k !== 0) return undefined;
  return {
    kind: 'kernel_version', release, cpu: Number(h.groups!.cpu), ...pick(h.groups!, { uid: 'uid' }, true),
    pid: Number(h.groups!.pid), comm, tainted, taint: tainted ? after.slice(0, taintEnd).trim() : '',
  };
}

/** Lines read by scanners, tried before the regex rules. */
const SCANNERS: ((line: string) => Fields | undefined)[] = [summaryLine, killLine, chooseLine, cpuLine];

/** A printk record holds at most 1 KiB of text; longer lines are no kernel line and are not matched. */
const MAX_RULE_LINE = 8192;

/**
 * Words one of the rules needs; a line with none of them is `other` without trying each rule.
 * e.g. `mntest: release tgid 385 mm ffff8de141060480` has none.
 */
const ANY = /oom|OOM|Kill|reap|task=|callback failed|WARNING|usage|limit|cgroup|Linux version|CPU: |cpuset=|Out of memory/;

// [   13.488982] or [   13.488982][  T358]: the time prefix a console event carries up to 5.18
const TIME_PREFIX = /^\[ *(\d{1,15})\.(\d{1,9})\](?:\[ *[TC]\d+\])? ?/;

/**
 * Typed fields of one printk message: `{ kind, ... }` for the OOM-relevant lines,
 * `{ kind: 'other' }` for anything else (an unknown message is valid, not an error).
 */
export function decodePrintk(text: string): Fields | undefined {
  const nl = text.indexOf('\n');
  let line = nl >= 0 ? text.slice(0, nl) : text;
  if (line.endsWith('\r')) line = line.slice(0, -1);
  let logTs: FieldValue | undefined;
  const t = TIME_PREFIX.exec(line);
  if (t) {
    logTs = BigInt(t[1]!) * 1_000_000_000n + BigInt(t[2]!.padEnd(9, '0'));
    line = line.slice(t[0].length);
  }
  let fields: Fields = { kind: 'other' };
  if (line.length <= MAX_RULE_LINE && ANY.test(line)) {
    for (const scan of SCANNERS) {
      const f = scan(line);
      if (f) {
        fields = f;
        break;
      }
    }
  }
  if (fields.kind === 'other' && line.length <= MAX_RULE_LINE && ANY.test(line)) {
    for (const [re, build] of RULES) {
      const m = re.exec(line);
      if (m) {
        fields = build(m.groups ?? {});
        break;
      }
    }
  }
  if (logTs !== undefined) fields.log_ts = logTs;
  return fields;
}
