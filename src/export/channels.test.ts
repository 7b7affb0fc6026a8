// One escaping policy per output channel, each tested with the same hostile set
// (src/testing/hostile.ts): terminal, CSV, HTML (text and the page's data), SVG/PNG.
import { parse } from 'csv-parse/sync';
import type { TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { HOSTILE, RAW_CONTROL_OR_BIDI } from '../testing/hostile.ts';
import { terminalSafe } from '../types/escape-terminal.ts';
import { xmlSafe } from '../types/escape-xml.ts';
import { esc, scriptJson } from '../report/html/escape.ts';
import { toPng, toSvg } from '../charts/render.ts';
import { exportCsv } from '../testing/csv-table.ts';
import { unguardCell } from '../../parsers/common/formula-guard.ts';
import type { TraceEvent } from '../types/event.ts';

describe('terminal', () => {
  it.each(HOSTILE)('%j shows controls and bidi overrides as visible escapes', (s) => {
    const t = terminalSafe(s);
    expect(t).not.toMatch(RAW_CONTROL_OR_BIDI);
    expect(t).not.toMatch(/[\r\n\t]/);
    if (s.includes('\u202e')) expect(t).toContain('\\u202e');
    if (s.includes('\u001b')) expect(t).toContain('\\x1b');
  });
});

describe('CSV', () => {
  const events: TraceEvent[] = HOSTILE.map((s, i) => ({ ts: BigInt(i), cpu: 0, pid: i, comm: s, name: 'x:y', text: s, src: { file: s, line: 1, offset: 0 } }));
  it('quotes every cell with CR, LF, comma or quote: one row per event, each cell read back exactly', async () => {
    const csv = (await exportCsv(events)).toString();
    // A spreadsheet splits rows on a bare CR too: none may be outside quotes.
    const rows = parse(csv, { relax_column_count: true, record_delimiter: ['\r\n', '\n', '\r'] }) as string[][];
    expect(rows.length).toBe(events.length + 1);
    for (let i = 0; i < events.length; i++) {
      const comm = rows[i + 1]![4]!;
      expect(unguardCell(comm)).toBe(Buffer.from(HOSTILE[i]!).toString());
    }
  });
  it.each(HOSTILE)('%j: a formula start after leading blanks or controls is guarded', async (s) => {
    const csv = (await exportCsv([events[HOSTILE.indexOf(s)]!])).toString();
    const cell = (parse(csv) as string[][])[1]![4]!;
    if (/^'*[\s\u0000-\u001f\u007f-\u009f]*[=+\-@]/.test(s)) expect(cell.startsWith("'")).toBe(true);
  });
});

describe('HTML', () => {
  it.each(HOSTILE)('%j: text is inert and bidi overrides are neutralised', (s) => {
    const h = esc(s);
    expect(h).not.toMatch(/[<>"']/);
    expect(h).not.toMatch(RAW_CONTROL_OR_BIDI);
  });
  it.each(HOSTILE)('%j: chart labels in the page data are neutralised too', (s) => {
    const j = scriptJson({ label: s });
    expect(j).not.toMatch(/[<>]/);
    const back = (JSON.parse(j) as { label: string }).label;
    expect(back).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });
});

describe('SVG and PNG', () => {
  it.each(HOSTILE)('%j: xmlSafe leaves only what XML allows', (s) => {
    expect(xmlSafe(s)).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff\u202a-\u202e\u2066-\u2069]|[\ud800-\udfff]/);
  });
  it('a chart whose labels are the hostile set renders to well-formed SVG and to PNG', { timeout: 60_000 }, async () => {
    const spec: TopLevelSpec = {
      data: { values: HOSTILE.map((label, i) => ({ label, i })) },
      mark: 'bar',
      encoding: { y: { field: 'label', type: 'nominal' }, x: { field: 'i', type: 'quantitative' } },
    };
    const svg = await toSvg(spec);
    expect(svg).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u202e]/);
    expect(svg).not.toContain('<script');
    expect(toPng(svg).subarray(1, 4).toString()).toBe('PNG');
  });
});
