import type { Profile } from './profile.ts';
import { v5_15 } from './v5_15.ts';

export const v5_18: Profile = {
  id: '5.18',
  label: '5.18-6.0',
  since: [5, 18],
  caps: { ...v5_15.caps, reaperDelayMs: 2000 },
  notes: 'the reaper starts 2 s after the kill (timer); skipped if MMF_OOM_SKIP is set by then',
};
