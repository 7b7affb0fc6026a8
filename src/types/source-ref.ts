// How a source reference is printed in evidence lines: `file:line` for text,
// `file cpuN #record @0xoffset` for a record of a binary trace.
import type { SourceRef } from './event.ts';

export function formatSourceRef(src: SourceRef): string {
  // Text lines count from 1: line 0 is a place in a binary file known by its offset only.
  if (src.record === undefined) return src.line > 0 ? `${src.file}:${src.line}` : `${src.file}${src.cpu !== undefined && src.cpu >= 0 ? ` cpu${src.cpu}` : ''} @0x${src.offset.toString(16)}`;
  const cpu = src.cpu !== undefined && src.cpu >= 0 ? ` cpu${src.cpu}` : '';
  return `${src.file}${cpu} #${src.record} @0x${src.offset.toString(16)}`;
}
