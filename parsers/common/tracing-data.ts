// The tracing metadata trace.dat (v6 items 1–7, v7 sections) and perf.data
// (HEADER_TRACING_DATA) share: header_page, header_event, the ftrace and event format
// files, kallsyms, printk formats and saved cmdlines.
import type { Cursor } from './cursor.ts';
import { type EventFormat, parseFormatFile } from './format-file.ts';

export interface PageLayout {
  /** Offset and size of the page's `commit` word (the kernel's long). */
  commitOffset: number;
  commitSize: number;
  dataOffset: number;
}

export interface TracingData {
  page: PageLayout;
  formats: Map<number, EventFormat>;
  /** /proc/kallsyms as stored (bytes: parsed without decoding, see kallsyms.ts). */
  kallsyms: Uint8Array;
  printk: string;
  cmdlines: Map<number, string>;
}

export function emptyTracingData(): TracingData {
  return { page: { commitOffset: 8, commitSize: 8, dataOffset: 16 }, formats: new Map(), kallsyms: new Uint8Array(0), printk: '', cmdlines: new Map() };
}

export function pageLayout(headerPage: string): PageLayout {
  // `field: local_t commit; offset:8; size:8; signed:1;`, read by a scan: each `field:` is
  // looked at once, up to its `;` (a regex over `field:[^;]*` retries every `field:` of a run).
  const f = (name: string): { offset: number; size: number } | undefined => {
    for (let i = headerPage.indexOf('field:'); i >= 0; ) {
      const semi = headerPage.indexOf(';', i + 6);
      if (semi < 0) return undefined;
      const at = semi - name.length;
      if (at >= i + 6 && headerPage.startsWith(name, at) && !/\w/.test(headerPage[at - 1]!)) {
        const m = /^\s*offset:(\d+);\s*size:(\d+);/.exec(headerPage.slice(semi + 1, semi + 80));
        if (m) return { offset: Number(m[1]), size: Number(m[2]) };
      }
      i = headerPage.indexOf('field:', semi + 1);
    }
    return undefined;
  };
  const commit = f('commit') ?? { offset: 8, size: 8 };
  const data = f('data') ?? { offset: 16, size: 0 };
  return { commitOffset: commit.offset, commitSize: commit.size, dataOffset: data.offset };
}

export async function readHeaderInfo(c: Cursor, into: TracingData): Promise<void> {
  await c.expect('header_page\0', 'the header_page tag');
  const page = await c.text(await c.u64('header_page size'), 'header_page text');
  into.page = pageLayout(page);
  await c.expect('header_event\0', 'the header_event tag');
  await c.bytes(await c.u64('header_event size'), 'header_event text');
}

async function readFormat(c: Cursor, system: string, into: TracingData): Promise<void> {
  const text = await c.text(await c.u64(`${system} format size`), `a ${system} event format`);
  const f = parseFormatFile(text, system);
  if (f) into.formats.set(f.id, f);
}

export async function readFtraceFormats(c: Cursor, into: TracingData): Promise<void> {
  const n = await c.u32('count of ftrace formats');
  for (let i = 0; i < n; i++) await readFormat(c, 'ftrace', into);
}

export async function readEventFormats(c: Cursor, into: TracingData): Promise<void> {
  const systems = await c.u32('count of event systems');
  for (let s = 0; s < systems; s++) {
    const system = await c.cstr('an event system name');
    const n = await c.u32(`count of ${system} formats`);
    for (let i = 0; i < n; i++) await readFormat(c, system, into);
  }
}

export async function readKallsyms(c: Cursor, into: TracingData): Promise<void> {
  // A copy: a file source may hand out a view of a buffer it reuses.
  into.kallsyms = (await c.bytes(await c.u32('kallsyms size'), 'kallsyms text')).slice();
}

export async function readPrintk(c: Cursor, into: TracingData): Promise<void> {
  into.printk = await c.text(await c.u32('printk formats size'), 'printk formats text');
}

export async function readCmdlines(c: Cursor, into: TracingData): Promise<void> {
  const text = await c.text(await c.u64('saved cmdlines size'), 'saved cmdlines text');
  for (const line of text.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp > 0) into.cmdlines.set(Number(line.slice(0, sp)), line.slice(sp + 1));
  }
}
