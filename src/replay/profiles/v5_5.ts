import type { Profile } from './profile.ts';
import { v5_2 } from './v5_2.ts';

export const v5_5: Profile = {
  id: '5.5',
  label: '5.5-5.11',
  since: [5, 5],
  caps: { ...v5_2.caps, itree: true, rssStat: true },
  notes: 'interval-tree notifiers run first; hlist notifiers still left unpaired on failure; kmem:rss_stat',
};
