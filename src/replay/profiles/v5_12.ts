import type { Profile } from './profile.ts';
import { v5_5 } from './v5_5.ts';

export const v5_12: Profile = {
  id: '5.12',
  label: '5.12-5.14',
  since: [5, 12],
  caps: { ...v5_5.caps, hlistEndOnFailure: true },
  notes: 'pairing fix c2655835: a failed start calls every hlist notifier end inside the start',
};
