import type { Profile } from './profile.ts';
import { v4_19 } from './v4_19.ts';

export const v5_2: Profile = {
  id: '5.2',
  label: '5.2-5.4',
  since: [5, 2],
  caps: { ...v4_19.caps },
  notes: 'blockable carried in range flags; pairing unchanged (5.4.y never got the fix)',
};
