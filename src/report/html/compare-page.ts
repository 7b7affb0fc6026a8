// `reaplay compare --out DIR`: the comparison as one self-contained page, built with
// the report's machinery: every value through html`` (escape.ts), chart specs as
// JSON data islands drawn by the page's own script (boot.ts) with vega, vega-lite
// and vega-embed inlined (assets.ts), and a Content-Security-Policy that allows no
// request and only those scripts, by hash.
//
// Sections: the groups and their captures; the thresholds; per group against the
// baseline the measured table (metric, each side, shift with interval, p, verdict
// and why); apart from it, the differences the kernel model predicts; the charts;
// the victims behind the numbers.
import { pageScripts } from './csp.ts';
import { pageHead } from './head.ts';
import { basename } from 'node:path';
import type { CompareResult, Comparison, GroupResult } from '../../compare/compare.ts';
import type { MetricResult } from '../../compare/verdict.ts';
import type { VictimFacts } from '../../compare/facts.ts';
import { sideCell, shiftCell } from '../../compare/text.ts';
import * as fmt from '../../compare/format.ts';
import type { CompareCharts } from '../../charts/compare-index.ts';
import { buildCharts, chartsSection } from './charts-section.ts';
import { html, trusted, type Html } from './escape.ts';
import { CSS } from './style.ts';
import { modelHref, modelSection } from './model-sections.ts';
import { CAPABILITIES, type CapabilityName } from '../../replay/capabilities.ts';
import type { ModelAnchor } from '../../types/model-doc.ts';

export interface ComparePage {
  html: string;
  /** Charts whose spec could not be built (the page says so where the chart would be). */
  warnings: string[];
}

// The page's own additions to the report's stylesheet.
const COMPARE_CSS = `
.b-regressed{color:var(--red);background:var(--red-bg)}
.b-improved{color:var(--green);background:var(--green-bg)}
.b-unchanged{color:var(--grey);background:var(--grey-bg)}
.b-nodata{color:var(--amber);background:var(--amber-bg)}
.b-predicted{color:var(--blue);background:var(--blue-bg)}
table.measured td{vertical-align:top}
table.measured tr.m td{border-bottom:none;padding-top:8px}
table.measured tr.why td{font-size:13px;color:var(--muted);padding:0 0 8px 0}
table.measured .pop{display:block;font-size:12px;color:var(--muted)}
th.label{text-transform:none;letter-spacing:0;font-size:13px;color:var(--fg)}
table.victims td,table.victims th{font-size:12px;padding-right:8px}
table.victims th{text-transform:none;letter-spacing:0}
table.victims .sub2{display:block;font-size:11px;color:var(--muted)}
table.measured td.cell{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:13px;white-space:nowrap}
.wide{overflow-x:auto}
ul.expected{padding-left:20px}
ul.expected li{margin:0 0 10px}
ul.expected .seen{display:block;color:var(--muted);font-size:14px}
.note{background:var(--amber-bg);color:var(--amber);border-radius:6px;padding:6px 10px;display:inline-block;margin:4px 0 8px}
`;


const badgeClass = (v: MetricResult['verdict']): string => (v === 'not enough data' ? 'nodata' : v);

function groupsSection(r: CompareResult): Html {
  return html`<section id="groups"><h2>Groups</h2>
<p class="muted">The first group is the baseline; each other group is compared with it. The unit of every test is the victim.</p>
<div class="wide"><table><thead><tr><th>group</th><th>capture</th><th>kernel</th><th>family</th><th class="n">victims</th><th>inputs</th></tr></thead><tbody>
${r.groups.map((g, gi) =>
  g.captures.map(
    (c, ci) => html`<tr><td class="nw">${ci === 0 ? html`<b>${g.label}</b>${gi === 0 ? html` <span class="badge b-muted">baseline</span>` : ''}` : ''}</td><td class="nw" title="${c.path}">${c.name}</td><td class="nw">${c.kernel.upstream ?? c.kernel.release ?? 'unknown'}${c.kernel.upstream && c.kernel.release ? html` <span class="muted">(${c.kernel.release})</span>` : ''}</td><td class="nw">${c.family}</td><td class="n">${c.victims.length}</td><td class="what">${c.files.map((f) => basename(f)).join(', ')}</td></tr>\n`,
  ),
)}</tbody></table></div>
</section>`;
}

function thresholdsSection(r: CompareResult): Html {
  return html`<section id="thresholds"><h2>How the verdicts are given</h2>
<ul>
<li><b>regressed</b> / <b>improved</b>: p &lt; ${r.alpha} and the shift reaches the metric's threshold, in the direction the metric declares worse / better (column “worse”).</li>
<li>Thresholds: durations |Hodges-Lehmann shift| ≥ 10% of the baseline median and ≥ 1 ms; counts per victim ≥ 10% of the baseline median and ≥ 1; rates |Δ| ≥ 10 percentage points. Each row's threshold, with its numbers, is in the row's tooltip.</li>
<li>Durations and counts per victim: Mann-Whitney U (exact under 50 per side without ties, else the normal approximation with continuity and tie correction), the Hodges-Lehmann shift and its ${Math.round(r.level * 100)}% distribution-free interval. Rates: Fisher's exact test (two-sided) on victims, Newcombe's interval.</li>
<li><b>not enough data</b>: a side has no value; or the shift reaches the threshold but these sample sizes cannot make p &lt; ${r.alpha}; or each side is a single capture (descriptive only: the raw difference is shown and no p-value is claimed).</li>
<li>p-values are not adjusted for the number of metrics.</li>
</ul>
</section>`;
}

function metricRow(m: MetricResult, descriptive: boolean): Html {
  // The page says once that a comparison is descriptive only; the rows need not repeat it.
  const why = descriptive ? m.why.replace(/^single trace per side: descriptive only; /, '') : m.why;
  return html`<tr class="m" title="${m.threshold}"><td class="metric">${m.name}<span class="pop">${m.population}</span></td><td class="nw">${m.worse}</td><td class="cell">${sideCell(m, m.baseline)}</td><td class="cell">${sideCell(m, m.group)}</td><td class="cell">${shiftCell(m)}</td><td class="cell n">${m.p === undefined ? '—' : fmt.pValue(m.p)}</td><td class="nw"><span class="badge b-${badgeClass(m.verdict)}">${m.verdict}</span>${m.predicted ? html` <span class="badge b-predicted">predicted by the model</span>` : ''}</td></tr>
<tr class="why"><td colspan="7">${why}${m.predicted ? html`; the model predicts ${m.predicted}` : ''}</td></tr>\n`;
}

const anchor = (i: number): string => `cmp-${i}`;

function measuredSection(r: CompareResult): Html {
  return html`<section id="measured"><h2>Measured</h2>
${r.comparisons.map(
  (c, i) => html`<h3 id="${anchor(i)}">${c.group} against ${c.baseline}</h3>
${c.descriptive ? html`<p class="note">Single trace per side: descriptive only. The differences are raw; no p-value exists for one capture per side.</p>` : ''}
<div class="wide"><table class="measured"><thead><tr><th>metric</th><th>worse</th><th class="label">${c.baseline}</th><th class="label">${c.group}</th><th>${c.descriptive ? 'difference' : `shift [${Math.round(r.level * 100)}% CI]`}</th><th class="n">p</th><th>verdict</th></tr></thead><tbody>
${c.metrics.map((m) => metricRow(m, c.descriptive))}</tbody></table></div>
<p class="muted">Durations and counts: n and median. Rates: victims with it / victims it could happen to, their share, and · the total of skips, failed or unended starts over them.</p>
`,
)}</section>`;
}

/** The model's sections the expected differences rest on. */
function citedSections(r: CompareResult): ModelAnchor[] {
  const out: ModelAnchor[] = [];
  for (const c of r.comparisons) for (const e of c.expected) if (Object.hasOwn(CAPABILITIES, e.capability)) out.push(CAPABILITIES[e.capability as CapabilityName].doc);
  return out.length ? ['capabilities', ...out] : out;
}

/** A capability's name, linked to its section of the model carried in the page. */
function capabilityName(name: string): Html {
  const doc = Object.hasOwn(CAPABILITIES, name) ? CAPABILITIES[name as CapabilityName].doc : undefined;
  const href = doc && modelHref(doc);
  return href ? html`<a href="${href}" title="docs/model.md#${doc}"><code>${name}</code></a>` : html`<code>${name}</code>`;
}

function expectedList(c: Comparison): Html {
  if (!c.expected.length) return html`<p>None: both groups replay with the same capabilities.</p>`;
  return html`<ul class="expected">${c.expected.map(
    (e) => html`<li>${capabilityName(e.capability)}: ${e.text}${e.seen ? html`<span class="seen">Seen in the traces: ${e.seen}</span>` : ''}</li>\n`,
  )}</ul>`;
}

function expectedSection(r: CompareResult): Html {
  return html`<section id="expected"><h2>Expected from the kernel model</h2>
<p class="muted">Where the groups' kernel profiles differ (capabilities, docs/model.md#capabilities), and what the traces show about it: predictions of the model, listed apart from the measured verdicts above.</p>
${r.comparisons.map((c) => html`<h3>${c.group} against ${c.baseline}</h3>\n${expectedList(c)}`)}
</section>`;
}




const opt = (x: number | undefined): string => (x === undefined ? '' : fmt.seconds(x));

function victimRows(g: GroupResult): Html {
  return html`${g.victims.map(
    (v: VictimFacts) => html`<tr><td class="nw">${v.capture}</td><td class="n">${v.pid}</td><td class="what">${v.comm || '?'}</td><td class="nw">${v.outcome.replace('_', ' ')}</td><td class="n">${opt(v.wake)}</td><td class="n">${opt(v.firstAttempt)}</td><td class="n">${opt(v.oomSkip)}${v.oomSkipCause ? html`<span class="sub2">${v.oomSkipCause}</span>` : ''}</td><td class="n">${opt(v.release)}${v.releaseHow ? html`<span class="sub2">${v.releaseHow}</span>` : ''}</td><td class="n">${v.reaperWorked ? v.attempts : ''}</td><td class="n">${v.lockBusy || ''}</td><td class="n">${v.coreStarts ? `${v.coreFailed}/${v.coreStarts}` : ''}</td><td class="n">${v.attemptsRun ? (v.callbackFailures ?? '') : ''}</td><td class="nw">${v.premature ? 'yes' : v.laterSelection ? 'no' : ''}</td></tr>\n`,
  )}`;
}

function victimsSection(r: CompareResult): Html {
  return html`<section id="victims"><h2>Victims</h2>
<p class="muted">The per-victim values behind the metrics (times are seconds since the victim's selection).</p>
${r.groups.map(
  (g) => html`<details${r.groups.reduce((n, x) => n + x.victims.length, 0) <= 40 ? html` open` : ''}><summary>${g.label}: ${fmt.plural(g.victims.length, 'victim')}</summary>
<div class="wide"><table class="victims"><thead><tr><th>capture</th><th class="n">pid</th><th>comm</th><th>outcome</th><th class="n">→ wake</th><th class="n">→ 1st attempt</th><th class="n">→ MMF_OOM_SKIP</th><th class="n">→ released</th><th class="n">attempts</th><th class="n">lock busy</th><th class="n" title="failed non-blocking invalidate_range_start calls / all seen">failed / starts</th><th class="n" title="failed notifier start callbacks in its reap attempts">cb fails</th><th>premature</th></tr></thead><tbody>
${victimRows(g)}</tbody></table></div></details>
`,
)}</section>`;
}

export function renderComparePage(r: CompareResult, opts: { charts: CompareCharts }): ComparePage {
  const warnings: string[] = [];
  const { drawn, empty } = buildCharts(opts.charts, r, warnings);
  const { scripts, csp } = pageScripts(drawn);
  const s = r.summary;
  const victims = r.groups.reduce((n, g) => n + g.victims.length, 0);
  const title = `reaplay compare: ${r.groups.map((g) => g.label).join(' vs ')}`;
  const page = html`${pageHead(title, csp, CSS + COMPARE_CSS)}
<body>
<main>
<header>
<h1>OOM kill comparison</h1>
<p class="sub">${fmt.plural(r.groups.length, 'group')} · ${fmt.plural(r.groups.reduce((n, g) => n + g.captures.length, 0), 'capture')} · ${fmt.plural(victims, 'victim')} · baseline ${r.groups[0]!.label}</p>
<nav><a href="#groups">Groups</a><a href="#thresholds">Verdicts</a><a href="#measured">Measured</a><a href="#expected">Expected</a>${drawn.length || empty.length ? html`<a href="#charts">Charts</a>` : ''}<a href="#victims">Victims</a><a href="compare.json">compare.json</a></nav>
<p class="verdict ${s.regressed ? 'bad' : 'ok'}">${fmt.plural(s.regressed, 'metric')} regressed, ${s.improved} improved, ${s.unchanged} unchanged, ${s['not enough data']} with not enough data${r.comparisons.every((c) => c.descriptive) ? ' (single trace per side: descriptive only)' : ''}</p>
</header>
${groupsSection(r)}
${thresholdsSection(r)}
${measuredSection(r)}
${expectedSection(r)}
${chartsSection(drawn, empty, 'no data')}
${victimsSection(r)}
${modelSection(citedSections(r))}
<footer>Written by reaplay compare. Every capture was replayed through the reference kernel model; the statistics are computed over its victims. The same comparison as JSON: <a href="compare.json">compare.json</a>.</footer>
</main>
${scripts.map((x) => html`<script>${trusted(x)}</script>\n`)}</body>
</html>
`;
  return { html: page.html, warnings };
}
