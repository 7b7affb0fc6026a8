// How a source reference is printed in evidence lines: `file:line` for text,
// `file cpuN #record @0xoffset` for a record of a binary trace.
import type { SourceRef } from './event.ts';

export function formatSourceRef(src: SourceRef): string {
  if (src.record === undefined) return `${src.file}:${src.line}`;
  const cpu = src.cpu !== undefined && src.cpu >= 0 ? ` cpu${src.cpu}` : '';
  return `${src.file}${cpu} #${src.record} @0x${src.offset.toString(16)}`;
}
