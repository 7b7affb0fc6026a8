import { BASE } from '../capabilities.ts';
import type { Profile } from './profile.ts';

export const v4_12: Profile = {
  id: '4.12',
  label: '<=4.12',
  since: [4, 6],
  caps: { ...BASE, reaperTracepoints: false, reaperNotifierPolicy: 'IGNORE', finishOnFailure: false, unableToReapSuppressedOnSkip: false, exitMmapSetsSkip: 'AFTER_TEARDOWN', exitMmapSelfReap: false },
  notes: 'reaper unmaps private memory without calling notifiers; no reaper tracepoints',
};
