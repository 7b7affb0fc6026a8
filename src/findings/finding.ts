// A verdict and what it rests on. Every finding names the rule of the reference
// model (docs/model.md#rules) it applies, its evidence level, whether the model
// says the behaviour is expected on this kernel, and the lines that prove it.
import type { SourceRef } from '../types/event.ts';

export type Level = 'proven' | 'suggested' | 'inconclusive';

export type FindingKind =
  | 'unpaired_invalidate'
  | 'premature_victim'
  | 'gate_breach'
  | 'gate_bypass'
  | 'unnotified_reap'
  | 'itree_leak_risk'
  | 'missing_events'
  /** Found by a detector registered from outside (see replay/detectors/index.ts). */
  | (string & {});

export interface Evidence {
  src: SourceRef;
  ts?: bigint;
  /** What this line shows, in a few words. */
  what: string;
}

export interface Finding {
  kind: FindingKind;
  rule: string;
  level: Level;
  /** Behaviour the model predicts on this kernel (by design, or the known bug of its family). */
  expected: boolean;
  victim?: { pid: number; mm?: string };
  /** Notifier instance (module or callback symbol) when the finding is about one. */
  notifier?: string;
  /** How many occurrences the finding stands for (e.g. unpaired calls). */
  count?: number;
  message: string;
  /** Why the level is not higher (lost events, a missing event type, no probes). */
  why?: string;
  evidence: Evidence[];
}

/** The evidence an event (or what is kept of it) gives. */
export const cite = (e: { src: SourceRef; ts: bigint }, what: string): Evidence => ({ src: e.src, ts: e.ts, what });

/**
 * Evidence lists stay readable: the first few, and the last, of many. Taken as the
 * evidence comes, so a rule over thousands of calls does not hold them all first.
 */
export class EvidenceSample {
  private head: Evidence[] = [];
  private last?: Evidence;

  constructor(private readonly keep = 6) {}

  push(...es: Evidence[]): void {
    for (const e of es) {
      if (this.head.length < this.keep - 1) this.head.push(e);
      else this.last = e;
    }
  }

  /** The first keep - 1 and the last; all of them when there are no more than keep. */
  list(): Evidence[] {
    return this.last ? [...this.head, this.last] : [...this.head];
  }
}

export function sampleEvidence(all: readonly Evidence[], keep = 6): Evidence[] {
  const s = new EvidenceSample(keep);
  for (const e of all) s.push(e);
  return s.list();
}

const RANK: Record<Level, number> = { inconclusive: 0, suggested: 1, proven: 2 };

/** The weaker of two levels. */
export function weaker(a: Level, b: Level): Level {
  return RANK[a] <= RANK[b] ? a : b;
}
