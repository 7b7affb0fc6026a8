import type { Profile } from './profile.ts';
import { v5_12 } from './v5_12.ts';

export const v5_15: Profile = {
  id: '5.15',
  label: '5.15-5.17',
  since: [5, 15],
  caps: { ...v5_12.caps, processMrelease: true },
  notes: 'process_mrelease(2) can reap without oom tracepoints',
};
