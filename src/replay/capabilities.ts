// What a kernel does, as a set of capabilities (docs/model.md#capabilities). A version
// family only supplies defaults; backports, trace evidence and the user refine them.
import { ReaplayError } from '../types/errors.ts';

export type NotifierPolicy = 'IGNORE' | 'SKIP_ANY' | 'SKIP_BLOCKABLE' | 'NONBLOCK';
export type ExitSkip = 'AFTER_TEARDOWN' | 'AFTER_UNMAP_ALL' | 'AFTER_UNMAP_VICTIM' | 'SELF_REAP_THEN_SKIP';

export interface Capabilities {
  /** mark_victim, wake_reaper, start/finish/skip_task_reaping exist (4.13+). */
  reaperTracepoints: boolean;
  /** What the reaper does with an mm that has mmu notifiers. */
  reaperNotifierPolicy: NotifierPolicy;
  /** Delay between queueing a victim and waking the reaper (2 s from 5.18 and LTS backports). */
  reaperDelayMs: number;
  /** A failed non-blocking start calls every hlist notifier's end inside the start (c2655835). */
  hlistEndOnFailure: boolean;
  /** Interval-tree notifiers run first; a failure there ends the itree part itself (5.5+). */
  itree: boolean;
  /** When exit sets MMF_OOM_SKIP (docs/model.md#state-victim). */
  exitMmapSetsSkip: ExitSkip;
  /** exit_mmap of a victim runs the reap routine itself (4.17-6.0). */
  exitMmapSelfReap: boolean;
  /** finish_task_reaping is emitted after a failed attempt too (4.19+). */
  finishOnFailure: boolean;
  /** "unable to reap" is not printed if MMF_OOM_SKIP got set meanwhile (4.17+). */
  unableToReapSuppressedOnSkip: boolean;
  markVictimExtended: boolean;
  rssStat: boolean;
  exitMmapTracepoint: boolean;
  processMrelease: boolean;
  maxReapRetries: number;
  retrySleepMs: number;
}

export type CapabilityName = keyof Capabilities;

export const BASE: Capabilities = {
  reaperTracepoints: true,
  reaperNotifierPolicy: 'NONBLOCK',
  reaperDelayMs: 0,
  hlistEndOnFailure: false,
  itree: false,
  exitMmapSetsSkip: 'SELF_REAP_THEN_SKIP',
  exitMmapSelfReap: true,
  finishOnFailure: true,
  unableToReapSuppressedOnSkip: true,
  markVictimExtended: false,
  rssStat: false,
  exitMmapTracepoint: false,
  processMrelease: false,
  maxReapRetries: 10,
  retrySleepMs: 100,
};

/** Parse `NAME=VALUE` (from --capability) into a typed override; throws with a clear message. */
export function parseCapability(spec: string): Partial<Capabilities> {
  const eq = spec.indexOf('=');
  if (eq < 0) throw new ReaplayError('bad_capability', `--capability ${spec}: expected NAME=VALUE`);
  const name = spec.slice(0, eq) as CapabilityName;
  const raw = spec.slice(eq + 1);
  if (!(name in BASE)) throw new ReaplayError('bad_capability', `--capability ${spec}: unknown capability; one of ${Object.keys(BASE).join(', ')}`);
  const kind = typeof BASE[name];
  if (kind === 'boolean') {
    if (raw !== 'true' && raw !== 'false') throw new ReaplayError('bad_capability', `--capability ${spec}: expected true or false`);
    return { [name]: raw === 'true' };
  }
  if (kind === 'number') {
    if (!/^\d+$/.test(raw)) throw new ReaplayError('bad_capability', `--capability ${spec}: expected a whole number`);
    return { [name]: Number(raw) };
  }
  return { [name]: raw } as Partial<Capabilities>;
}
