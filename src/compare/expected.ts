// What the kernel model predicts will differ between two groups: the capabilities of
// their profiles (docs/model.md#capabilities) that differ, in words, each with what the
// traces themselves show about it where they can. Kept apart from the measured
// verdicts: a profile difference is a prediction, not a regression.
import type { Capabilities, ExitSkip, NotifierPolicy } from '../replay/capabilities.ts';
import type { CaptureFacts, CaptureObservations, VictimFacts } from './facts.ts';
import { quantile } from './verdict.ts';
import { seconds } from './format.ts';

export interface GroupProfile {
  label: string;
  captures: readonly CaptureFacts[];
}

export interface ExpectedDifference {
  /** A capability (docs/model.md#capabilities), or a trace format seen in the captures. */
  capability: string;
  baseline: string;
  group: string;
  /** The difference in words. */
  text: string;
  /** What the traces show about it, when they can. */
  seen?: string;
  /** Metrics the model expects to move, and which way (+1: up on the group). */
  metrics: { id: string; sign: number }[];
}

const SKIP_WORDS: Record<ExitSkip, string> = {
  AFTER_TEARDOWN: 'only after the whole teardown',
  AFTER_UNMAP_ALL: 'in every exit_mmap, after unmapping all VMAs and before freeing the page tables',
  AFTER_UNMAP_VICTIM: "for a victim, after unmapping its VMAs",
  SELF_REAP_THEN_SKIP: "after the victim's own reap in exit_mmap, before unmapping",
};

const POLICY_WORDS: Record<NotifierPolicy, string> = {
  IGNORE: 'the reaper unmaps without calling the mmu notifiers',
  SKIP_ANY: 'the reaper skips an mm with any mmu notifier (it sleeps 1 s and gives up without a tracepoint)',
  SKIP_BLOCKABLE: 'the reaper skips an mm with a blockable notifier and reaps the others with blocking start/end',
  NONBLOCK: 'the reaper calls the notifiers non-blocking per VMA and retries failed VMAs',
};

const RSS_WORDS: Record<string, string> = {
  'member=': 'an index (member=1)',
  'type=': 'a name (type=MM_ANONPAGES)',
  both: 'both ways',
};

/** One value for the group, or a note that its captures disagree. */
function valueOf<T>(g: GroupProfile, pick: (c: CaptureFacts) => T): { value?: T; text: string } {
  const counts = new Map<string, { v: T; n: number }>();
  for (const c of g.captures) {
    const v = pick(c);
    const k = String(v);
    const e = counts.get(k) ?? { v, n: 0 };
    e.n++;
    counts.set(k, e);
  }
  if (counts.size === 1) {
    const [[k, e]] = [...counts];
    return { value: e!.v, text: k! };
  }
  return { text: `mixed (${[...counts].map(([k, e]) => `${k} in ${e.n}`).join(', ')})` };
}

const victims = (g: GroupProfile): VictimFacts[] => g.captures.flatMap((c) => c.victims);
const obs = (g: GroupProfile, f: (o: CaptureObservations) => boolean): string => `${g.captures.filter((c) => f(c.observations)).length} of ${g.captures.length} capture${g.captures.length === 1 ? '' : 's'}`;
const ofVictims = (g: GroupProfile, f: (v: VictimFacts) => boolean, among: (v: VictimFacts) => boolean = () => true): string => {
  const vs = victims(g).filter(among);
  return `${vs.filter(f).length} of ${vs.length} victim${vs.length === 1 ? '' : 's'}`;
};

function medianWake(g: GroupProfile): string {
  const w = victims(g).flatMap((v) => (v.wake === undefined ? [] : [v.wake])).sort((a, b) => a - b);
  return w.length ? `median ${seconds(quantile(w, 0.5))} over ${w.length} victim${w.length === 1 ? '' : 's'}` : 'no wake_reaper seen';
}

interface CapWords<V> {
  /** The difference in words; A/B are the labels, a/b the values. */
  text: (A: string, B: string, a: V, b: V) => string;
  seen?: (A: GroupProfile, B: GroupProfile) => string | undefined;
  metrics?: (a: V, b: V) => { id: string; sign: number }[];
}

/** For booleans: the side that has it first. */
const has = (A: string, B: string, a: boolean, yes: string, no: string): string => (a ? `${A} ${yes}; ${B} ${no}` : `${B} ${yes}; ${A} ${no}`);

// Every capability has its words: adding one to Capabilities fails tsc here until it is described.
const WORDS: { [K in keyof Capabilities]: CapWords<Capabilities[K]> } = {
  reaperDelayMs: {
    text: (A, B, a, b) => {
      const d = (ms: number) => (ms ? `${ms / 1000} s after the kill` : 'right after the kill');
      return `${A} wakes the oom_reaper ${d(a)}, ${B} ${d(b)}: selection → wake and → first attempt should come about ${Math.abs(b - a) / 1000} s ${b > a ? 'later' : 'earlier'} on ${B}, and ${b > a ? 'more' : 'fewer'} victims exit before the reaper runs`;
    },
    seen: (A, B) => `selection → wake: ${A.label} ${medianWake(A)}; ${B.label} ${medianWake(B)}`,
    metrics: (a, b) => [{ id: 'wake', sign: Math.sign(b - a) }, { id: 'firstAttempt', sign: Math.sign(b - a) }],
  },
  hlistEndOnFailure: {
    text: (A, B, a) =>
      has(A, B, a, 'ends every hlist notifier inside a failed non-blocking invalidate_range_start (the pairing fix c2655835)', 'does not: a notifier with invalidate_range_end (KVM) whose start succeeded inside a failed call is never ended there'),
    seen: (A, B) => {
      const part = (g: GroupProfile) => {
        const at = g.captures.reduce((n, c) => n + c.observations.startsOkInFailedCalls, 0);
        const ended = g.captures.reduce((n, c) => n + c.observations.endsInsideFailedStart, 0);
        return at ? `${g.label}: ended inside the failed start for ${ended} of ${at} victim${at === 1 ? '' : 's'} with a notifier start that succeeded in a failed call` : `${g.label}: no notifier start succeeded inside a failed call (nothing to pair)`;
      };
      return `${part(A)}; ${part(B)}`;
    },
    metrics: (a) => [{ id: 'leak:*', sign: a ? 1 : -1 }],
  },
  markVictimExtended: {
    text: (A, B, a) => has(A, B, a, 'prints the extended oom:mark_victim (comm, RSS, uid, oom_score_adj)', 'prints only the pid: a trace format difference, not a change of behaviour'),
    seen: (A, B) => `extended mark_victim: ${A.label} ${ofVictims(A, (v) => v.markExtended)}; ${B.label} ${ofVictims(B, (v) => v.markExtended)}`,
  },
  exitMmapSelfReap: {
    text: (A, B, a) =>
      has(A, B, a, "self-reaps a victim's mm in exit_mmap (the reap routine runs in the exiting victim, with non-blocking invalidates of its own)", 'does not'),
    seen: (A, B) => {
      const part = (g: GroupProfile) =>
        g.captures.some((c) => c.observations.reapProbe)
          ? `${g.label} ${ofVictims(g, (v) => v.selfReaps > 0, (v) => g.captures.find((c) => c.name === v.capture)?.observations.reapProbe === true)}`
          : `${g.label} not traced (no kprobe on __oom_reap_task_mm)`;
      return `victims whose exit ran __oom_reap_task_mm: ${part(A)}; ${part(B)}`;
    },
  },
  exitMmapSetsSkip: {
    text: (A, B, a, b) => `${A} sets MMF_OOM_SKIP on exit ${SKIP_WORDS[a] ?? a}; ${B} ${SKIP_WORDS[b] ?? b}`,
  },
  rssStat: {
    text: (A, B, a) => has(A, B, a, 'emits kmem:rss_stat', 'does not: there the memory going is seen only from exit events or probes'),
    seen: (A, B) => `kmem:rss_stat events: ${A.label} ${obs(A, (o) => o.rssStat)}; ${B.label} ${obs(B, (o) => o.rssStat)}`,
  },
  exitMmapTracepoint: {
    text: (A, B, a) => has(A, B, a, 'has the mmap:exit_mmap tracepoint', "does not: there an mm's end is seen from probes, rss_stat or its tasks' exit"),
    seen: (A, B) => `mmap:exit_mmap events: ${A.label} ${obs(A, (o) => o.exitMmapEvent)}; ${B.label} ${obs(B, (o) => o.exitMmapEvent)}`,
  },
  reaperNotifierPolicy: {
    text: (A, B, a, b) => `${A}: ${POLICY_WORDS[a] ?? a}; ${B}: ${POLICY_WORDS[b] ?? b}`,
  },
  processMrelease: {
    text: (A, B, a) => has(A, B, a, "has process_mrelease(2) (user space can free a killed process's memory itself)", 'does not'),
  },
  itree: {
    text: (A, B, a) => has(A, B, a, 'runs interval-tree notifiers first (a failing one ends the itree part itself)', 'has hlist notifiers only'),
  },
  finishOnFailure: {
    text: (A, B, a) => has(A, B, a, 'emits finish_task_reaping after a failed attempt too', 'only after a successful one'),
  },
  unableToReapSuppressedOnSkip: {
    text: (A, B, a) => has(A, B, a, 'does not print "unable to reap" once MMF_OOM_SKIP got set meanwhile', 'prints it anyway'),
  },
  reaperTracepoints: {
    text: (A, B, a) => has(A, B, a, 'has the oom reaper tracepoints (mark_victim, wake_reaper, start/finish/skip_task_reaping)', 'does not'),
  },
  maxReapRetries: {
    text: (A, B, a, b) => `${A} tries to reap ${a} times before giving up, ${B} ${b} times`,
    metrics: (a, b) => [{ id: 'attempts', sign: Math.sign(b - a) }],
  },
  retrySleepMs: {
    text: (A, B, a, b) => `${A} sleeps ${a} ms between reap attempts, ${B} ${b} ms`,
  },
};

/** Capabilities in the order the differences are listed: the ones the model page lists first. */
const ORDER: (keyof Capabilities)[] = [
  'reaperDelayMs', 'hlistEndOnFailure', 'markVictimExtended', 'exitMmapSelfReap', 'exitMmapSetsSkip', 'rssStat', 'exitMmapTracepoint', 'reaperNotifierPolicy',
  'processMrelease', 'itree', 'finishOnFailure', 'unableToReapSuppressedOnSkip', 'reaperTracepoints', 'maxReapRetries', 'retrySleepMs',
];

export function expectedDifferences(A: GroupProfile, B: GroupProfile): ExpectedDifference[] {
  const out: ExpectedDifference[] = [];
  const names = [...ORDER, ...(Object.keys(A.captures[0]?.caps ?? {}) as (keyof Capabilities)[]).filter((k) => !ORDER.includes(k))];
  for (const cap of names) {
    const a = valueOf(A, (c) => c.caps[cap]);
    const b = valueOf(B, (c) => c.caps[cap]);
    if (a.text === b.text) continue;
    const w = WORDS[cap] as CapWords<unknown> | undefined;
    const both = a.value !== undefined && b.value !== undefined;
    const text = w && both ? w.text(A.label, B.label, a.value, b.value) : `${cap}: ${A.label} ${a.text}, ${B.label} ${b.text}`;
    out.push({
      capability: cap,
      baseline: a.text,
      group: b.text,
      text,
      seen: w?.seen?.(A, B),
      metrics: w?.metrics && both ? w.metrics(a.value, b.value).filter((m) => m.sign !== 0) : [],
    });
  }
  // A format the traces show that no capability names: how rss_stat names its counter.
  const fa = valueOf(A, (c) => c.observations.rssFormat);
  const fb = valueOf(B, (c) => c.observations.rssFormat);
  if (fa.value && fb.value && fa.value !== fb.value) {
    out.push({
      capability: 'rss_stat format',
      baseline: fa.text,
      group: fb.text,
      text: `${A.label} prints kmem:rss_stat's counter as ${RSS_WORDS[fa.value] ?? fa.value}, ${B.label} as ${RSS_WORDS[fb.value] ?? fb.value} (the change of 5.13/5.14): a format difference the parser reads both ways`,
      seen: `kmem:rss_stat events: ${A.label} ${obs(A, (o) => o.rssFormat === fa.value)} with ${fa.value}; ${B.label} ${obs(B, (o) => o.rssFormat === fb.value)} with ${fb.value}`,
      metrics: [],
    });
  }
  return out;
}

/** The expected difference that predicts a change of this metric in this direction, if any. */
export function predicted(metricId: string, sign: number, diffs: readonly ExpectedDifference[]): string | undefined {
  for (const d of diffs) {
    for (const m of d.metrics) {
      const hit = m.id === metricId || (m.id.endsWith('*') && metricId.startsWith(m.id.slice(0, -1)));
      if (hit && m.sign === sign) return `${d.capability} ${d.baseline} → ${d.group}`;
    }
  }
  return undefined;
}
