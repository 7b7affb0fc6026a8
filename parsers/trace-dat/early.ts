// Walker threads started from the command line's arguments before the CLI is loaded
// (~100 ms of modules): a large trace.dat named there finds its threads ready when its
// header has been read, instead of waiting ~50 ms more for them to load.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { TRACE_DAT_MAGIC, sniffTraceDat } from './sniff.ts';
import { warmWalkers } from './walker-pool.ts';

/** Warms walker threads for the first argument that is a trace.dat file; any other argument is left to the CLI. */
export function warmForArgs(args: readonly string[]): void {
  for (const a of args) {
    if (a.startsWith('-')) continue;
    try {
      // A regular file only: opening a FIFO (or /dev/stdin) would block, or take its bytes.
      const st = statSync(a, { throwIfNoEntry: false });
      if (!st?.isFile()) continue;
      const head = new Uint8Array(TRACE_DAT_MAGIC.length);
      const fd = openSync(a, 'r');
      try {
        readSync(fd, head, 0, head.length, 0);
      } finally {
        closeSync(fd);
      }
      if (sniffTraceDat(head)) {
        // Whether the command only counts is not known yet: a walk that does starts one more.
        warmWalkers(st.size, false);
        return;
      }
    } catch {
      // Unreadable: the CLI reports it when it opens the inputs.
    }
  }
}
