// Premature victim selection (docs/model.md#rules-premature): a new victim chosen in a
// domain while an earlier victim's memory was still there, because a give-up path
// set MMF_OOM_SKIP rather than a real release.
import type { Evidence, Finding } from '../../findings/finding.ts';
import { cite as ev } from '../../findings/finding.ts';
import type { Selection, VictimState } from '../state.ts';
import type { Capabilities } from '../capabilities.ts';
import type { ReplayedTimeline } from '../replayed.ts';
import { applyLosses, type Coverage } from '../coverage.ts';
import { formatInstant } from '../../types/time.ts';
import { sameDomain } from '../domain.ts';
import { isEarlier } from '../selection.ts';
import { notifierOnMm } from '../notifier-evidence.ts';

/** Milliseconds are enough to tell two selections apart in a sentence. */
const secs = (ns: bigint): string => `${formatInstant(ns, 3)} s`;

/** Share of the anon memory at selection that counts as still held (as in steps/memory.ts). */
const HELD_SHARE = 0.5;

/**
 * Evidence that v1's memory was still there at t2, and the end of the window that must
 * be free of data loss for it to hold: an event after t2 (its release, an rss_stat
 * sample still high), or the silence of a traced rss_stat — every unmap changes the
 * counters and emits rss_stat, so when the mm's last sample before t2 still shows the
 * memory, no sample and no release follows up to t2 and nothing was lost in between,
 * the memory was there at t2. That needs the exit events traced too (a release would
 * show there as well), so one missing line cannot fake it.
 */
function heldAfter(v1: VictimState, t2: bigint, cov: Coverage): { e: Evidence; until: bigint } | undefined {
  // The last thread's exit frees the mm (sched_process_exit follows exit_mm up to 6.13):
  // after t2 it shows the memory was still mapped at t2.
  if (v1.release && v1.release.ts > t2) return { e: ev(v1.release.ev, `memory of ${v1.pid} released only now (${v1.release.how})`), until: v1.release.ts };
  const h = v1.heldAfter.find((x) => x.ts > t2);
  if (h) return { e: ev(h.ev, `${v1.pid}'s mm still has ${Math.round(h.bytes / 1024)} kB anon`), until: h.ts };
  const exits = cov.present.has('mmap:exit_mmap') || cov.present.has('sched:sched_process_exit');
  if (!cov.present.has('kmem:rss_stat') || !exits || v1.release) return undefined;
  const before = v1.anonSamples?.filter((x) => x.ts <= t2);
  const last = before?.[before.length - 1];
  if (!last || last.bytes < (v1.anonAtMark ?? last.bytes) * HELD_SHARE) return undefined;
  return {
    e: ev(last.ev, `${v1.pid}'s last rss_stat sample before the selection shows ${Math.round(last.bytes / 1024)} kB anon; no rss_stat change and no release of that mm follow up to ${secs(t2)} (every unmap emits rss_stat)`),
    until: t2,
  };
}

function judge(s: ReplayedTimeline, caps: Capabilities, sel: Selection, v1: VictimState, cov: Coverage, markTraced: boolean): Finding | undefined {
  const v2 = sel.victim;
  const t2 = sel.ts;
  // The cheap test first: with thousands of victims most earlier ones were released long before.
  if (v1.release && v1.release.ts <= t2) return undefined;
  if (!sameDomain(v1, v2)) return undefined;
  const base = { victim: { pid: v2.pid, mm: v2.mm.mmPtr }, evidence: [] as Evidence[] };
  const bypass = s.bypasses.find((b) => b.ts <= t2 && t2 - b.ts < 5_000_000_000n);
  if (bypass) {
    return { ...base, kind: 'gate_bypass', rule: 'PVS-BYPASS', level: 'proven', expected: true,
      message: `${v2.pid} was chosen by a forced OOM, which ignores the pending victim ${v1.pid}`,
      evidence: [ev(bypass, 'forced OOM'), ev(v2.mark, `${v2.pid} selected`)] };
  }
  const skip = v1.oomSkip;
  if (!skip || skip.ts > t2) {
    const f: Finding = { ...base, kind: 'gate_breach', rule: 'PVS-GATE', level: 'suggested', expected: false,
      message: `${v2.pid} was selected at ${secs(t2)} while ${v1.pid} (selected at ${secs(v1.mark.ts)}) had neither MMF_OOM_SKIP nor released memory as far as the trace shows`,
      why: 'the kernel never selects past a pending victim: missing events, a wrong OOM domain or pid binding are likelier',
      evidence: [ev(v1.mark, `${v1.pid} selected`), ev(v2.mark, `${v2.pid} selected`)] };
    return applyLosses(f, cov, v1.mark.ts, t2);
  }
  if (skip.cause !== 'REAP_GAVE_UP' && skip.cause !== 'NOTIFIER_GIVE_UP' && skip.cause !== 'PINNED') return undefined;
  const evidence: Evidence[] = [ev(v1.mark, `${v1.pid} selected`), ev(skip.ev, `MMF_OOM_SKIP set on ${v1.pid}'s mm (${skip.cause})`), ev(v2.mark, `${v2.pid} selected`)];
  if (v1.unableLog) evidence.splice(2, 0, ev(v1.unableLog, 'reaper gave up'));
  const held = heldAfter(v1, t2, cov);
  if (held) evidence.push(held.e);
  const why: string[] = [];
  if (!markTraced) why.push('oom tracepoints not captured (oom:mark_victim missing)');
  const failed = v1.attempts.filter((a) => a.result === 'failed' || a.result === 'lock_busy').length;
  if (skip.cause === 'REAP_GAVE_UP' && failed < caps.maxReapRetries && !v1.unableLog) why.push(`give-up inferred from ${failed} failed attempts without "unable to reap"`);
  if (skip.cause === 'NOTIFIER_GIVE_UP') {
    const reaperAlive = s.victims.some((o) => o !== v1 && o.attempts.length > 0);
    // Only a line from v1's own tasks before its OOM ties a notifier to its mm (docs/model.md#rules-notifier-evidence).
    const notifier = notifierOnMm(s, v1);
    if (notifier) evidence.splice(evidence.length - 1, 0, ev(notifier.ev, notifier.what));
    // Proven only when both the notifier and a working reaper are shown (docs/model.md#rules-premature).
    if (!reaperAlive || !notifier) {
      why.push(`give-up inferred from the reaper's silence after the wake${reaperAlive ? '' : '; the reaper is not seen working in this trace'}${notifier ? '' : `; no line from ${v1.pid}'s own tasks before its OOM shows a notifier on its mm`}`);
    }
  }
  const releaseTraced = ['kmem:rss_stat', 'mmap:exit_mmap', 'sched:sched_process_exit'].some((n) => cov.present.has(n));
  if (!held) {
    why.push(releaseTraced
      ? `no event shows ${v1.pid}'s memory still there after ${v2.pid} was selected`
      : `release evidence not captured (kmem:rss_stat, mmap:exit_mmap, sched:sched_process_exit): whether ${v1.pid}'s memory was gone cannot be told`);
  }
  if (cov.firstTs !== undefined && cov.firstTs > v1.mark.ts) why.push('tracing started after the first selection');
  const vague = (d: string) => d === 'unknown' || d === 'memcg:?';
  if (vague(v1.domain) || vague(v2.domain)) why.push(`OOM domain not known for ${vague(v1.domain) ? v1.pid : v2.pid} (give the kernel log with the kill lines)`);
  const pinned = skip.cause === 'PINNED';
  const f: Finding = {
    ...base,
    kind: 'premature_victim',
    rule: pinned ? 'PVS-PINNED' : 'PVS-PREMATURE',
    level: why.length ? 'suggested' : 'proven',
    expected: pinned,
    message: pinned
      ? `${v2.pid} was selected while ${v1.pid}'s mm, pinned by another process, kept its memory (by design)`
      : `${v2.pid} was selected at ${secs(t2)} while ${v1.pid} still held its memory: the reaper gave up at ${secs(skip.ts)} and hid it (MMF_OOM_SKIP); its memory went only at ${v1.release ? secs(v1.release.ts) : 'an unknown time after the trace'}`,
    evidence,
  };
  if (why.length) f.why = why.join('; ');
  return applyLosses(f, cov, v1.mark.ts, held?.until ?? t2);
}

export function detectPremature(s: ReplayedTimeline, caps: Capabilities, cov: Coverage, markTraced: boolean): Finding[] {
  const out: Finding[] = [];
  const judgeAll = (sel: Selection, earlier: readonly VictimState[]): void => {
    for (const v1 of earlier) {
      const f = judge(s, caps, sel, v1, cov, markTraced);
      if (f) out.push(f);
    }
  };
  if (!inTimeOrder(s.selections)) {
    for (const sel of s.selections) judgeAll(sel, sel.earlier);
    return out;
  }
  // Selections in time order: a victim whose memory went before one selection went before
  // every later one too (judge leaves it out), so it leaves the list of those still open.
  let open: VictimState[] = [];
  let added = 0;
  for (const sel of s.selections) {
    for (; added < sel.victim.index; added++) open.push(s.victims[added]!);
    open = open.filter((v) => !(v.release && v.release.ts <= sel.ts));
    judgeAll(sel, open.filter((v) => isEarlier(sel, v)));
  }
  return out;
}

function inTimeOrder(sels: readonly Selection[]): boolean {
  for (let i = 1; i < sels.length; i++) if (sels[i]!.ts < sels[i - 1]!.ts) return false;
  return true;
}
