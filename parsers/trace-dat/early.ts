// Walker threads started from the command line's arguments before the CLI is loaded
// (~100 ms of modules): a large trace.dat named there finds its threads ready when its
// header has been read, instead of waiting ~50 ms more for them to load. The process's
// optimizing compiler is tuned for it here too, before any code is hot.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { TRACE_DAT_MAGIC, sniffTraceDat } from './sniff.ts';
import { warmWalkers } from './walker-pool.ts';

/** Warms walker threads for the first argument that is a trace.dat file; any other argument is left to the CLI. */
export function warmForArgs(args: readonly string[]): void {
  // `parse --stats` without --out only counts (src/cli/commands/parse.ts): every core walks.
  // A wrong guess costs little: the reader starts what is missing, and stops what is left over.
  const parse = args[0] === 'parse';
  const counting = parse && args.includes('--stats') && !args.some((a) => a === '--out' || a.startsWith('--out='));
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
        // The model's commands build few of a trace.dat's records (the haystack's: 86 k of
        // 5.6 M) but run them through much code: inlining compiles (on 2 cores, beside the
        // walker) cost more than they gain (haystack-dat check: 0.89x wall and CPU without).
        // Not for parse, which builds every record (JSONL: 1.03x slower without) or counts
        // them (1.05x), nor for text (11 M lines through few hot loops: 1.46x slower).
        if (!parse) setFlagsFromString('--no-turbo-inlining');
        warmWalkers(st.size, counting);
        return;
      }
    } catch {
      // Unreadable: the CLI reports it when it opens the inputs.
    }
  }
}
