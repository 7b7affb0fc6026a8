// The comparison page in a real browser, as report.browser.test.ts does for the report:
// headless Chromium (Debian's, through playwright-core) opens DIR/index.html from a
// file:// URL. The page must make no request but itself, log no error, open no
// dialog, and draw every chart with marks. Two pages: 5.10 against 6.1 (the 12 common
// scenarios of ../shared/traces when present, else the bundled samples), and a copy
// of 6.1/premature whose comm is markup against the original, under a group label
// that is markup too. Full-page screenshots go to out/test-artifacts/compare*.png.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { CHROMIUM, HAVE_CHROMIUM, hoverMarks, launchChromium, openSettled, watchedPage } from '../testing/browser.ts';
import { compareCommand } from '../cli/commands/compare.ts';
import { HAVE_SHARED, REPO_ROOT, SAMPLES_DIR, SHARED_TRACES } from '../testing/captures.ts';
import { hostileCopy, HOSTILE_COMM } from '../testing/hostile-capture.ts';

const ARTIFACTS = join(REPO_ROOT, 'out', 'test-artifacts');
const HOSTILE_LABEL = '<script>alert(2)</script>';

if (!HAVE_CHROMIUM) console.warn(`compare.browser.test: SKIPPED the browser checks: ${CHROMIUM} is absent (apt-get install -y chromium to run them)`);

const INSPECT = `(() => {
  const views = [...document.querySelectorAll('[data-chart-spec]')];
  return {
    text: document.body.innerText,
    title: document.title,
    imgs: document.querySelectorAll('img').length,
    scripts: document.querySelectorAll('script:not([type])').length,
    verdicts: [...document.querySelectorAll('table.measured .badge')].map((b) => b.textContent),
    charts: views.map((el) => {
      const g = el.querySelector('svg, canvas');
      const box = g ? g.getBoundingClientRect() : undefined;
      return {
        id: el.id,
        state: el.getAttribute('data-state'),
        kind: g ? g.tagName.toLowerCase() : undefined,
        width: box ? box.width : 0,
        height: box ? box.height : 0,
        marks: g ? g.querySelectorAll('g.role-mark > path, g.role-mark > line, g.role-mark > rect, g.role-mark > circle').length : 0,
      };
    }),
  };
})()`;
interface Inspection {
  text: string;
  title: string;
  imgs: number;
  scripts: number;
  verdicts: string[];
  charts: { id: string; state: string | null; kind?: string; width: number; height: number; marks: number }[];
}

const sink = () => {
  const s = new PassThrough();
  const chunks: Buffer[] = [];
  s.on('data', (c: Buffer) => chunks.push(c));
  return { s, text: () => Buffer.concat(chunks).toString() };
};

let work: string;
let hostileDir: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'reaplay-compare-page-'));
  hostileDir = join(work, 'hostile-premature');
  hostileCopy(join(SAMPLES_DIR, '6.1', 'premature'), hostileDir);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** 5.10 against 6.1: the common scenarios of the shared traces, else the bundled samples. */
function kernelGroups(): string[] {
  if (!HAVE_SHARED) return [`5.10=${join(SAMPLES_DIR, '5.10', '*')}`, `6.1=${join(SAMPLES_DIR, '6.1', '*')}`];
  const common = readdirSync(join(SHARED_TRACES, '5.10')).filter((s) => existsSync(join(SHARED_TRACES, '6.1', s, 'ftrace.txt.gz')) && existsSync(join(SHARED_TRACES, '5.10', s, 'ftrace.txt.gz')));
  return ['5.10', '6.1'].map((k) => `${k}=${common.map((s) => join(SHARED_TRACES, k, s)).join(',')}`);
}

describe('comparison page in headless Chromium', () => {
  let browser: Browser | undefined;
  beforeAll(async () => {
    if (!HAVE_CHROMIUM) return;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  const cases = [
    { name: 'compare', groups: kernelGroups, expectText: ['Expected from the kernel model', 'exitMmapSelfReap', '6.1 against 5.10'] },
    { name: 'compare-hostile', groups: () => [`6.1/premature=${join(SAMPLES_DIR, '6.1', 'premature')}`, `${HOSTILE_LABEL}=${hostileDir}`], expectText: [`${HOSTILE_LABEL} against 6.1/premature`, HOSTILE_COMM] },
  ];

  for (const c of cases) {
    const title = `${c.name}: loads offline with no error, request or dialog; text stays text; every chart drawn; screenshot`;
    it.skipIf(!HAVE_CHROMIUM)(HAVE_CHROMIUM ? title : `${title} [SKIPPED: ${CHROMIUM} is absent]`, async () => {
      const dir = join(work, c.name);
      const out = sink();
      const err = sink();
      expect(await compareCommand({ groups: c.groups(), out: dir }, { stdout: out.s, stderr: err.s })).toBe(0);
      expect(err.text()).toBe('');
      const url = pathToFileURL(join(dir, 'index.html')).href;

      const { page, errors, warnings, requests, dialogs } = await watchedPage(browser!);
      try {
        await openSettled(page, url);

        // Hover the first data marks of every chart: tooltips show labels and comm too.
        const tooltips = await hoverMarks(page, 6);
        const seen = (await page.evaluate(INSPECT)) as Inspection;

        mkdirSync(ARTIFACTS, { recursive: true });
        await page.screenshot({ path: join(ARTIFACTS, `${c.name}.png`), fullPage: true });

        expect(errors).toEqual([]);
        expect(dialogs).toEqual([]);
        expect(requests).toEqual([url]);
        expect(seen.imgs).toBe(0);
        // the inlined libraries and the page's own script, nothing else
        expect(seen.scripts).toBe(4);
        for (const t of c.expectText) expect(seen.text).toContain(t);
        expect(seen.verdicts.length).toBeGreaterThan(0);
        expect(seen.verdicts).not.toContain('regressed');
        expect(tooltips.some((t) => t !== '')).toBe(true);
        for (const t of tooltips) if (t.includes('alert(2)')) expect(t).toContain(HOSTILE_LABEL);
        expect(seen.charts.length).toBe(3);
        for (const ch of seen.charts) {
          expect(ch, ch.id).toMatchObject({ state: 'rendered', kind: 'svg' });
          expect(ch.width, ch.id).toBeGreaterThan(300);
          expect(ch.height, ch.id).toBeGreaterThan(100);
          expect(ch.marks, ch.id).toBeGreaterThan(0);
        }
        if (warnings.length) console.warn(`${c.name}: console warnings:\n${warnings.join('\n')}`);
      } finally {
        await page.close();
      }
    });
  }
});
