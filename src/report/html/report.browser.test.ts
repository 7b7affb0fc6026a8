// The report in a real browser: headless Chromium (Debian's, through playwright-core)
// opens index.html from a file:// URL, for the bundled capture 6.1/premature and for a
// copy whose victim comm is `<img src=x onerror=alert(1)>`. The page must make no
// request but itself, log no error, open no dialog, show the hostile comm as text and
// draw every chart. A full-page screenshot of each goes to out/test-artifacts/.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { CHROMIUM, HAVE_CHROMIUM, hoverMarks, launchChromium, openSettled, watchedPage } from '../../testing/browser.ts';
import { run } from '../../cli/main.ts';
import { analyze } from '../../pipeline.ts';
import { REPO_ROOT, SAMPLES_DIR } from '../../testing/captures.ts';
import { reportCommand } from '../../cli/commands/report.ts';
import { hostileCopy, HOSTILE_COMM } from '../../testing/hostile-capture.ts';

const ARTIFACTS = join(REPO_ROOT, 'out', 'test-artifacts');
const SAMPLE = join(SAMPLES_DIR, '6.1', 'premature');
const sampleFiles = ['ftrace.txt.gz', 'dmesg.txt.gz', 'kprobe_events.txt'].map((f) => join(SAMPLE, f));

if (!HAVE_CHROMIUM) console.warn(`report.browser.test: SKIPPED the browser checks: ${CHROMIUM} is absent (apt-get install -y chromium to run them)`);

// Run in the page (as source text: the project compiles without the DOM library).
const INSPECT = `(() => {
  const views = [...document.querySelectorAll('[data-chart-spec]')];
  return {
    text: document.body.innerText,
    heads: [...document.querySelectorAll('#victims h3')].map((h) => h.textContent),
    imgs: document.querySelectorAll('img').length,
    charts: views.map((el) => {
      const g = el.querySelector('svg, canvas');
      const box = g ? g.getBoundingClientRect() : undefined;
      return {
        id: el.id,
        state: el.getAttribute('data-state'),
        kind: g ? g.tagName.toLowerCase() : undefined,
        width: box ? box.width : 0,
        height: box ? box.height : 0,
        // data marks (not axes, not legends) drawn in the SVG
        marks: g ? g.querySelectorAll('g.role-mark > path, g.role-mark > line, g.role-mark > rect, g.role-mark > circle').length : 0,
      };
    }),
  };
})()`;
interface Inspection {
  text: string;
  heads: string[];
  imgs: number;
  charts: { id: string; state: string | null; kind?: string; width: number; height: number; marks: number }[];
}

const sink = () => {
  const s = new PassThrough();
  const chunks: Buffer[] = [];
  s.on('data', (c: Buffer) => chunks.push(c));
  return { s, text: () => Buffer.concat(chunks).toString() };
};

let work: string;
let hostileFiles: string[];
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'reaplay-report-'));
  hostileFiles = hostileCopy(SAMPLE, join(work, 'hostile-input'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the hostile copy of 6.1/premature', () => {
  it('still reads as the same capture: check tells the same story with the hostile comm', async () => {
    const [orig, hostile] = await Promise.all([analyze(sampleFiles), analyze(hostileFiles)]);
    expect(hostile.victims.map((v) => v.comm)).toEqual([HOSTILE_COMM, HOSTILE_COMM]);
    // The facts cite lines of their own inputs: compare them without file names and byte offsets (the comm is longer).
    const noFiles = (x: unknown): unknown => JSON.parse(JSON.stringify(x, (k, v) => (k === 'file' || k === 'offset' ? undefined : typeof v === 'bigint' ? String(v) : v)));
    const strip = (a: typeof orig) => a.victims.map(({ comm: _comm, ...v }) => noFiles(v));
    expect(strip(hostile)).toEqual(strip(orig));
    expect(hostile.findings.map((f) => [f.rule, f.level, f.expected, f.victim?.pid])).toEqual(orig.findings.map((f) => [f.rule, f.level, f.expected, f.victim?.pid]));
    const ftrace = hostile.inputs.find((m) => m.format === 'ftrace')!;
    expect(ftrace.lines).toBe(orig.inputs.find((m) => m.format === 'ftrace')!.lines);

    const out = sink();
    const err = sink();
    const code = await run(['check', ...hostileFiles], { stdout: out.s, stderr: err.s });
    expect(code).toBe(1);
    expect(out.text()).toContain(`victim 440 (${HOSTILE_COMM}), memcg:/oomlab, mm 0xffff898a41102880`);
    expect(out.text()).toMatch(/\[proven\] premature_victim PVS-PREMATURE \(victim 386\)/);
  });
});

describe('report in headless Chromium', () => {
  let browser: Browser | undefined;
  beforeAll(async () => {
    if (!HAVE_CHROMIUM) return;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  const cases = [
    { name: 'premature', files: () => sampleFiles, comm: 'victim' },
    { name: 'hostile', files: () => hostileFiles, comm: HOSTILE_COMM },
  ];

  for (const c of cases) {
    const title = `${c.name}: loads offline with no error, request or dialog; comm shown as text; every chart drawn`;
    it.skipIf(!HAVE_CHROMIUM)(HAVE_CHROMIUM ? title : `${title} [SKIPPED: ${CHROMIUM} is absent]`, async () => {
      const dir = join(work, `report-${c.name}`);
      const out = sink();
      const err = sink();
      expect(await reportCommand({ files: c.files(), out: dir }, { stdout: out.s, stderr: err.s })).toBe(0);
      expect(err.text()).toBe('');
      const url = pathToFileURL(join(dir, 'index.html')).href;

      const { page, errors, warnings, requests, dialogs } = await watchedPage(browser!);
      try {
        await openSettled(page, url);

        // Hover the first data marks of every chart: tooltips show trace text too.
        const tooltips = await hoverMarks(page, 8);
        const seen = (await page.evaluate(INSPECT)) as Inspection;

        mkdirSync(ARTIFACTS, { recursive: true });
        await page.screenshot({ path: join(ARTIFACTS, `report-${c.name}.png`), fullPage: true });

        expect(errors).toEqual([]);
        expect(dialogs).toEqual([]);
        expect(requests).toEqual([url]);
        expect(seen.imgs).toBe(0);
        expect(tooltips.some((t) => t !== '')).toBe(true);
        // a tooltip that names the hostile victim shows all of it, as text
        for (const t of tooltips) if (t.includes('onerror')) expect(t).toContain(HOSTILE_COMM);
        expect(seen.heads).toEqual([`victim 440 (${c.comm})`, `victim 386 (${c.comm})`]);
        expect(seen.text).toContain(`victim 440 (${c.comm})`);
        expect(seen.text).toContain('PVS-PREMATURE');
        expect(seen.charts.length).toBeGreaterThan(0);
        for (const ch of seen.charts) {
          expect(ch, ch.id).toMatchObject({ state: 'rendered' });
          expect(['svg', 'canvas'], ch.id).toContain(ch.kind);
          expect(ch.width, ch.id).toBeGreaterThan(50);
          expect(ch.height, ch.id).toBeGreaterThan(20);
          if (ch.kind === 'svg') expect(ch.marks, ch.id).toBeGreaterThan(0);
        }
        if (warnings.length) console.warn(`report-${c.name}: console warnings:\n${warnings.join('\n')}`);
      } finally {
        await page.close();
      }
    });
  }
});
