import type { Profile } from './profile.ts';
import { v4_14 } from './v4_14.ts';

export const v4_16: Profile = {
  id: '4.16',
  label: '4.16',
  since: [4, 16],
  caps: { ...v4_14.caps, reaperNotifierPolicy: 'SKIP_BLOCKABLE' },
  notes: 'only mms with a blockable notifier are skipped; others reaped with blocking, always paired calls',
};
