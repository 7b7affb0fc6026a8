// How a source reference is printed: every channel (terminal, page, notebook) cites a
// line through this one function: `file:line` for text, `file cpuN #record @0xoffset`
// for a record of a binary trace (`file NAME cpuN ...` in a trace.dat instance). The file's base name only (the full path is in --json);
// control characters escaped.
import { basename } from 'node:path';
import type { SourceRef } from './event.ts';
import { safe } from './terminal-text.ts';

export function formatSourceRef(src: SourceRef): string {
  const file = safe(basename(src.file));
  // An instance's CPU is not the top buffer's CPU of the same number: named with it.
  const cpu = (src.instance !== undefined ? ` ${safe(src.instance)}` : '') + (src.cpu !== undefined && src.cpu >= 0 ? ` cpu${src.cpu}` : '');
  // Text lines count from 1: line 0 is a place in a binary file known by its offset only.
  if (src.record === undefined) return src.line > 0 ? `${file}:${src.line}` : `${file}${cpu} @0x${src.offset.toString(16)}`;
  return `${file}${cpu} #${src.record} @0x${src.offset.toString(16)}`;
}
