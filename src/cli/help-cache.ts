// yargs renders a command's whole help text right after calling its handler, and keeps it
// for a later showHelp() from inside the handler (yargs' command.js, cacheHelpMessage). No
// handler here calls showHelp, and usage errors go through .fail(): the rendering (~20 ms
// of every run, on the main thread before the first input is opened) is skipped.
import type { Argv } from 'yargs';

interface UsageInternals {
  cacheHelpMessage?: () => void;
}

/** Turns the help cache off; false when this yargs has no such hook (the help is then rendered as before). */
export function skipHelpCache(parser: Argv<unknown>): boolean {
  const internals = (parser as unknown as { getInternalMethods?: () => { getUsageInstance?: () => UsageInternals } }).getInternalMethods?.();
  const usage = internals?.getUsageInstance?.();
  if (typeof usage?.cacheHelpMessage !== 'function') return false;
  usage.cacheHelpMessage = () => undefined;
  return true;
}
