import type { Profile } from './profile.ts';
import { v6_1 } from './v6_1.ts';

export const v6_9: Profile = {
  id: '6.9',
  label: '>=6.9',
  since: [6, 9],
  caps: { ...v6_1.caps, markVictimExtended: true },
  notes: 'mark_victim carries comm, RSS, uid, pgtables and oom_score_adj',
};
