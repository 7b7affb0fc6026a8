// Every version family, oldest first. Adding a family is adding a file and a line here.
import type { Profile } from './profile.ts';
import { v4_12 } from './v4_12.ts';
import { v4_13 } from './v4_13.ts';
import { v4_14 } from './v4_14.ts';
import { v4_16 } from './v4_16.ts';
import { v4_17 } from './v4_17.ts';
import { v4_19 } from './v4_19.ts';
import { v5_2 } from './v5_2.ts';
import { v5_5 } from './v5_5.ts';
import { v5_12 } from './v5_12.ts';
import { v5_15 } from './v5_15.ts';
import { v5_18 } from './v5_18.ts';
import { v6_1 } from './v6_1.ts';
import { v6_9 } from './v6_9.ts';

export type { Profile } from './profile.ts';

/** Family ids; a family is added here and in BY_ID, and tsc holds the two together. */
export type ProfileId = '4.12' | '4.13' | '4.14' | '4.16' | '4.17' | '4.19' | '5.2' | '5.5' | '5.12' | '5.15' | '5.18' | '6.1' | '6.9';

export const BY_ID: Readonly<Record<ProfileId, Profile>> = {
  '4.12': v4_12, '4.13': v4_13, '4.14': v4_14, '4.16': v4_16, '4.17': v4_17, '4.19': v4_19,
  '5.2': v5_2, '5.5': v5_5, '5.12': v5_12, '5.15': v5_15, '5.18': v5_18, '6.1': v6_1, '6.9': v6_9,
};

/** Every family, oldest first. */
export const PROFILES: readonly Profile[] = Object.values(BY_ID).sort((a, b) => a.since[0] - b.since[0] || a.since[1] - b.since[1]);

/** The family a `major.minor` version belongs to. */
export function familyOf(major: number, minor: number): Profile {
  let found = PROFILES[0]!;
  for (const p of PROFILES) if (major > p.since[0] || (major === p.since[0] && minor >= p.since[1])) found = p;
  return found;
}
