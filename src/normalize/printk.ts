// Typed fields for the kernel log lines the OOM model reads (docs/model.md#domains),
// in every kernel version's wording. The text is one printk message: a kernel-log
// line without its prefix, or a `printk:console` event, which up to 5.18 still
// carries the `[secs.usec] ` prefix (kept as `log_ts`) and from 5.19 arrives in
// KERN_CONT fragments (see `oom_summary_part`). Only the first line is read.
//
// Comms and cgroup paths are text the attacker chose: they are kept as strings and
// matched greedily or lazily so that the fixed text around them (which always
// follows them) decides where they end; numbers anchored at the end stay reliable.
import type { FieldValue, Fields } from '../types/event.ts';
import { BOOT_BANNER, CPU_HEADER } from '../../parsers/common/kernel-release.ts';

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
  [new RegExp(String.raw`^(?<comm>.*) invoked oom-killer: gfp_mask=(?<gfp>0x[0-9a-f]+|0)(?:\((?<flags>[^)]*)\))?, (?:nodemask=(?<nodes>${NODES}), )?order=(?<order>-?\d+), oom_score_adj=(?<adj>-?\d+)$`),
    (g) => ({ kind: 'oom_invoked', comm: g.comm!, gfp_mask: g.gfp!, ...pick(g, { gfp_flags: 'flags', nodemask: 'nodes' }), order: Number(g.order), oom_score_adj: Number(g.adj) })],
  // oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/oomlab,task_memcg=/oomlab,task=victim,pid=385,uid=0
  [new RegExp(String.raw`^oom-kill:constraint=(?<c>\w+),nodemask=(?<nodes>${NODES})(?:,cpuset=(?<cpuset>.*?),mems_allowed=(?<mems>${NODES}))?(?:,oom_memcg=(?<memcg>.*?)|(?<global>,global_oom))?(?:,task_memcg=(?<tmemcg>.*?))?,task=(?<comm>.*),pid=(?<pid>\d+),uid=(?<uid>-?\d+)$`),
    (g) => ({ kind: 'oom_summary', constraint: g.c!, nodemask: g.nodes!, ...pick(g, { cpuset: 'cpuset', mems_allowed: 'mems', oom_memcg: 'memcg', task_memcg: 'tmemcg' }), global_oom: g.global !== undefined, task: g.comm!, pid: Number(g.pid), uid: Number(g.uid) })],
  // First and last KERN_CONT fragments of the line above (printk:console from 5.19):
  // oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null)
  [new RegExp(String.raw`^oom-kill:constraint=(?<c>\w+),nodemask=(?<nodes>${NODES})$`), (g) => ({ kind: 'oom_summary_part', constraint: g.c!, nodemask: g.nodes! })],
  // ,task=victim,pid=385,uid=0
  [/^,task=(?<comm>.*),pid=(?<pid>\d+),uid=(?<uid>-?\d+)$/, (g) => ({ kind: 'oom_summary_part', task: g.comm!, pid: Number(g.pid), uid: Number(g.uid) })],
  // Out of memory: Kill process 4242 (stress) score 912 or sacrifice child
  [/^(?<prefix>.*?): Kill process (?<pid>\d+) \((?<comm>.*)\) score (?<score>\d+) or sacrifice child$/,
    (g) => ({ kind: 'oom_choose', prefix: g.prefix!, ...task(g), score: Number(g.score) })],
  // Memory cgroup out of memory: Killed process 385 (victim) total-vm:279752kB, anon-rss:64888kB, file-rss:4kB, shmem-rss:700kB, UID:0 pgtables:172kB oom_score_adj:0
  // Killed process 4242 (stress) total-vm:8402412kB, anon-rss:7864320kB, file-rss:1536kB, shmem-rss:0kB
  [new RegExp(String.raw`^(?:(?<prefix>.*?): )?Killed process (?<pid>\d+) \((?<comm>.*)\) total-vm:(?<vm>\d+)kB, anon-rss:(?<anon>\d+)kB, file-rss:(?<file>\d+)kB(?:, shmem-rss:(?<shmem>\d+)kB)?(?:, UID:(?<uid>\d+) pgtables:(?<pgt>\d+)kB oom_score_adj:(?<adj>-?\d+))?$`),
    (g) => ({ kind: 'oom_kill', ...pick(g, { prefix: 'prefix' }), ...task(g), total_vm_kb: int(g.vm!), ...rss(g), ...pick(g, { uid: 'uid', pgtables_kb: 'pgt', oom_score_adj: 'adj' }, true) })],
  // Out of memory: OOM victim 4242 (stress) is already exiting. Skip killing the task
  [/^(?<prefix>.*?): OOM victim (?<pid>\d+) \((?<comm>.*)\) is already exiting\. Skip killing the task$/,
    (g) => ({ kind: 'oom_victim_exiting', prefix: g.prefix!, ...task(g) })],
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
  [CPU_HEADER,
    (g) => ({ kind: 'kernel_version', release: g.rel!, cpu: Number(g.cpu), ...pick(g, { uid: 'uid' }, true), ...task(g), tainted: g.taint !== undefined, taint: (g.taint ?? '').trim() })],
];

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
  if (ANY.test(line)) {
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
