// `reaplay report`: one capture's analysis as a self-contained HTML page. The same
// facts as `reaplay check` (the kernel and how its profile was arrived at, the inputs,
// per victim what happened with the line of each step, the findings with rule, level,
// expected, why and evidence), then the charts drawn by vega-embed from specs that
// travel as JSON data islands. vega, vega-lite and vega-embed are inlined; the
// Content-Security-Policy allows no network access at all, and only the page's own
// scripts (by hash) may run.
//
// Every value from the trace goes through html`` (escape.ts), which escapes it.
import { pageScripts } from './csp.ts';
import { pageHead } from './head.ts';
import { basename } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { Analysis } from '../../pipeline.ts';
import type { VictimFacts } from '../../facts/types.ts';
import type { Evidence, Finding } from '../../findings/finding.ts';
import type { SourceRef } from '../../types/event.ts';
import { formatSourceRef } from '../../types/source-ref.ts';
import { chartData, type ChartData } from '../../charts/data.ts';

import { buildCharts, chartsSection } from './charts-section.ts';
import { html, trusted, type Html } from './escape.ts';
import { OUTCOME, victimSteps } from '../steps.ts';
import { diagnosticErrors, diagnosticsLine } from '../story.ts';
import { CSS } from './style.ts';
import { modelHref, modelSection } from './model-sections.ts';
import { ruleAnchor } from '../../findings/rule-doc.ts';
import { formatDuration, formatEvidenceInstant, formatInstant } from '../../types/time.ts';

/** One chart of src/charts/index.ts: a vega-lite spec as a pure function of the chart rows. */
export interface ChartDef {
  title: string;
  spec(data: ChartData): TopLevelSpec;
  empty(data: ChartData): boolean;
}
export type Charts = Readonly<Record<string, ChartDef>>;

export interface ReportOptions {
  charts: Charts;
  /** Name of the capture in the chart rows (`trace`); defaults to the first input's base name. */
  trace?: string;
}

export interface Report {
  html: string;
  /** Charts whose spec could not be built (the page says so where the chart would be). */
  warnings: string[];
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function bytes(n: number): string {
  if (n >= 1 << 30) return `${(n / 2 ** 30).toFixed(1)} GiB`;
  if (n >= 1 << 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
  return `${n} B`;
}

/** `file:line`, the base name shown and the path as given (and byte offset) on hover. */
function where(src: SourceRef | undefined): Html {
  if (!src) return html``;
  return html`<span title="${src.file} (byte ${src.offset})">${formatSourceRef({ ...src, file: basename(src.file) })}</span>`;
}

function relative(ns: bigint): string {
  if (ns === 0n) return '±0';
  return `${ns < 0n ? '−' : '+'}${formatDuration(ns < 0n ? -ns : ns)}`;
}

function verdict(a: Analysis): { bad: boolean; text: string } {
  const violations = a.findings.filter((f) => f.level === 'proven' && !f.expected).length;
  const expected = a.findings.filter((f) => f.expected).length;
  return {
    bad: violations > 0,
    text: `${plural(violations, 'proven violation')} the model does not expect on this kernel; ${plural(expected, 'finding')} of expected behaviour`,
  };
}

function kernelSection(a: Analysis): Html {
  const k = a.kernel;
  const p = a.profile;
  const caps = Object.entries(p.caps).sort(([x], [y]) => x.localeCompare(y));
  return html`<section id="kernel"><h2>Kernel</h2>
<p>Recorded on <b>${k.release ?? 'an unknown kernel'}</b>${k.upstream ? html` (upstream ${k.upstream})` : ''}; replayed as family <b>${p.profile.label}</b>.</p>
${p.profile.notes ? html`<p class="muted">What the ${p.profile.label} family changed: ${p.profile.notes.replace(/\.$/, '')}.</p>` : ''}
<h3>How the profile was arrived at</h3>
<ol class="reasons">${p.reasons.map((r) => html`<li>${r}</li>`)}</ol>
<details><summary>${plural(caps.length, 'capability', 'capabilities')} of the profile</summary>
<ul class="caps">${caps.map(([name, v]) => html`<li><code>${name}</code> = <code>${String(v)}</code></li>`)}</ul></details>
</section>`;
}

function inputsSection(a: Analysis): Html {
  const span = (f?: bigint, l?: bigint): string => (f !== undefined && l !== undefined ? `${formatInstant(f)} – ${formatInstant(l)}` : '');
  return html`<section id="inputs"><h2>Inputs</h2>
<p class="muted">One capture: the inputs are merged on one clock.</p>
<table><thead><tr><th>file</th><th>format</th><th>kernel</th><th class="n">lines</th><th class="n">size</th><th class="n">CPUs</th><th>time span (s)</th><th>data loss</th></tr></thead><tbody>
${a.inputs.map(
  (m) => html`<tr><td class="what">${m.file}</td><td class="nw">${m.format}</td><td class="nw">${m.kernelRelease ?? ''}</td><td class="n">${m.lines.toLocaleString('en-US')}</td><td class="n">${bytes(m.bytes)}</td><td class="n">${m.cpus ?? ''}</td><td class="mono nw">${span(m.firstTs, m.lastTs)}</td><td class="nw">${m.losses.length ? plural(m.losses.length, 'marker') : 'none'}</td></tr>\n`,
)}</tbody></table>
<p class="muted">${diagnosticsLine(a.facts.diagnostics)}</p>
${diagnosticErrors(a.facts.diagnostics).map((l) => html`<p class="mono">${l}</p>\n`)}
</section>`;
}

const victimAnchor = (i: number): string => `victim-${i}`;

function victimCard(v: VictimFacts, i: number): Html {
  const steps = victimSteps(v);
  return html`<article class="card" id="${victimAnchor(i)}">
<header><h3>victim ${v.pid} (${v.comm || '?'})</h3><span class="badge b-${v.reap}">${v.reap.replace('_', ' ')}</span></header>
<div class="facts"><span>OOM domain <b>${v.domain}</b></span>${v.mm ? html`<span>mm <b class="mono">${v.mm}</b></span>` : ''}${v.mmId !== undefined ? html`<span>rss mm_id <b class="mono">${v.mmId}</b></span>` : ''}</div>
<table class="lines"><colgroup><col class="c-t"><col class="c-rel"><col><col class="c-src"></colgroup>
<thead><tr><th class="t">time (s)</th><th class="t">since selection</th><th>what</th><th>line</th></tr></thead><tbody>
${steps.map(
  (s) => html`<tr${s.detail ? html` class="detail"` : ''}><td class="t">${formatInstant(s.ts)}</td><td class="rel">${relative(s.ts - v.selectedAt)}</td><td class="what">${s.text}</td><td class="src">${where(s.src)}</td></tr>\n`,
)}</tbody></table>
<p class="outcome">Outcome: <b>${OUTCOME[v.reap]}</b></p>
</article>`;
}

function victimsSection(a: Analysis): Html {
  const vs = a.facts.victims;
  return html`<section id="victims"><h2>Victims</h2>
${vs.length ? vs.map((v, i) => victimCard(v, i)) : html`<p>No OOM victim in these inputs.</p>`}
</section>`;
}

function evidenceTable(ev: readonly Evidence[]): Html {
  if (!ev.length) return html``;
  return html`<table class="lines"><colgroup><col class="c-t"><col><col class="c-src"></colgroup>
<thead><tr><th class="t">time (s)</th><th>evidence</th><th>line</th></tr></thead><tbody>
${ev.map((e) => html`<tr><td class="t">${formatEvidenceInstant(e.ts)}</td><td class="what">${e.what}</td><td class="src">${where(e.src)}</td></tr>\n`)}</tbody></table>`;
}

/** The rule's name, linked to its section of the model carried in the page. */
function ruleName(rule: string): Html {
  const href = modelHref(ruleAnchor(rule));
  return href ? html`<a class="rule" href="${href}" title="docs/model.md#${ruleAnchor(rule)}">${rule}</a>` : html`<span class="rule">${rule}</span>`;
}

function findingCard(f: Finding, i: number, a: Analysis): Html {
  const vi = a.facts.findingVictims[i];
  const victim = f.victim ? (vi !== undefined ? html`<a href="#${victimAnchor(vi)}">victim ${f.victim.pid}</a>` : html`victim ${f.victim.pid}`) : '';
  return html`<article class="card${f.expected ? ' expected' : ''}">
<header><span class="badge b-${f.expected ? 'muted' : f.level}">${f.level}</span>${f.expected ? html`<span class="badge b-expected">expected on this kernel</span>` : ''}${ruleName(f.rule)}<span class="muted">${f.kind}</span></header>
<div class="facts">${victim ? html`<span>${victim}</span>` : ''}${f.victim?.mm ? html`<span>mm <b class="mono">${f.victim.mm}</b></span>` : ''}${f.notifier ? html`<span>notifier <b>${f.notifier}</b></span>` : ''}${f.count !== undefined ? html`<span>occurrences <b>${f.count}</b></span>` : ''}</div>
<p>${f.message}</p>
${f.why ? html`<p class="why">Why not higher: ${f.why}</p>` : ''}
${evidenceTable(f.evidence)}
</article>`;
}

const RANK = { proven: 0, suggested: 1, inconclusive: 2 } as const;

/** The findings' places (facts are kept per place), what needs attention first: findings the model does not expect, then by level (a stable sort: check's order otherwise). */
const ordered = (fs: readonly Finding[]): number[] => fs.map((_, i) => i).sort((i, j) => Number(fs[i]!.expected) - Number(fs[j]!.expected) || RANK[fs[i]!.level] - RANK[fs[j]!.level]);

function findingsSection(a: Analysis): Html {
  return html`<section id="findings"><h2>Findings</h2>
${a.findings.length ? ordered(a.findings).map((i) => findingCard(a.findings[i]!, i, a)) : html`<p>None.</p>`}
</section>`;
}




/** The capture's name in the charts: the base name of its trace (not of the kernel log or the kprobe definitions). */
function traceName(a: Analysis): string {
  const rank = (f: string): number => (f === 'kprobe-events' ? 2 : f === 'kernel-log' ? 1 : 0);
  const first = [...a.inputs].sort((x, y) => rank(x.format) - rank(y.format))[0];
  return first ? basename(first.file) : 'capture';
}


export function renderReport(a: Analysis, opts: ReportOptions): Report {
  const warnings: string[] = [];
  const trace = opts.trace ?? traceName(a);
  const { drawn, empty } = buildCharts(opts.charts, chartData([{ trace, analysis: a }]), warnings);
  const { scripts, csp } = pageScripts(drawn);
  const v = verdict(a);
  const k = a.kernel;
  const title = `reaplay report: ${plural(a.facts.victims.length, 'victim')}, kernel ${k.release ?? 'unknown'}`;
  const page = html`${pageHead(title, csp, CSS)}
<body>
<main>
<header>
<h1>OOM kill report</h1>
<p class="sub">${plural(a.facts.victims.length, 'victim')} · ${plural(a.findings.length, 'finding')} · kernel ${k.release ?? 'unknown'}, replayed as family ${a.profile.profile.label} · ${plural(a.inputs.length, 'input')}</p>
<nav><a href="#kernel">Kernel</a><a href="#inputs">Inputs</a><a href="#victims">Victims</a><a href="#findings">Findings</a>${drawn.length || empty.length ? html`<a href="#charts">Charts</a>` : ''}<a href="report.json">report.json</a></nav>
<p class="verdict ${v.bad ? 'bad' : 'ok'}">${v.text}</p>
</header>
${kernelSection(a)}
${inputsSection(a)}
${victimsSection(a)}
${findingsSection(a)}
${chartsSection(drawn, empty, 'no data in this capture')}
${modelSection(a.findings.map((f) => ruleAnchor(f.rule)))}
<footer>Written by reaplay report. Times are seconds on the trace clock; “line” is the file and line of the input that shows the step (hover for the path as given). The same analysis as JSON: <a href="report.json">report.json</a>.</footer>
</main>
${scripts.map((s) => html`<script>${trusted(s)}</script>\n`)}</body>
</html>
`;
  return { html: page.html, warnings };
}
