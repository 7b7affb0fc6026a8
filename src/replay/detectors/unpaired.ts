// Unpaired invalidates (docs/model.md#rules-unpaired), at the core-call level and per
// notifier instance, judged from kprobe data when the capture has it and from the
// kernel log otherwise.
import type { Evidence, Finding } from '../../findings/finding.ts';
import { EvidenceSample, cite as ev, sampleEvidence } from '../../findings/finding.ts';
import type { EventRef } from '../../types/event.ts';
import type { CoreCall, FailedLine, VictimState } from '../state.ts';
import type { Capabilities } from '../capabilities.ts';
import type { ReplayedTimeline } from '../replayed.ts';
import { notifierOnMm } from '../notifier-evidence.ts';
import { applyLosses, type Coverage } from '../coverage.ts';
import { victimsOfPtr } from '../mm-pointers.ts';
import { LOG_LAG_NS, linesInWindows } from '../log-windows.ts';

/** hlist notifiers known to implement invalidate_range_end (docs/model.md#rules-unpaired). */
const KNOWN_END = new Set(['kvm', 'gru', 'sgi_gru']);

interface Group {
  key: string;
  calls: CoreCall[];
  evidence: EvidenceSample;
}

function group(map: Map<string, Group>, key: string): Group {
  let g = map.get(key);
  if (!g) map.set(key, (g = { key, calls: [], evidence: new EvidenceSample() }));
  return g;
}

function latestBefore(vs: readonly VictimState[], ts: bigint): VictimState | undefined {
  for (let i = vs.length - 1; i >= 0; i--) if (vs[i]!.mark.ts <= ts) return vs[i];
  return undefined;
}

/** The call's victim, else the latest victim selected before it on its mm pointer. */
const who = (s: ReplayedTimeline, c: CoreCall) => {
  const v = c.victim ?? latestBefore(victimsOfPtr(s, c.mm), c.entry.ts);
  return v ? { pid: v.pid, mm: v.mm.mmPtr ?? c.mm } : undefined;
};

/** Calls are grouped per victim (its index: a pid can name several victims). */
const victimKey = (c: CoreCall): number => (c.victim ? c.victim.index : -1);

function windowOf(calls: CoreCall[]): [bigint, bigint] {
  return [calls[0]!.entry.ts, (calls[calls.length - 1]!.ret ?? calls[calls.length - 1]!.entry).ts];
}

export function detectUnpaired(s: ReplayedTimeline, caps: Capabilities, cov: Coverage): Finding[] {
  const out: Finding[] = [];
  const failed = s.calls.filter((c) => c.retval !== undefined && c.retval < 0 && c.blockable !== true);
  // Core level: a failed non-blocking start never gets its end from the caller.
  const byMm = new Map<string, Group>();
  for (const c of failed) {
    const g = group(byMm, `${victimKey(c)}|${c.mm ?? ''}`);
    g.calls.push(c);
    g.evidence.push(ev(c.entry, 'non-blocking invalidate_range_start'), ev(c.ret!, `returned ${c.retval}`));
  }
  for (const g of byMm.values()) {
    const [from, to] = windowOf(g.calls);
    out.push(applyLosses({
      kind: 'unpaired_invalidate',
      rule: 'UPI-CORE-FAILED-START',
      level: 'proven',
      expected: caps.reaperNotifierPolicy === 'NONBLOCK',
      victim: who(s, g.calls[0]!),
      count: g.calls.length,
      message: `${g.calls.length} non-blocking invalidate_range_start call(s) failed and got no invalidate_range_end: the caller skips the end of a failed start by design`,
      evidence: g.evidence.list(),
    }, cov, from, to));
  }
  // Successful starts whose end never came.
  const open = s.calls.filter((c) => c.retval === 0 && !c.endCall);
  const openBy = new Map<string, Group>();
  for (const c of open) {
    const g = group(openBy, `${victimKey(c)}|${c.mm ?? ''}|${c.blockable}`);
    g.calls.push(c);
    g.evidence.push(ev(c.entry, 'invalidate_range_start'), ev(c.ret!, 'returned 0; no invalidate_range_end follows'));
  }
  for (const g of openBy.values()) {
    out.push({
      kind: 'unpaired_invalidate',
      rule: g.calls[0]!.blockable ? 'UPI-BLOCK' : 'UPI-NONBLOCK-OPEN',
      level: 'inconclusive',
      expected: false,
      victim: who(s, g.calls[0]!),
      count: g.calls.length,
      message: `${g.calls.length} invalidate_range_start call(s) returned 0 and no invalidate_range_end was seen`,
      why: 'a successful start always gets its end in the same task: the end lies past the trace, or its events are missing',
      evidence: g.evidence.list(),
    });
  }
  out.push(...detectInstances(s, caps, cov, failed));
  if (s.calls.length === 0) out.push(...detectWithoutProbes(s, caps, cov));
  return out;
}

/** A `callback failed` line naming a notifier's callback by symbol, and not KVM's own. */
function namesOtherNotifier(e: FailedLine): boolean {
  const sym = e.symbol;
  return sym !== undefined && !sym.startsWith('0x') && !/^kvm_/.test(sym) && e.module !== 'kvm';
}

/** KVM's notifier on v's mm, shown by a kvm:* line from its own tasks before its OOM. */
function kvmOnMm(s: ReplayedTimeline, v: VictimState): { ev: EventRef; what: string } | undefined {
  return notifierOnMm(s, v, true);
}

/**
 * Without kprobes on the notifier core the pairing cannot be seen, only hinted at:
 * a failed attempt with `callback failed ... non-blockable` lines (suggested, docs/model.md#rules-unpaired),
 * and, on a family without the pairing fix, KVM's start shown by kvm_unmap_hva_range
 * in the same attempt. Otherwise the missing probes are named.
 */
function detectWithoutProbes(s: ReplayedTimeline, caps: Capabilities, cov: Coverage): Finding[] {
  const out: Finding[] = [];
  for (const v of s.victims) {
    const windows = v.attempts.filter((a) => a.start && a.finish && a.result === 'failed').map((a) => [a.start!.ts, a.finish!.ts + LOG_LAG_NS] as const);
    if (!windows.length) continue;
    const failedLines = linesInWindows(s.failedLogs, windows);
    const base = { victim: { pid: v.pid, mm: v.mm.mmPtr }, count: failedLines.length || undefined };
    const push = (f: Finding) => out.push(applyLosses(f, cov, windows[0]![0], windows[windows.length - 1]![1]));
    // The failing notifier must be named and be another than KVM, whose start then succeeded and is left open.
    const named = failedLines.filter((e) => namesOtherNotifier(e));
    const kvm = v.kvmInAttempts ? { ev: v.kvmInAttempts, what: 'KVM invalidating in the attempt' } : kvmOnMm(s, v);
    if (named.length && !caps.hlistEndOnFailure && kvm) {
      push({ ...base, count: named.length, kind: 'unpaired_invalidate', rule: 'UPI-HLIST-LEAK', level: 'suggested', expected: true, notifier: 'kvm',
        message: `attempts on ${v.pid} failed with "callback failed ... non-blockable" naming ${String(named[0]!.symbol)} while KVM's notifier is on the same mm: on this family KVM's start is then never ended`,
        why: 'no kprobes on __mmu_notifier_invalidate_range_start and the callbacks: which call left KVM unpaired cannot be seen',
        evidence: sampleEvidence([...named.map((e) => ev(e, `notifier callback failed: ${String(e.symbol)}`)), ev(kvm.ev, kvm.what)]) });
    } else {
      push({ ...base, kind: 'unpaired_invalidate', rule: 'UPI-NO-PROBES', level: 'inconclusive', expected: false,
        message: `${v.attempts.length} reap attempt(s) on ${v.pid} failed${failedLines.length ? ` with ${failedLines.length} "callback failed" line(s)` : ''}; whether notifiers were left unpaired cannot be judged`,
        why: 'needs kprobes on __mmu_notifier_invalidate_range_start (entry and return), __mmu_notifier_invalidate_range_end and the notifier callbacks (docs/model.md#state-call)',
        evidence: sampleEvidence(failedLines.map((e) => ev(e, 'notifier callback failed'))) });
    }
  }
  return out;
}

/** Per notifier instance, inside failed non-blocking calls (UPI-HLIST-LEAK / -PAIRED / MAYFAIL-END). */
function detectInstances(s: ReplayedTimeline, caps: Capabilities, cov: Coverage, failed: CoreCall[]): Finding[] {
  const seenEnd = new Set<string>();
  for (const c of s.calls) for (const cb of c.callbacks) if (cb.phase === 'end') seenEnd.add(cb.instance);
  for (const [key, inst] of s.instances) if (inst.implementsEnd) seenEnd.add(key.split('|')[1]!);
  const groups = new Map<string, Group & { rule: string; instance: string }>();
  const add = (rule: string, instance: string, c: CoreCall, e: Evidence[]) => {
    const key = `${rule}|${instance}|${victimKey(c)}|${c.mm}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, rule, instance, calls: [], evidence: new EvidenceSample() }));
    g.calls.push(c);
    g.evidence.push(...e);
  };
  for (const c of failed) {
    for (const cb of c.callbacks) {
      if (cb.phase !== 'start' || cb.retval === undefined) continue;
      const endInside = c.callbacks.find((e) => e.phase === 'end' && e.instance === cb.instance && e.entry.ts >= cb.entry.ts);
      if (cb.retval < 0) {
        if (endInside) add('UPI-MAYFAIL-END', cb.instance, c, [ev(cb.ret!, `${cb.instance} start returned ${cb.retval}`), ev(endInside.entry, `${cb.instance} end called inside the failed start`)]);
        continue;
      }
      const implementsEnd = seenEnd.has(cb.instance) || KNOWN_END.has(cb.instance);
      if (!implementsEnd) continue;
      const paired = endInside !== undefined && caps.hlistEndOnFailure;
      if (paired) continue;
      const e = [ev(c.entry, 'non-blocking invalidate_range_start'), ev(cb.ret!, `${cb.instance} start returned 0`), ev(c.ret!, `core start returned ${c.retval}`)];
      add(caps.hlistEndOnFailure ? 'UPI-HLIST-PAIRED' : 'UPI-HLIST-LEAK', cb.instance, c, e);
    }
  }
  const out: Finding[] = [];
  for (const g of groups.values()) {
    const [from, to] = windowOf(g.calls);
    const n = g.calls.length;
    let f: Finding;
    if (g.rule === 'UPI-HLIST-LEAK') {
      f = {
        kind: 'unpaired_invalidate', rule: g.rule, level: 'proven', expected: true, notifier: g.instance, count: n,
        message: `${g.instance}: invalidate_range_start succeeded in ${n} failed non-blocking call(s) and its invalidate_range_end never comes: this kernel family does not end hlist notifiers when a start fails (the known bug; fixed by c2655835)`,
        evidence: g.evidence.list(),
      };
    } else if (g.rule === 'UPI-HLIST-PAIRED') {
      f = {
        kind: 'unpaired_invalidate', rule: g.rule, level: 'suggested', expected: false, notifier: g.instance, count: n,
        message: `${g.instance}: invalidate_range_start succeeded in ${n} failed non-blocking call(s) and no invalidate_range_end came inside the call, although this kernel ends every hlist notifier when a start fails`,
        why: 'contradicts the pairing fix this kernel has: missing or filtered probe events are likelier than a regression; check that the end probe fires',
        evidence: g.evidence.list(),
      };
    } else {
      f = {
        kind: 'unpaired_invalidate', rule: g.rule, level: 'proven', expected: false, notifier: g.instance, count: n,
        message: `${g.instance}: its invalidate_range_start failed and it also got invalidate_range_end inside the same call (${n} time(s)): a notifier that can fail must not implement end (the kernel warns)`,
        evidence: g.evidence.list(),
      };
    }
    f.victim = who(s, g.calls[0]!);
    out.push(applyLosses(f, cov, from, to));
  }
  return out;
}
