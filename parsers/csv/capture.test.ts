// Round trip of the real captures: ftrace text → events → CSV → csvImporter → same events.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bundledCaptures, captureFile, HAVE_SHARED, sharedCaptures, type Capture } from '../../src/testing/captures.ts';
import type { TraceEvent } from '../../src/types/event.ts';
import { essence, exportCsv, importCsv } from '../../src/testing/csv-table.ts';

/** The bundled samples always, every shared capture too when ../shared/traces is there. */
const captures = [...bundledCaptures(), ...(HAVE_SHARED ? sharedCaptures() : [])];
const label = (c: Capture): string => `${c.bundled ? 'samples' : 'shared'} ${c.id}`;

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

describe('csv round trip of the real captures', () => {
  it('has the bundled samples at least, 6.1/kvm_mn_eagain among them', () => {
    expect(captures.some((c) => c.bundled && c.id === '6.1/kvm_mn_eagain' && captureFile(c, 'ftrace.txt'))).toBe(true);
  });

  for (const c of captures) {
    const path = captureFile(c, 'ftrace.txt');
    (path ? it : it.skip)(`${label(c)}: reads back the events it wrote, in any chunking`, async () => {
      const raw = readFileSync(path!);
      const events = ftraceEvents((path!.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8'));
      // This one (bundled, so a fresh clone has it) is big and full of multi-line console
      // messages, so quoted fields that span lines are exercised; others are smaller, and
      // the 5.10 console text is mostly one line per event.
      if (c.id === '6.1/kvm_mn_eagain') {
        expect(events.length).toBeGreaterThan(10_000);
        expect(events.filter((e) => e.text.includes('\n')).length).toBeGreaterThan(100);
      }
      const csv = await exportCsv(events);
      for (const chunk of [csv.length, 4096]) {
        const back = importCsv(csv, chunk);
        expect(back.diag.counts.size).toBe(0);
        expect(back.events.map(essence)).toEqual(events.map(essence));
        expect(back.events.at(-1)!.src).toEqual({ file: 'table.csv', line: csv.toString().split('\n').length - 1, offset: csv.lastIndexOf('\n', csv.length - 2) + 1 });
      }
    });
  }

  const premature = captures.find((c) => c.bundled && c.id === '6.1/premature');
  it('samples 6.1/premature: one stray quote costs one row, and says where', async () => {
    const raw = readFileSync(captureFile(premature!, 'ftrace.txt')!);
    const events = ftraceEvents(gunzipSync(raw).toString('utf8'));
    const lines = (await exportCsv(events)).toString().split('\n');
    // A row a third of the way in gets a stray quote in its comm cell (the 5th).
    const at = lines.findIndex((l, i) => i > lines.length / 3 && !l.includes('"'));
    const cells = lines[at]!.split(',');
    cells[4] = `${cells[4]}"x`;
    lines[at] = cells.join(',');
    const back = importCsv(Buffer.from(lines.join('\n')));
    expect(back.events.length).toBe(events.length - 1);
    expect(back.diag.kept.map((d) => [d.code, d.src?.line])).toEqual([['bad_csv_row', at + 1]]);
    expect(back.diag.kept[0]!.message).toContain(`reading resumes at line ${at + 2}`);
  });
});
