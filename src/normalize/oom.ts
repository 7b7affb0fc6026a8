// oom:* tracepoints (include/trace/events/oom.h). Sizes keep their printed unit in the name.
import type { Decoder } from './decoder.ts';
import type { Fields } from '../types/event.ts';
import { int, onText } from './fields.ts';
import { type RecordDecoder, fromRecord } from './record.ts';

// pid=4242
const PID = /^pid=(-?\d+)$/;

// pid=385 comm=victim total-vm=279752kB anon-rss=64888kB file-rss:4kB shmem-rss:700kB uid=0 pgtables=172kB oom_score_adj=0
// comm is free text (spaces, `=`): the greedy group with a tail anchored at the end takes
// exactly what lies between `comm=` and the fixed fields that follow it.
const MARK_VICTIM = /^pid=(-?\d+) comm=(.*) total-vm=(\d+)kB anon-rss=(\d+)kB file-rss:(\d+)kB shmem-rss:(\d+)kB uid=(\d+) pgtables=(\d+)kB oom_score_adj=(-?\d+)$/s;

function pidOnly(text: string): Fields | undefined {
  const m = PID.exec(text);
  return m ? { pid: int(m[1]!) } : undefined;
}

function markVictim(text: string): Fields | undefined {
  const short = pidOnly(text);
  if (short) return short;
  const m = MARK_VICTIM.exec(text);
  if (!m) return undefined;
  return {
    pid: int(m[1]!),
    comm: m[2]!,
    total_vm_kb: int(m[3]!),
    anon_rss_kb: int(m[4]!),
    file_rss_kb: int(m[5]!),
    shmem_rss_kb: int(m[6]!),
    uid: int(m[7]!),
    pgtables_kb: int(m[8]!),
    oom_score_adj: int(m[9]!),
  };
}

// pid=4242 comm=stress oom_score_adj=500
const SCORE_ADJ = /^pid=(-?\d+) comm=(.*) oom_score_adj=(-?\d+)$/s;

function scoreAdjUpdate(text: string): Fields | undefined {
  const m = SCORE_ADJ.exec(text);
  return m ? { pid: int(m[1]!), comm: m[2]!, oom_score_adj: int(m[3]!) } : undefined;
}

// node=0 zone=Normal   order=0 reclaimable=312 available=10840 min_wmark=11264 no_progress_loops=16 wmark_check=0
// (zone is `%-8s`: padded with blanks)
const RECLAIM_RETRY = /^node=(-?\d+) zone=(\S+) +order=(-?\d+) reclaimable=(\d+) available=(\d+) min_wmark=(\d+) no_progress_loops=(-?\d+) wmark_check=(-?\d+)$/;

function reclaimRetryZone(text: string): Fields | undefined {
  const m = RECLAIM_RETRY.exec(text);
  if (!m) return undefined;
  return {
    node: int(m[1]!),
    zone: m[2]!,
    order: int(m[3]!),
    reclaimable_pages: int(m[4]!),
    available_pages: int(m[5]!),
    min_wmark_pages: int(m[6]!),
    no_progress_loops: int(m[7]!),
    wmark_check: int(m[8]!),
  };
}

// order=9 priority=COMPACT_PRIO_SYNC_LIGHT compaction_result=withdrawn retries=0 max_retries=16 should_retry=0
const COMPACT_RETRY = /^order=(-?\d+) priority=(\S+) compaction_result=(\S+) retries=(-?\d+) max_retries=(-?\d+) should_retry=(-?\d+)$/;

function compactRetry(text: string): Fields | undefined {
  const m = COMPACT_RETRY.exec(text);
  if (!m) return undefined;
  return {
    order: int(m[1]!),
    priority: m[2]!,
    compaction_result: m[3]!,
    retries: int(m[4]!),
    max_retries: int(m[5]!),
    should_retry: int(m[6]!),
  };
}

export const OOM_DECODERS: Record<string, Decoder> = {
  'oom:mark_victim': onText(markVictim),
  'oom:wake_reaper': onText(pidOnly),
  'oom:start_task_reaping': onText(pidOnly),
  'oom:finish_task_reaping': onText(pidOnly),
  'oom:skip_task_reaping': onText(pidOnly),
  'oom:oom_score_adj_update': onText(scoreAdjUpdate),
  'oom:reclaim_retry_zone': onText(reclaimRetryZone),
  'oom:compact_retry': onText(compactRetry),
};

// The same fields from a binary record, for the print formats of the hot and the victim events.
const pidRecord = fromRecord('pid=%d', (a) => ({ pid: a.d(0) }));
const markVictimRecord = fromRecord(
  'pid=%d comm=%s total-vm=%lukB anon-rss=%lukB file-rss:%lukB shmem-rss:%lukB uid=%u pgtables=%lukB oom_score_adj=%hd',
  (a) => ({
    pid: a.d(0), comm: a.s(1), total_vm_kb: a.lu(2), anon_rss_kb: a.lu(3), file_rss_kb: a.lu(4), shmem_rss_kb: a.lu(5),
    uid: a.u(6), pgtables_kb: a.lu(7), oom_score_adj: a.hd(8),
  }),
);

export const OOM_RECORD_DECODERS: Record<string, RecordDecoder> = {
  'oom:mark_victim': (r) => pidRecord(r) ?? markVictimRecord(r),
  'oom:wake_reaper': pidRecord,
  'oom:start_task_reaping': pidRecord,
  'oom:finish_task_reaping': pidRecord,
  'oom:skip_task_reaping': pidRecord,
};
