// Round trip of a real capture: ftrace text → events → CSV → csvImporter → same events.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/types/event.ts';
import { essence, exportCsv, importCsv } from './testing.ts';

const traces = fileURLToPath(new URL('../../../shared/traces', import.meta.url));
const capture = `${traces}/6.1/kvm_mn_eagain/ftrace.txt.gz`;

// `comm-pid [cpu] flags secs.frac: name: text`; other lines after an event continue its
// text (multi-line messages), so quoted fields spanning lines are exercised too.
const FTRACE_LINE = /^\s*(.+)-(\d+)\s+(?:\(\s*(?:\d+|-+)\)\s+)?\[(\d+)\]\s+(\S+)\s+(\d+)\.(\d{6,9}):\s+([^:\s]+):\s?(.*)$/;

function ftraceEvents(text: string): TraceEvent[] {
  const events: TraceEvent[] = [];
  let offset = 0;
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const m = FTRACE_LINE.exec(line);
    const prev = events.at(-1);
    if (!m && prev && !line.startsWith('#') && i < lines.length - 1) prev.text += `\n${line}`;
    else if (m) {
      events.push({
        ts: BigInt(m[5]!) * 1_000_000_000n + BigInt(m[6]!.padEnd(9, '0')),
        cpu: Number(m[3]),
        pid: Number(m[2]),
        comm: m[1]!,
        name: `?:${m[7]}`,
        flags: m[4],
        text: m[8]!,
        src: { file: 'ftrace.txt', line: i + 1, offset },
      });
    }
    offset += Buffer.byteLength(line) + 1;
  });
  return events;
}

describe.skipIf(!existsSync(capture))('csv round trip of a real capture', () => {
  it('reads back the events it wrote, in any chunking', async () => {
    const events = ftraceEvents(gunzipSync(readFileSync(capture)).toString('utf8'));
    expect(events.length).toBeGreaterThan(10_000);
    expect(events.filter((e) => e.text.includes('\n')).length).toBeGreaterThan(100);
    const csv = await exportCsv(events);
    for (const chunk of [csv.length, 4096]) {
      const back = importCsv(csv, chunk);
      expect(back.diag.counts.size).toBe(0);
      expect(back.events.map(essence)).toEqual(events.map(essence));
      expect(back.events.at(-1)!.src).toEqual({ file: 'table.csv', line: csv.toString().split('\n').length - 1, offset: csv.lastIndexOf('\n', csv.length - 2) + 1 });
    }
  });
});
