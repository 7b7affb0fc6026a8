// Declared needs, checked against delivered events. Every decoder names the event it
// decodes (src/normalize DECODERS) and every detector the events it requires; the
// ingest filter is their union, so nothing the model reads is filtered out and nothing
// else is built. After the parse, a need is met only by events that were delivered
// and decoded: an event that is absent, undecodable or lost gives an unmet need, which
// becomes an inconclusive finding naming the event and the diagnostic.
import type { DiagnosticCode } from '../../parsers/common/diagnostics.ts';
import type { SourceRef } from '../types/event.ts';
import { DECODED_EVENTS } from '../normalize/needs.ts';
import type { Coverage } from './coverage.ts';

/** `system:name`, as the inputs print it after name resolution. */
export type EventName = `${string}:${string}`;

/** The events the model's decoders read, and every kprobe (the mmu_notifier and reaper probes). */
export const MODEL_EVENTS: readonly string[] = DECODED_EVENTS;

/** The ingest filter: what the decoders read plus what `requires` lists name. */
export function ingestFilter(requires: readonly (readonly string[])[] = []): string[] {
  return [...new Set([...MODEL_EVENTS, ...requires.flat()])];
}

export interface UnmetNeed {
  /** The alternatives of the need (any one would do). */
  need: readonly string[];
  /** The event the finding names: the undecodable one, else the first alternative. */
  event: string;
  why: 'absent' | 'undecodable' | 'lost';
  /** The diagnostic behind it and its first line (none for an event the inputs never hold). */
  code?: DiagnosticCode;
  first?: SourceRef;
}

/** Events of `name` the model could read. */
export const usable = (cov: Coverage, name: string): number => {
  const t = cov.delivered.get(name);
  return t ? t.delivered - t.undecodable : 0;
};

/** Undefined when one alternative of `need` was delivered and decoded; else what went wrong. */
export function unmetNeed(cov: Coverage, need: readonly string[]): UnmetNeed | undefined {
  if (need.length === 0 || need.some((n) => usable(cov, n) > 0)) return undefined;
  const bad = need.find((n) => (cov.delivered.get(n)?.undecodable ?? 0) > 0);
  if (bad) return { need, event: bad, why: 'undecodable', code: 'field_decode_failed', first: cov.delivered.get(bad)!.firstUndecodable };
  const loss = cov.losses[0];
  if (loss) return { need, event: need[0]!, why: 'lost', code: loss.kind === 'unreadable_line' ? 'malformed_line' : loss.kind, first: loss.src };
  return { need, event: need[0]!, why: 'absent' };
}

/** The sentence an unmet need is reported with. */
export function describeUnmet(u: UnmetNeed): string {
  const alts = u.need.join(' or ');
  const at = u.first ? ` (${u.code}, first at ${u.first.file}:${u.first.line})` : u.code ? ` (${u.code})` : '';
  if (u.why === 'undecodable') return `${u.event} events were delivered but none decoded${at}: the model cannot read ${alts}`;
  if (u.why === 'lost') return `no usable ${alts} event, and the inputs lost events${at}: it may be among them`;
  return `the inputs hold no ${alts} event`;
}
