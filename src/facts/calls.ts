// The invalidate calls of a victim's mm in each named scope (see types.ts), and their tallies.
import type { CoreCall } from '../replay/state.ts';
import type { CallTally, NotifierTally } from './types.ts';
import { asNs } from '../types/time.ts';

// Which calls belong to a victim's mm is the model's (src/replay/mm-calls.ts): settling a victim reads it too.
export { TEARDOWN_NS, callsInAttempts, callsOverMmLifetime } from '../replay/mm-calls.ts';

const failed = (c: { retval?: number }): boolean => c.retval !== undefined && c.retval < 0;

export function tally(calls: readonly CoreCall[]): CallTally {
  const notifiers: Record<string, NotifierTally> = {};
  for (const c of calls) {
    for (const cb of c.callbacks) {
      const n = (notifiers[cb.instance] ??= { starts: 0, startsOk: 0, startsFailed: 0, ends: 0, endsInsideFailedStart: 0, first: { ts: asNs(cb.entry.ts), src: cb.entry.src } });
      if (cb.phase === 'start') {
        n.starts++;
        if (cb.retval === 0) n.startsOk++;
        else if (failed(cb)) {
          n.startsFailed++;
          n.failedWith ??= cb.retval;
        }
      } else {
        n.ends++;
        if (failed(c)) n.endsInsideFailedStart++;
      }
    }
  }
  const failedCalls = calls.filter(failed);
  return {
    starts: calls.length,
    startsNonblock: calls.filter((c) => c.blockable === false).length,
    failed: failedCalls.length,
    failedWith: failedCalls[0]?.retval,
    ended: calls.filter((c) => c.endCall).length,
    unpaired: calls.filter((c) => !c.endCall).length,
    notifiers,
  };
}
