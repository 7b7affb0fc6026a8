import type { Profile } from './profile.ts';
import { v4_17 } from './v4_17.ts';

export const v4_19: Profile = {
  id: '4.19',
  label: '4.19-5.1',
  since: [4, 19],
  caps: { ...v4_17.caps, reaperNotifierPolicy: 'NONBLOCK', finishOnFailure: true, hlistEndOnFailure: false },
  notes: 'non-blocking invalidate per VMA; a failure skips the VMA, no end: every notifier whose start succeeded is left unpaired',
};
