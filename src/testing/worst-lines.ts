// Lines built from each decoder's and sniffer's worst separators (the text its fixed
// fields are made of, repeated), so a rule that backtracks shows it as super-linear
// growth. Used by the linear-time test and by `npm run bench` (src/bench/growth.ts).
import { FORMATS } from '../../parsers/registry.ts';
import { parseKprobeDefinition } from '../../parsers/kprobe-events/parse.ts';
import { decodeEvent } from '../normalize/index.ts';
import { readKeyValues } from '../normalize/generic.ts';
import type { TraceEvent } from '../types/event.ts';
import type { KprobeDef } from '../types/kprobe.ts';

/** One rule under test: `run(n)` builds an input of about n bytes and processes it. */
export interface GrowthCase {
  name: string;
  build(bytes: number): string;
  run(input: string): unknown;
}

const SRC = { file: 'worst', line: 1, offset: 0 };
const STRINGS_DEF = parseKprobeDefinition('p:g/s f a=+0(%di):string b=+0(%si):string c=+0(%dx):string d=+0(%cx):string', SRC)!;
const MIXED_DEF = parseKprobeDefinition('p:g/m f a=%di:x64 b=+0(%si):string c=%dx:symbol d=%cx:char', SRC)!;
const DEFS = new Map<string, KprobeDef>([['g:s', STRINGS_DEF], ['g:m', MIXED_DEF]]);

function repeatTo(head: string, unit: string, tail: string, bytes: number): string {
  const text = head + unit.repeat(Math.max(1, Math.ceil((bytes - head.length - tail.length) / unit.length))) + tail;
  // A flat string, as text decoded from a read buffer is (a concatenation is a tree
  // of pieces in V8, and walking it would be timed instead of the rule).
  return Buffer.from(text).toString();
}

function decode(name: string, text: string): unknown {
  const ev: TraceEvent = { ts: 0n, cpu: 0, pid: 0, comm: '', name, text, src: SRC };
  return decodeEvent(ev, { kprobe: (n) => DEFS.get(n) });
}

const decoder = (name: string, head: string, unit: string, tail = 'x'): GrowthCase => ({
  name: `decode ${name} (${JSON.stringify(unit)})`,
  build: (n) => repeatTo(head, unit, tail, n),
  run: (text) => decode(name, text),
});

/** Every decoder outside parsers/common/printk-line.ts (its rules are checked with the kernel-log reader). */
export const DECODER_CASES: GrowthCase[] = [
  decoder('oom:mark_victim', 'pid=1 comm=', ' total-vm=1kB anon-rss=1kB file-rss:1kB shmem-rss:1kB uid=0 pgtables=1kB oom_score_adj='),
  decoder('oom:oom_score_adj_update', 'pid=1 comm=', ' oom_score_adj=0'),
  decoder('oom:wake_reaper', 'pid=', '0'),
  decoder('oom:reclaim_retry_zone', 'node=0 zone=', ' '),
  decoder('oom:compact_retry', 'order=0 priority=', '0'),
  decoder('sched:sched_process_fork', 'comm=', ' pid=0 child_comm=', 'h'),
  decoder('sched:sched_process_fork', 'comm=', ' child_pid=0 pid=0 child_comm=', ' child_pid=x'),
  decoder('sched:sched_process_exit', 'comm=', ' pid=0 prio=0'),
  decoder('sched:sched_process_free', 'comm=', ' pid=0 prio='),
  decoder('sched:sched_process_exec', 'filename=', ' pid=0 old_pid='),
  decoder('signal:signal_generate', 'sig=9 errno=0 code=0 comm=', ' pid=0 grp=0 res='),
  decoder('task:task_newtask', 'pid=1 comm=', ' clone_flags=0 oom_score_adj='),
  decoder('kmem:rss_stat', 'mm_id=', '0'),
  decoder('kvm:kvm_unmap_hva_range', 'mmu notifier unmap range: ', '0'),
  decoder('kvm:kvm_age_hva', 'mmu notifier age hva: 0x1 -- ', '0'),
  decoder('mmap:exit_mmap', 'mt_mod ', ', DESTROY'),
  decoder('g:s', '(f+0x0/0x10) a="', '" b="" c="" d="'),
  decoder('g:s', '(f+0x0/0x10) a="', '" b="'),
  decoder('g:m', '(f+0x0/0x10) a=0x1 b="', '" c=s [m] d=\' \' '),
  decoder('kprobes:p_f_0', '(f+0x0/0x10)', ' a="'),
  decoder('kprobes:p_f_0', '(', 'a <- '),
  {
    name: 'generic key=value reader',
    build: (n) => repeatTo('', ' a="', '', n),
    run: (text) => readKeyValues(text),
  },
];

/** Every format sniffer, on heads of blank and near-event lines. */
export const SNIFFER_CASES: GrowthCase[] = FORMATS.flatMap((f) =>
  ['\n', ' \t\n', '-0 [000] ', 'a-1 [000] .... 1.0: x:', '# \n', 'p:a/b ', ',name,ts'].map((unit) => ({
    name: `sniff ${f.name} (${JSON.stringify(unit)})`,
    build: (n: number) => repeatTo('', unit, '', n),
    run: (head: string) => f.sniff(head),
  })),
);

/** Time of one run in ms. */
export function timeRun(c: GrowthCase, input: string): number {
  const t0 = performance.now();
  c.run(input);
  return performance.now() - t0;
}
