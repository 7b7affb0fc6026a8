// The detectors every analysis runs, and the extension point for more: a detector
// names the events it needs; when an input lacks one, it is not run and an
// inconclusive finding names what is missing, instead of a verdict on no data.
import type { Finding } from '../../findings/finding.ts';
import type { Coverage } from '../coverage.ts';
import type { ModelState } from '../state.ts';
import { detectUnpaired } from './unpaired.ts';
import { detectPremature } from './premature.ts';
import { ReaplayError } from '../../types/errors.ts';

export interface DetectorContext {
  state: ModelState;
  coverage: Coverage;
}

export interface Detector {
  /** Unique id, e.g. `unpaired-invalidate`. */
  id: string;
  /** `system:name` of the events it cannot work without (any one of each inner list will do). */
  requires: readonly (readonly string[])[];
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

/** Run every registered detector, or say which events one of them lacks. */
export function runDetectors(ctx: DetectorContext): Finding[] {
  const out: Finding[] = [];
  for (const d of registry.values()) {
    const missing = d.requires.filter((any) => !any.some((n) => ctx.coverage.present.has(n)));
    if (missing.length) {
      if (ctx.state.victims.length === 0) continue;
      out.push({
        kind: 'missing_events', rule: `${d.id}:requires`, level: 'inconclusive', expected: false,
        message: `detector ${d.id} did not run`,
        why: `the inputs hold none of: ${missing.map((m) => m.join(' or ')).join('; ')}`,
        evidence: [],
      });
      continue;
    }
    out.push(...d.detect(ctx));
  }
  return out;
}

registerDetector({ id: 'unpaired-invalidate', requires: [], detect: ({ state, coverage }) => detectUnpaired(state, coverage) });
registerDetector({
  id: 'premature-victim',
  requires: [['oom:mark_victim', 'printk:console']],
  detect: ({ state, coverage }) => detectPremature(state, coverage, coverage.present.has('oom:mark_victim')),
});
