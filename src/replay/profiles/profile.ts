// A kernel version family: its first version and its default capabilities.
import type { Capabilities } from '../capabilities.ts';

export interface Profile {
  /** Family id, e.g. `5.12`; `--kernel` and `--as-kernel` pick the family that contains a version. */
  id: string;
  /** Human label, e.g. `5.12-5.17`. */
  label: string;
  /** First version of the family. */
  since: readonly [number, number];
  caps: Capabilities;
  /** What changed at this family's start, for the report. */
  notes: string;
}
