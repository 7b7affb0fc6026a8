import type { Profile } from './profile.ts';
import { v4_16 } from './v4_16.ts';

export const v4_17: Profile = {
  id: '4.17',
  label: '4.17-4.18',
  since: [4, 17],
  caps: { ...v4_16.caps, exitMmapSetsSkip: 'SELF_REAP_THEN_SKIP', exitMmapSelfReap: true, unableToReapSuppressedOnSkip: true },
  notes: 'exit_mmap reaps a victim itself and sets MMF_OOM_SKIP before its teardown',
};
