// How a source reference is printed: every channel (terminal, page, notebook) cites a
// line through this one function.
import { basename } from 'node:path';
import type { SourceRef } from './event.ts';
import { safe } from './terminal-text.ts';

/** `file:line`, with the file's base name (the full path is in --json); control characters escaped. */
export function formatSourceRef(src: SourceRef): string {
  return `${safe(basename(src.file))}:${src.line}`;
}
