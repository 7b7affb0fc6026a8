// Headless Debian Chromium through playwright-core for the page tests: the launch
// flags that keep it off the network, and a page that records what must not happen
// (console errors, page errors, any request, a dialog).
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

export interface Watched {
  page: Page;
  errors: string[];
  warnings: string[];
  requests: string[];
  dialogs: string[];
}

export async function watchedPage(browser: Browser): Promise<Watched> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const w: Watched = { page, errors: [], warnings: [], requests: [], dialogs: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') w.errors.push(`console: ${m.text()}`);
    if (m.type() === 'warning') w.warnings.push(m.text());
  });
  page.on('pageerror', (e) => w.errors.push(`page: ${e.message}`));
  page.on('requestfailed', (r) => w.errors.push(`request failed: ${r.url()}`));
  page.on('request', (r) => w.requests.push(r.url()));
  page.on('dialog', (d) => {
    w.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  return w;
}

/** True once every chart view of a page has drawn or failed (the page's script marks each). */
const ALL_CHARTS_SETTLED = `[...document.querySelectorAll('[data-chart-spec]')].every((e) => e.hasAttribute('data-state'))`;
const TOOLTIP = `(() => { const t = document.getElementById('vg-tooltip-element'); return t && t.classList.contains('visible') ? t.textContent : ''; })()`;

/** Open `url` and wait until every chart settled and late handlers (or a stray request) had time to show. */
export async function openSettled(page: Page, url: string): Promise<void> {
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(ALL_CHARTS_SETTLED, undefined, { timeout: 30_000 });
  await page.waitForTimeout(300);
}

/** Hover the first `perChart` data marks of every chart; the tooltip texts shown. Leaves no tooltip behind. */
export async function hoverMarks(page: Page, perChart: number): Promise<string[]> {
  const tooltips: string[] = [];
  for (const view of await page.locator('[data-chart-spec]').all()) {
    for (const mark of (await view.locator('g.role-mark > path').all()).slice(0, perChart)) {
      await mark.scrollIntoViewIfNeeded();
      const box = await mark.boundingBox();
      if (!box || box.width * box.height === 0) continue;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.waitForTimeout(40);
      tooltips.push((await page.evaluate(TOOLTIP)) as string);
    }
  }
  await page.mouse.move(0, 0);
  await page.waitForTimeout(100);
  return tooltips;
}
