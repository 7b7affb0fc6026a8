// The detectors every analysis runs, and the extension point for more: a detector
// names the events it needs; when an input lacks one, it is not run and an
// inconclusive finding names what is missing, instead of a verdict on no data.
import type { Finding } from '../../findings/finding.ts';
import { lostHeads, lostTails, type Coverage } from '../coverage.ts';
import { formatSourceRef } from '../../types/source-ref.ts';
import type { DataLoss } from '../../types/event.ts';
import type { ReplayedTimeline } from '../replayed.ts';
import type { ResolvedProfile } from '../kernel.ts';
import { detectUnpaired } from './unpaired.ts';
import { detectPremature } from './premature.ts';
import { ReaplayError } from '../../types/errors.ts';
import { describeUnmet, unmetNeed, usable, type EventName, type UnmetNeed } from '../needs.ts';
import type { Evidence } from '../../findings/finding.ts';

/** What a detector is given: never the model's working state nor the parser's tables. */
export interface DetectorContext {
  /** What the replay made of the timeline: victims, attempts, calls, selections (read-only). */
  timeline: ReplayedTimeline;
  /** The findings so far: of the model's own needs and of the detectors that ran before this one. */
  findings: readonly Finding[];
  /** Per event name what was delivered and what failed to decode; the data-loss windows. */
  coverage: Coverage;
  /** The kernel profile the replay was settled under (`profile.caps`), and how it was arrived at. */
  profile: ResolvedProfile;
}

export interface Detector {
  /** Unique id, e.g. `unpaired-invalidate`. */
  id: string;
  /**
   * `system:name` of the events it cannot work without (any one of each inner list will do).
   * They join the ingest filter; a need is met only by events delivered and decoded.
   */
  requires: readonly (readonly EventName[])[];
  detect(ctx: DetectorContext): Finding[];
}

const registry = new Map<string, Detector>();

export function registerDetector(d: Detector): void {
  if (registry.has(d.id)) throw new ReaplayError('duplicate_detector', `a detector with id '${d.id}' is already registered`);
  registry.set(d.id, d);
}

export function unregisterDetector(id: string): boolean {
  return registry.delete(id);
}

export function detectors(): Detector[] {
  return [...registry.values()];
}

/** Every event named by a registered detector's `requires`: they join the ingest filter. */
export function detectorNeeds(): EventName[][] {
  return [...registry.values()].flatMap((d) => d.requires.map((r) => [...r]));
}

const unmetEvidence = (u: UnmetNeed): Evidence[] => (u.first ? [{ src: u.first, what: `${u.event}: ${u.code}` }] : []);

/** The finding an unmet need gives: inconclusive, naming the event, the diagnostic and its first line. */
export function unmetFinding(rule: string, message: string, u: UnmetNeed): Finding {
  return { kind: 'missing_events', rule, level: 'inconclusive', expected: false, message, why: describeUnmet(u), evidence: unmetEvidence(u) };
}

/**
 * The model's own needs: a victim is read from mark_victim or the kernel log's kill line.
 * When neither is usable (absent, undecodable, lost) "no victim" would be a guess.
 */
export const MODEL_REQUIRES: readonly (readonly EventName[])[] = [['oom:mark_victim', 'printk:console']];

/** Inconclusive findings for every event type the model reads that failed to decode somewhere. */
function undecodableFindings(ctx: DetectorContext): Finding[] {
  const out: Finding[] = [];
  for (const [name, t] of ctx.coverage.delivered) {
    if (!t.undecodable) continue;
    const u: UnmetNeed = { need: [name], event: name, why: 'undecodable', code: 'field_decode_failed', first: t.firstUndecodable };
    out.push({
      ...unmetFinding(`COV-UNDECODABLE`, `${t.undecodable} of ${t.delivered} ${name} events did not decode (field_decode_failed, first at ${t.firstUndecodable ? `${t.firstUndecodable.file}:${t.firstUndecodable.line}` : '?'}): what they say is not in the replay`, u),
      count: t.undecodable,
    });
  }
  return out;
}

const secs = (ns: bigint): string => `${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0').slice(0, 6)}`;

/** An inconclusive finding for a CPU whose events are missing over a span (the loss `l` its evidence). */
function cpuLossFinding(rule: string, l: DataLoss, message: string): Finding {
  return {
    kind: 'missing_events',
    rule,
    level: 'inconclusive',
    expected: false,
    message,
    why: `data loss: ${l.kind} on CPU ${l.cpu}`,
    evidence: [{ src: l.src, ts: l.ts, what: `data loss: ${l.kind}` }],
  };
}

/** Inconclusive findings for each CPU whose earlier events were overwritten while other CPUs' were kept. */
function lostHeadFindings(ctx: DetectorContext): Finding[] {
  return lostHeads(ctx.coverage).map((l) => cpuLossFinding('COV-LOST-HEAD', l,
    `CPU ${l.cpu}'s events before ${secs(l.ts!)} were overwritten (${l.kind} at ${formatSourceRef(l.src)}) while other CPUs' go back to ${secs(ctx.coverage.firstTs!)}: a selection, kill or reaper step on CPU ${l.cpu} in between would be missing, so the victims and findings of that span are not complete`));
}

/** Inconclusive findings for each CPU whose events stop (a damaged binary trace) while other CPUs' go on. */
function lostTailFindings(ctx: DetectorContext): Finding[] {
  return lostTails(ctx.coverage).map((l) => cpuLossFinding('COV-LOST-TAIL', l,
    `CPU ${l.cpu}'s events ${l.ts !== undefined ? `stop after ${secs(l.ts)}` : 'are missing from its first page'} (${l.kind} at ${formatSourceRef(l.src)}: the file is damaged there) while other CPUs' go on to ${secs(ctx.coverage.lastTs!)}: a selection, kill or reaper step on CPU ${l.cpu} in between would be missing, so the victims and findings of that span are not complete`));
}

/** One inconclusive finding when lines did not parse: any event the model reads may have been among them. */
function unreadableFindings(ctx: DetectorContext): Finding[] {
  const lost = ctx.coverage.losses.filter((l) => l.kind === 'unreadable_line');
  if (lost.length === 0) return [];
  const n = lost.reduce((s, l) => s + (l.count ?? 1), 0);
  const first = lost[0]!;
  return [{
    kind: 'missing_events',
    rule: 'COV-UNREADABLE',
    level: 'inconclusive',
    expected: false,
    count: n,
    message: `${n} line(s) did not parse (malformed_line, binary_data, line_too_long or truncated_line; first at ${formatSourceRef(first.src)}): a mark_victim, kill or reaper line may have been among them; every verdict whose window holds one is inconclusive`,
    why: `data loss: ${n} unreadable line(s)`,
    evidence: lost.slice(0, 3).map((l) => ({ src: l.src, ts: l.ts, what: 'data loss: unreadable line' })),
  }];
}

/** Run every registered detector, or say which events one of them lacks. */
export function runDetectors(input: Omit<DetectorContext, 'findings'>): Finding[] {
  const out: Finding[] = [];
  const ctx: DetectorContext = { ...input, findings: out };
  const modelUnmet = MODEL_REQUIRES.map((r) => unmetNeed(ctx.coverage, r)).find((u) => u !== undefined);
  // Absent kill events in a trace with no victim are a trace of something else; undecodable or lost ones are not.
  if (modelUnmet && (modelUnmet.why !== 'absent' || ctx.timeline.victims.length > 0)) {
    out.push(unmetFinding('MODEL:requires', `the OOM victims cannot be read: ${modelUnmet.event} is not usable`, modelUnmet));
  }
  out.push(...undecodableFindings(ctx));
  out.push(...lostHeadFindings(ctx), ...lostTailFindings(ctx), ...unreadableFindings(ctx));
  for (const d of registry.values()) {
    const unmet = d.requires.map((any) => unmetNeed(ctx.coverage, any)).find((u) => u !== undefined);
    if (unmet) {
      if (ctx.timeline.victims.length === 0 && unmet.why === 'absent') continue;
      out.push(unmetFinding(`${d.id}:requires`, `detector ${d.id} did not run: it needs ${unmet.need.join(' or ')}`, unmet));
      continue;
    }
    out.push(...d.detect({ ...ctx, findings: [...out] }));
  }
  return out;
}

registerDetector({ id: 'unpaired-invalidate', requires: [], detect: ({ timeline, profile, coverage }) => detectUnpaired(timeline, profile.caps, coverage) });
registerDetector({
  id: 'premature-victim',
  requires: [['oom:mark_victim', 'printk:console']],
  detect: ({ timeline, profile, coverage }) => detectPremature(timeline, profile.caps, coverage, usable(coverage, 'oom:mark_victim') > 0),
});
