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

export const PROFILES: readonly Profile[] = [v4_12, v4_13, v4_14, v4_16, v4_17, v4_19, v5_2, v5_5, v5_12, v5_15, v5_18, v6_1, v6_9];

/** The family a `major.minor` version belongs to. */
export function familyOf(major: number, minor: number): Profile {
  let found = PROFILES[0]!;
  for (const p of PROFILES) if (major > p.since[0] || (major === p.since[0] && minor >= p.since[1])) found = p;
  return found;
}
