import type { Profile } from './profile.ts';
import { v4_13 } from './v4_13.ts';

export const v4_14: Profile = {
  id: '4.14',
  label: '4.14-4.15',
  since: [4, 14],
  caps: { ...v4_13.caps, reaperNotifierPolicy: 'SKIP_ANY', exitMmapSetsSkip: 'AFTER_UNMAP_VICTIM' },
  notes: 'an mm with any notifier: the reaper sleeps 1 s and gives up without a tracepoint',
};
