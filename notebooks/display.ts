// Display helpers shared by the notebooks (Deno kernel). Nothing here analyses a
// trace: that is the library's job (../src/index.ts). This file only shows results:
//
//   print(...lines)  text, sent before the cell ends (console.log output of the Deno kernel can
//                    arrive after the cell has finished, and a headless run then drops it)
//   table(rows)      an HTML table, with an aligned plain-text copy for viewers without HTML
//   chart(spec)      a Vega-Lite chart: the spec itself (Jupyter draws it) and a PNG of it
//                    (code hosts do not run Vega-Lite: they show the PNG)
//   lineOf(src)      the text of the trace line that a piece of evidence names (file:line)
//   at, secs, dur    file:line, seconds as the kernel prints them, durations: as `reaplay check`
//
// Text from the traced system (process names, cgroup paths, trace lines) is data: it is
// escaped in HTML and its control characters are made visible in plain text.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { TopLevelSpec } from 'vega-lite';
import type { SourceRef } from '../src/index.ts';
import { toPng, toSvg } from '../src/charts/render.ts';
import { safe } from '../src/types/terminal-text.ts';
import { formatSourceRef as at } from '../src/types/source-ref.ts';
import { formatDuration as dur, formatInstant as secs } from '../src/types/time.ts';

export { at, dur, secs };

export type Cell = string | number | bigint | boolean | null | undefined;
export type Row = Record<string, Cell>;

const html = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const text = (c: Cell): string => (c === undefined || c === null ? '' : safe(String(c)));

async function send(data: Record<string, unknown>, metadata: Record<string, unknown> = {}): Promise<void> {
  await Deno.jupyter.broadcast('display_data', { data, metadata, transient: {} });
}

/** Lines of text as the cell's standard output. */
export async function print(...lines: string[]): Promise<void> {
  await Deno.jupyter.broadcast('stream', { name: 'stdout', text: lines.join('\n') + '\n' });
}

/** Rows as a table: columns in the order of the first row's keys (or `columns`). */
export async function table(rows: readonly Row[], opts: { columns?: string[]; caption?: string } = {}): Promise<void> {
  const cols = opts.columns ?? Object.keys(rows[0] ?? {});
  const cells = rows.map((r) => cols.map((c) => text(r[c])));
  const width = cols.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const numeric = cols.map((_, i) => cells.every((r) => r[i] === '' || /^[-+]?[\d.,]+( \S+)?$/.test(r[i]!)));
  const pad = (s: string, i: number) => (numeric[i] ? s.padStart(width[i]!) : s.padEnd(width[i]!));
  const plain = [
    ...(opts.caption ? [safe(opts.caption)] : []),
    cols.map(pad).join('  ').trimEnd(),
    width.map((w) => '-'.repeat(w)).join('  '),
    ...cells.map((r) => r.map(pad).join('  ').trimEnd()),
  ].join('\n');
  const align = (i: number) => (numeric[i] ? ' style="text-align:right"' : ' style="text-align:left"');
  const page = [
    '<table>',
    opts.caption ? `<caption>${html(opts.caption)}</caption>` : '',
    `<thead><tr>${cols.map((c, i) => `<th${align(i)}>${html(c)}</th>`).join('')}</tr></thead>`,
    '<tbody>',
    ...cells.map((r) => `<tr>${r.map((c, i) => `<td${align(i)}>${html(c)}</td>`).join('')}</tr>`),
    '</tbody></table>',
  ].join('');
  await send({ 'text/html': page, 'text/plain': plain });
}

/**
 * A chart: its Vega-Lite spec for Jupyter, a PNG for everything else (drawn at twice
 * its size, shown at its own size), and its title as text. Rendering warnings fail
 * loudly: the tests keep charts free of them.
 */
export async function chart(spec: TopLevelSpec): Promise<void> {
  const warnings: string[] = [];
  const svg = await toSvg(spec, warnings);
  if (warnings.length) throw new Error(`chart rendered with warnings: ${warnings.join('; ')}`);
  const width = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(svg)?.[1] ?? 0);
  const title = typeof spec.title === 'string' ? spec.title : (spec.title as { text?: string } | undefined)?.text ?? 'chart';
  await send(
    { 'application/vnd.vegalite.v5+json': spec, 'image/png': toPng(svg).toString('base64'), 'text/plain': `[chart] ${safe(String(title))}` },
    width ? { 'image/png': { width: Math.round(width) } } : {},
  );
}

const files = new Map<string, string[]>();

function linesOfFile(file: string): string[] {
  let lines = files.get(file);
  if (!lines) {
    const raw = readFileSync(file);
    const bytes = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
    lines = new TextDecoder().decode(bytes).split('\n');
    files.set(file, lines);
  }
  return lines;
}

/** The text of line `src.line` of `src.file` (gzip recognised by its magic bytes). */
export function lineOf(src: SourceRef): string {
  return safe(linesOfFile(src.file)[src.line - 1] ?? '');
}

/** `file:line  text` for every line from `from` to `to` (same file), as `check` cites them. */
export function excerpt(from: SourceRef, to: SourceRef = from): string[] {
  const out: string[] = [];
  for (let n = from.line; n <= to.line; n++) out.push(`${at({ ...from, line: n }).padEnd(20)} ${lineOf({ ...from, line: n }).trim()}`);
  return out;
}
