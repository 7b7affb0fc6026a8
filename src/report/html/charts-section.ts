// The charts of a page: each spec built from the page's data (a chart that throws is
// shown as such, never fatal), then embedded as JSON islands the page's script draws.
import type { TopLevelSpec } from 'vega-lite';
import { html, jsonScript, type Html } from './escape.ts';

export interface PageChart<D> {
  title: string;
  spec: (data: D) => TopLevelSpec;
  empty: (data: D) => boolean;
}

export interface DrawnChart {
  name: string;
  title: string;
  spec?: TopLevelSpec;
  error?: string;
}

export function buildCharts<D>(charts: Record<string, PageChart<D>>, data: D, warnings: string[]): { drawn: DrawnChart[]; empty: string[] } {
  const drawn: DrawnChart[] = [];
  const empty: string[] = [];
  for (const [name, def] of Object.entries(charts)) {
    try {
      if (def.empty(data)) empty.push(def.title);
      else drawn.push({ name, title: def.title, spec: def.spec(data) });
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      warnings.push(`chart ${name}: ${error}`);
      drawn.push({ name, title: def.title, error });
    }
  }
  return { drawn, empty };
}

/** `noData` ends the sentence listing charts not drawn, e.g. "no data in this capture". */
export function chartsSection(drawn: readonly DrawnChart[], empty: readonly string[], noData: string): Html {
  if (!drawn.length && !empty.length) return html``;
  return html`<section id="charts"><h2>Charts</h2>
<noscript><p>The charts are drawn by the page's script; enable JavaScript to see them.</p></noscript>
<div class="charts">${drawn.map(
    // A spec with a title of its own shows it; the caption then only names the figure for screen readers.
    (c, i) => html`<figure class="chart"><figcaption${c.spec?.title ? html` class="sr"` : ''}>${c.title}</figcaption>${
      c.error !== undefined
        ? html`<div class="chart-view chart-error" data-state="error">This chart could not be built: ${c.error}</div>`
        : html`<div class="chart-view" id="chart-${i}" role="img" aria-label="${c.title}" data-chart-spec="chart-spec-${i}"></div>${jsonScript(`chart-spec-${i}`, c.spec)}`
    }</figure>\n`,
  )}</div>
${empty.length ? html`<p class="muted">Not drawn, ${noData}: ${empty.join('; ')}.</p>` : ''}
</section>`;
}
