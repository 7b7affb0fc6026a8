// The fleet page in headless Chromium, like the report page: a dataset of the bundled
// captures, one with a hostile victim comm and a corrupt one whose folder name is hostile
// markup (its error row shows the path). The page must make no request but itself, log
// no error, open no dialog, show the hostile text as text, and draw every chart.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { CHROMIUM, HAVE_CHROMIUM, hoverMarks, launchChromium, openSettled, watchedPage } from '../../testing/browser.ts';
import { cli } from '../../testing/cli.ts';
import { REPO_ROOT, SAMPLES_DIR } from '../../testing/captures.ts';
import { hostileCopy, HOSTILE_COMM } from '../../testing/hostile-capture.ts';

const ARTIFACTS = join(REPO_ROOT, 'out', 'test-artifacts');
const INSPECT = `(() => ({
  text: document.body.innerText,
  imgs: document.querySelectorAll('img').length,
  charts: [...document.querySelectorAll('[data-chart-spec]')].map((el) => {
    const g = el.querySelector('svg');
    const box = g ? g.getBoundingClientRect() : undefined;
    return { id: el.id, state: el.getAttribute('data-state'), width: box ? box.width : 0, height: box ? box.height : 0,
      marks: g ? g.querySelectorAll('g.role-mark > path, g.role-mark > line, g.role-mark > rect, g.role-mark > circle').length : 0 };
  }),
}))()`;

if (!HAVE_CHROMIUM) console.warn(`fleet-page.browser.test: SKIPPED the browser check: ${CHROMIUM} is absent (apt-get install -y chromium to run it)`);

let work: string;
let browser: Browser | undefined;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'reaplay-fleetpage-'));
  if (HAVE_CHROMIUM) browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

const title = 'fleet page: loads offline with no error, request or dialog; hostile text shown as text; every chart drawn';
it.skipIf(!HAVE_CHROMIUM)(HAVE_CHROMIUM ? title : `${title} [SKIPPED: ${CHROMIUM} is absent]`, async () => {
  hostileCopy(join(SAMPLES_DIR, '6.1', 'premature'), join(work, 'in', 'hostile-comm'));
  const bad = join(work, 'in', HOSTILE_COMM);
  mkdirSync(bad, { recursive: true });
  writeFileSync(join(bad, 'ftrace.txt.gz'), readFileSync(join(SAMPLES_DIR, '6.1', 'premature', 'ftrace.txt.gz')).subarray(0, 3000));
  const dir = join(work, 'page');
  const r = await cli('fleet', join(SAMPLES_DIR, '*/*'), join(work, 'in', '*'), '--out', join(work, 'ds'), '--jobs', '2', '--report', dir);
  expect(r.code, r.err).toBe(0);
  const url = pathToFileURL(join(dir, 'index.html')).href;
  const { page, errors, warnings, requests, dialogs } = await watchedPage(browser!);
  try {
    await openSettled(page, url);
    const tooltips = await hoverMarks(page, 6);
    const seen = (await page.evaluate(INSPECT)) as { text: string; imgs: number; charts: { id: string; state: string | null; width: number; height: number; marks: number }[] };
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'fleet-page.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(requests).toEqual([url]);
    expect(seen.imgs).toBe(0);
    expect(seen.text).toContain(bad);
    expect(seen.text).toMatch(/OOM kills across the fleet/);
    expect(tooltips.some((t) => t !== '')).toBe(true);
    expect(seen.charts.length).toBe(5);
    for (const ch of seen.charts) {
      expect(ch, ch.id).toMatchObject({ state: 'rendered' });
      expect(ch.width, ch.id).toBeGreaterThan(50);
      expect(ch.marks, ch.id).toBeGreaterThan(0);
    }
    if (warnings.length) console.warn(`fleet page: console warnings:\n${warnings.join('\n')}`);
  } finally {
    await page.close();
  }
});
