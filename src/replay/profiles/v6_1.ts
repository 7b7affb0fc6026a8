import type { Profile } from './profile.ts';
import { v5_18 } from './v5_18.ts';

export const v6_1: Profile = {
  id: '6.1',
  label: '6.1-6.8',
  since: [6, 1],
  caps: { ...v5_18.caps, exitMmapSetsSkip: 'AFTER_UNMAP_ALL', exitMmapSelfReap: false, exitMmapTracepoint: true },
  notes: 'exit_mmap is no longer OOM-special: MMF_OOM_SKIP for every mm after the unmap; mmap:exit_mmap tracepoint',
};
