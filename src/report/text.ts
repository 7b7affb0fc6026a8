// Helpers for text a person reads in a terminal. Process names and paths come from
// the traced system and are attacker-controlled: control characters are escaped so
// they cannot move the cursor or recolour the terminal.
import { basename } from 'node:path';
import type { SourceRef } from '../types/event.ts';
import { formatNs } from '../../parsers/common/timestamp.ts';
import { terminalSafe } from '../types/escape-terminal.ts';

/** Terminal text: controls and bidi overrides as visible escapes (src/types/escape-terminal.ts). */
export const safe = terminalSafe;

/** Seconds with microseconds, as the kernel prints them. */
export const secs = (ns: bigint): string => formatNs(ns).slice(0, -3);

/** A duration in readable units. */
export function dur(ns: bigint): string {
  const a = ns < 0n ? -ns : ns;
  if (a >= 1_000_000_000n) return `${(Number(ns) / 1e9).toFixed(3)} s`;
  if (a >= 1_000_000n) return `${(Number(ns) / 1e6).toFixed(1)} ms`;
  return `${(Number(ns) / 1e3).toFixed(0)} µs`;
}

/** `file:line`, with the file's base name (the full path is in --json). */
export const at = (src: SourceRef): string => `${safe(basename(src.file))}:${src.line}`;
