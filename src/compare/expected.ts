// What the kernel model predicts will differ between two groups: the capabilities of
// their profiles (docs/model.md#capabilities) that differ, in words, each with what the
// traces themselves show about it where they can. Kept apart from the measured
// verdicts: a profile difference is a prediction, not a regression.
import { CAPABILITIES, CAPABILITY_NAMES, type CapabilityDescriptor, type CapabilityName } from '../replay/capabilities.ts';
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

// What the traces show about a capability, where they can; the words for the difference
// itself and the metrics it moves are the capability's own (src/replay/capabilities.ts).
const SEEN: Partial<Record<CapabilityName, (A: GroupProfile, B: GroupProfile) => string>> = {
  reaperDelayMs: (A, B) => `selection → wake: ${A.label} ${medianWake(A)}; ${B.label} ${medianWake(B)}`,
  hlistEndOnFailure: (A, B) => {
    const part = (g: GroupProfile) => {
      const at = g.captures.reduce((n, c) => n + c.observations.startsOkInFailedCalls, 0);
      const ended = g.captures.reduce((n, c) => n + c.observations.endsInsideFailedStart, 0);
      return at ? `${g.label}: ended inside the failed start for ${ended} of ${at} victim${at === 1 ? '' : 's'} with a notifier start that succeeded in a failed call` : `${g.label}: no notifier start succeeded inside a failed call (nothing to pair)`;
    };
    return `${part(A)}; ${part(B)}`;
  },
  markVictimExtended: (A, B) => `extended mark_victim: ${A.label} ${ofVictims(A, (v) => v.markExtended)}; ${B.label} ${ofVictims(B, (v) => v.markExtended)}`,
  exitMmapSelfReap: (A, B) => {
    const part = (g: GroupProfile) =>
      g.captures.some((c) => c.observations.reapProbe)
        ? `${g.label} ${ofVictims(g, (v) => v.selfReaps > 0, (v) => g.captures.find((c) => c.name === v.capture)?.observations.reapProbe === true)}`
        : `${g.label} not traced (no kprobe on __oom_reap_task_mm)`;
    return `victims whose exit ran __oom_reap_task_mm: ${part(A)}; ${part(B)}`;
  },
  rssStat: (A, B) => `kmem:rss_stat events: ${A.label} ${obs(A, (o) => o.rssStat)}; ${B.label} ${obs(B, (o) => o.rssStat)}`,
  exitMmapTracepoint: (A, B) => `mmap:exit_mmap events: ${A.label} ${obs(A, (o) => o.exitMmapEvent)}; ${B.label} ${obs(B, (o) => o.exitMmapEvent)}`,
};

export function expectedDifferences(A: GroupProfile, B: GroupProfile): ExpectedDifference[] {
  const out: ExpectedDifference[] = [];
  for (const cap of CAPABILITY_NAMES) {
    const a = valueOf(A, (c) => c.caps[cap]);
    const b = valueOf(B, (c) => c.caps[cap]);
    if (a.text === b.text) continue;
    const d = CAPABILITIES[cap] as CapabilityDescriptor<unknown>;
    const both = a.value !== undefined && b.value !== undefined;
    out.push({
      capability: cap,
      baseline: a.text,
      group: b.text,
      text: both ? d.differs(A.label, B.label, a.value, b.value) : `${cap}: ${A.label} ${a.text}, ${B.label} ${b.text}`,
      seen: SEEN[cap]?.(A, B),
      metrics: d.predicts && both ? d.predicts(a.value, b.value).filter((m) => m.sign !== 0).map((m) => ({ id: m.metric, sign: m.sign })) : [],
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
