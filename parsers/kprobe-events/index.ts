// Importer for the text of /sys/kernel/tracing/kprobe_events. It emits no events: each
// definition is registered with the event names, so kprobe events read from other inputs
// resolve to their group and decode with their argument types.
import type { FormatImporter, LineReader, ParseContext } from '../importer.ts';
import type { StreamMeta } from '../../src/types/event.ts';
import { isRemoval, parseKprobeDefinition } from './parse.ts';

export { DEFAULT_GROUP, isRemoval, parseKprobeDefinition } from './parse.ts';

const SNIFF_LINES = 64;
const HEAD_BYTES = 64 * 1024;
const NOWHERE = { file: '', line: 0, offset: 0 };

function isSkipped(line: string): boolean {
  const t = line.trim();
  return t === '' || t.startsWith('#');
}

function sniff(head: string): number {
  const lines = head.split('\n');
  // A full-size head may stop inside its last line.
  if (head.length >= HEAD_BYTES && lines.length > 1) lines.pop();
  let defs = 0;
  let other = 0;
  for (const line of lines) {
    if (defs + other >= SNIFF_LINES) break;
    if (isSkipped(line)) continue;
    if (isRemoval(line) || parseKprobeDefinition(line, NOWHERE)) defs++;
    else other++;
  }
  if (defs === 0) return 0;
  if (other === 0) return 0.95;
  return defs > other ? 0.5 : 0.1;
}

function createReader(ctx: ParseContext, meta: StreamMeta): LineReader {
  return {
    line(buf, start, end, lineNo, offset) {
      const line = buf.toString('utf8', start, end);
      if (isSkipped(line) || isRemoval(line)) return;
      const src = { file: meta.file, line: lineNo, offset };
      const def = parseKprobeDefinition(line, src);
      if (def) ctx.names.addKprobe(def);
      else ctx.diag.add('bad_definition', src, line.length > 200 ? `${line.slice(0, 200)}…` : line);
    },
    end() {},
  };
}

export const kprobeEventsImporter: FormatImporter = {
  name: 'kprobe-events',
  priority: 10,
  sniff,
  createReader,
};
