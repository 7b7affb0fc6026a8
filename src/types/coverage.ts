// What the model received of one event name: counted by the timeline as the events
// arrive, read by the needs check (replay) and printed by the facts.
import type { SourceRef } from './event.ts';

export interface EventTally {
  delivered: number;
  /** Events whose text did not decode (kept raw; the model cannot read them). */
  undecodable: number;
  /** The first undecodable line. */
  firstUndecodable?: SourceRef;
}
