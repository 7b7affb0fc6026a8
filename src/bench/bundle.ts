// What `npm run bench` times is what an installed reaplay runs: the bundle of `npm run
// build` (`bin/reaplay.js`), built from the sources first; through tsx each run would
// also pay for compiling the sources (~0.3 s).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../testing/captures.ts';

/** The installed entry point's command line. */
export const REAPLAY = [process.execPath, join(REPO_ROOT, 'bin/reaplay.js')];

let built = false;

/** Builds the bundle once per bench run. */
export function buildBundle(): void {
  if (built) return;
  execFileSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts/build.ts')], { cwd: REPO_ROOT, stdio: 'ignore' });
  built = true;
}
