import type { Profile } from './profile.ts';
import { v4_12 } from './v4_12.ts';

export const v4_13: Profile = {
  id: '4.13',
  label: '4.13',
  since: [4, 13],
  caps: { ...v4_12.caps, reaperTracepoints: true },
  notes: 'reaper tracepoints added; reaper still ignores notifiers',
};
