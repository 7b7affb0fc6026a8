// The fleet page: a self-contained HTML page over a dataset, built like the report and
// compare pages: every value through html`` (escape.ts), chart specs as JSON islands
// drawn by the shared boot script with the inlined chart libraries, and the same
// Content-Security-Policy (no request at all; only those scripts, by hash).
import { pageScripts } from '../../report/html/csp.ts';
import { pageHead } from '../../report/html/head.ts';
import { buildCharts, chartsSection } from '../../report/html/charts-section.ts';
import { html, trusted, type Html } from '../../report/html/escape.ts';
import { CSS } from '../../report/html/style.ts';
import { FLEET_CHARTS } from './charts.ts';
import type { FleetPageData } from './data.ts';

const plural = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

function lossSection(d: FleetPageData): Html {
  if (!d.lossy.length) return html`<section id="loss"><h2>Data loss</h2><p>No capture reports data loss.</p></section>`;
  return html`<section id="loss"><h2>Data loss</h2>
<p class="muted">Captures whose recorders lost events, most markers first (the first ${d.lossy.length}; all of them: <code>reaplay sql DATASET data-loss-captures</code>). Verdicts in a window with lost events are lowered.</p>
<table><tr><th>capture</th><th>family</th><th>markers</th><th>lost events</th><th>victims</th><th>findings</th><th>lowered</th></tr>
${d.lossy.map((r) => html`<tr><td>${r.path}</td><td>${r.family}</td><td>${r.markers}</td><td>${r.lost ?? '?'}</td><td>${r.victims}</td><td>${r.findings}</td><td>${r.lowered}</td></tr>\n`)}</table></section>`;
}

function errorSection(d: FleetPageData): Html {
  if (!d.failed) return html``;
  return html`<section id="errors"><h2>Captures that could not be analysed</h2>
<p class="muted">${plural(d.failed, 'capture')} (the first ${d.errors.length} by path).</p>
<table><tr><th>capture</th><th>error</th></tr>
${d.errors.map((r) => html`<tr><td>${r.path}</td><td>${r.error}</td></tr>\n`)}</table></section>`;
}

export function renderFleetPage(d: FleetPageData): { html: string; warnings: string[] } {
  const warnings: string[] = [];
  const { drawn, empty } = buildCharts(FLEET_CHARTS, d, warnings);
  const { scripts, csp } = pageScripts(drawn);
  const page = html`${pageHead(`reaplay fleet: ${plural(d.captures, 'capture')}`, csp, CSS)}
<body>
<main>
<header>
<h1>OOM kills across the fleet</h1>
<p class="sub">${plural(d.captures, 'capture')} (${d.failed} could not be analysed) · ${plural(d.victims, 'victim')} · ${plural(d.families, 'kernel family', 'kernel families')}</p>
<nav><a href="#charts">Charts</a><a href="#loss">Data loss</a>${d.failed ? html`<a href="#errors">Errors</a>` : ''}<a href="fleet.json">fleet.json</a></nav>
${d.prematureOmitted ? html`<p class="muted">The premature chart shows the ${d.premature.length} releases with the most victims; ${plural(d.prematureOmitted, 'more release')} in the dataset.</p>` : ''}
</header>
${chartsSection(drawn, empty, 'no data in this dataset')}
${lossSection(d)}
${errorSection(d)}
<footer>Written by reaplay fleet from the dataset's tables (docs/schema.md); the numbers are the shipped queries' (queries/*.sql). The same aggregates as JSON: <a href="fleet.json">fleet.json</a>.</footer>
</main>
${scripts.map((x) => html`<script>${trusted(x)}</script>\n`)}</body>
</html>
`;
  return { html: page.html, warnings };
}
