// The HTML report without a browser: what the page says for a real capture, how it
// escapes hostile text in every place text goes, its Content-Security-Policy, and
// the `report` command.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze, type Analysis } from '../../pipeline.ts';
import { run } from '../../cli/main.ts';
import { SAMPLES_DIR } from '../../testing/captures.ts';
import { storyText } from '../story.ts';
import { esc, html, jsonScript, scriptJson } from './escape.ts';
import { renderReport, type Charts } from './page.ts';
import { CHARTS } from '../../charts/index.ts';
import { hostileCopy } from '../../testing/hostile-capture.ts';

const SAMPLE = join(SAMPLES_DIR, '6.1', 'premature');
const sampleFiles = ['ftrace.txt.gz', 'dmesg.txt.gz', 'kprobe_events.txt'].map((f) => join(SAMPLE, f));

/** Hostile text for names: markup, both quotes, a script end, an entity, a bidi override. */
const H = `<img src=x onerror=alert(1)>"' onmouseover="alert(2)</script><script>alert(3)</script>&amp;\u202e`;
/** H as the page's data islands carry it: chart labels show the override as `\u202e`. */
const H_DATA = H.replace('\u202e', '\\u202e');
/** The same for file names (no `/`, which would end the base name). */
const HF = `<img src=x onerror=alert(1)>"' onmouseover="alert(2)&amp;\u202e`;
const H_ESC = '&lt;img src=x onerror=alert(1)&gt;&quot;&#39; onmouseover=&quot;alert(2)&lt;/script&gt;&lt;script&gt;alert(3)&lt;/script&gt;&amp;amp;\\u202e';
const HF_ESC = '&lt;img src=x onerror=alert(1)&gt;&quot;&#39; onmouseover=&quot;alert(2)&amp;amp;\\u202e';

function cli() {
  const out = new PassThrough();
  const err = new PassThrough();
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  out.on('data', (c: Buffer) => o.push(c));
  err.on('data', (c: Buffer) => e.push(c));
  return { io: { stdout: out, stderr: err }, out: () => Buffer.concat(o).toString(), err: () => Buffer.concat(e).toString() };
}

const section = (page: string, id: string): string => {
  const start = page.indexOf(`<section id="${id}">`);
  expect(start, `section ${id}`).toBeGreaterThanOrEqual(0);
  return page.slice(start, page.indexOf('</section>', start));
};
/** The page without the content of its script elements (the libraries hold strings of their own). */
const markup = (page: string): string => page.replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '<script></script>');
const islands = (page: string): unknown[] => [...page.matchAll(/<script type="application\/json" id="[^"]*">([\s\S]*?)<\/script>/g)].map((m) => JSON.parse(m[1]!));

/** Two small specs of the test's own and one always empty: how charts are embedded, whatever src/charts draws. */
const TEST_CHARTS: Charts = {
  lanes: {
    title: 'Victims: selection to release (test spec)',
    empty: (d) => d.victims.length === 0,
    spec: (d) => ({
      data: { values: d.victims.map((v) => ({ label: v.label, from: v.selected, to: v.release ?? v.selected })) },
      mark: 'bar',
      encoding: { y: { field: 'label', type: 'nominal' }, x: { field: 'from', type: 'quantitative' }, x2: { field: 'to' } },
    }),
  },
  rss: {
    title: 'Anon memory (test spec)',
    empty: (d) => d.rss.length === 0,
    spec: (d) => ({ data: { values: d.rss }, mark: 'line', encoding: { x: { field: 't', type: 'quantitative' }, y: { field: 'anonMB', type: 'quantitative' } } }),
  },
  nothing: { title: 'Always empty (test spec)', empty: () => true, spec: () => ({ data: { values: [] }, mark: 'point' }) },
};

const charts: Charts = CHARTS;
let a: Analysis;
beforeAll(async () => {
  a = await analyze(sampleFiles);
});

describe('escaping', () => {
  it('esc() escapes the HTML specials, control characters and bidi overrides; html`` escapes every value', () => {
    expect(esc(`<img src=x onerror=alert(1)>`)).toBe('&lt;img src=x onerror=alert(1)&gt;');
    expect(esc(`a"b'c&d`)).toBe('a&quot;b&#39;c&amp;d');
    expect(esc('\u001b[31mred\u202e')).toBe('\\x1b[31mred\\u202e');
    expect(esc(undefined)).toBe('');
    expect(esc(42n)).toBe('42');
    expect(html`<p title="${H}">${H}</p>${[H, html`<b>${H}</b>`]}${false}${undefined}`.html).toBe(
      `<p title="${H_ESC}">${H_ESC}</p>${H_ESC}<b>${H_ESC}</b>`,
    );
  });
  it('data islands: `<` as \\u003c, so `</script>` cannot close the element; JSON.parse gives the text back, bidi overrides made visible', () => {
    const value = { comm: H, n: 1n, nested: ['<!--', '</SCRIPT >', '\u2028'] };
    const json = scriptJson(value);
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(json)).toEqual({ comm: H_DATA, n: '1', nested: ['<!--', '</SCRIPT >', '\u2028'] });
    const el = jsonScript('d-1', value).html;
    expect(el.match(/<\/script/gi)).toHaveLength(1);
    expect(islands(el)).toEqual([JSON.parse(json)]);
  });
});

describe('the page for 6.1/premature', () => {
  it('has the kernel, the profile reasons, the inputs, every story step and every evidence line of check', () => {
    const { html: page, warnings } = renderReport(a, { charts });
    expect(warnings).toEqual([]);
    const kernel = section(page, 'kernel');
    expect(kernel).toContain('<b>6.1.0-56-amd64</b> (upstream 6.1.192)');
    expect(kernel).toContain('replayed as family <b>6.1-6.8</b>');
    for (const r of a.profile.reasons) expect(kernel).toContain(`<li>${esc(r)}</li>`);
    const inputs = section(page, 'inputs');
    for (const m of a.inputs) expect(inputs).toContain(esc(m.file));

    const victims = section(page, 'victims');
    expect(victims).toContain('<h3>victim 440 (victim)</h3>');
    expect(victims).toContain('<h3>victim 386 (victim)</h3>');
    expect(victims).toContain('memcg:/oomlab');
    expect(victims).toContain('0xffff898a41102880');
    expect(victims).toMatch(/<td class="t">16\.558790<\/td><td class="rel">\+2\.007 s<\/td><td class="what">10 reap attempt\(s\), 140 of 140 invalidate calls inside the reaper&#39;s attempts failed \(-11\), 141 over the mm&#39;s lifetime, until 17\.531158<\/td><td class="src"><span title="[^"]*ftrace\.txt\.gz \(byte \d+\)">ftrace\.txt\.gz:4780<\/span>/);
    expect(victims).toContain('notifier mntest: 140 start(s) failed (-11)');
    expect(victims).toContain('Outcome: <b>the oom_reaper gave up; MMF_OOM_SKIP hid the victim while its memory was still mapped</b>');

    const findings = section(page, 'findings');
    expect(findings).toMatch(/<span class="badge b-proven">proven<\/span><a class="rule" href="#model-rules-premature" title="docs\/model.md#rules-premature">PVS-PREMATURE<\/a><span class="muted">premature_victim<\/span>/);
    expect(findings).toMatch(/<span class="badge b-muted">proven<\/span><span class="badge b-expected">expected on this kernel<\/span><a class="rule" href="#model-rules-unpaired" title="docs\/model.md#rules-unpaired">UPI-CORE-FAILED-START<\/a>/);
    // the violation the model does not expect comes first
    expect(findings.indexOf('PVS-PREMATURE')).toBeLessThan(findings.indexOf('UPI-CORE-FAILED-START'));
    for (const f of a.findings) {
      expect(findings).toContain(esc(f.message));
      for (const e of f.evidence) expect(findings).toContain(`<td class="what">${esc(e.what)}</td>`);
    }
    expect(findings).toMatch(/<td class="t">24\.174397<\/td><td class="what">memory of 440 released only now \(mm_release\)<\/td><td class="src"><span title="[^"]*">ftrace\.txt\.gz:10840<\/span>/);

    // every file:line check prints is on the page, in the victims or the findings
    const refs = [...storyText(a).matchAll(/ (\S+\.(?:gz|txt):\d+)$/gm)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(20);
    for (const r of refs) expect(victims + findings).toContain(`>${r}</span>`);

    expect(page).toContain('<p class="verdict bad">1 proven violation the model does not expect on this kernel; 1 finding of expected behaviour</p>');
  });

  it("links each finding's rule to its section of docs/model.md, carried in the page", () => {
    const page = renderReport(a, { charts: {} }).html;
    const links = [...page.matchAll(/<a class="rule" href="#(model-[a-z-]+)"/g)].map((m) => m[1]!);
    expect(links.length).toBe(a.findings.length);
    const ids = [...page.matchAll(/<article class="card model" id="(model-[a-z-]+)"><h3>([^<]+)<\/h3>/g)].map((m) => [m[1], m[2]]);
    expect(ids).toEqual([['model-rules-unpaired', 'Unpaired invalidates'], ['model-rules-premature', 'Premature victim selection']]);
    for (const l of links) expect(ids.map(([id]) => id)).toContain(l);
    // The section's own words, escaped, with its code spans.
    expect(page).toContain('<li>PVS-PREMATURE: MMF_OOM_SKIP was set on V1&#39;s mm before t2 by a give-up (<code>REAP_GAVE_UP</code>');
  });

  it('embeds one chart container and one JSON data island per drawn chart; empty charts are listed as not drawn', () => {
    const page = renderReport(a, { charts: TEST_CHARTS }).html;
    const views = [...page.matchAll(/<div class="chart-view" id="(chart-\d+)" role="img" aria-label="[^"]*" data-chart-spec="(chart-spec-\d+)"><\/div>/g)];
    expect(views.map((m) => m[1])).toEqual(['chart-0', 'chart-1']);
    const specs = islands(page) as { data: { values: unknown[] } }[];
    expect(specs).toHaveLength(2);
    expect(specs[0]!.data.values).toHaveLength(2);
    expect(page).toContain('Not drawn, no data in this capture: Always empty (test spec).');
    // a spec that throws: the page says so and the report is still written
    const broken = renderReport(a, { charts: { bad: { title: 'Broken', empty: () => false, spec: () => { throw new Error('no <good> spec'); } } } });
    expect(broken.warnings).toEqual(['chart bad: no <good> spec']);
    expect(broken.html).toContain('This chart could not be built: no &lt;good&gt; spec');
  });

  it('without a chart to draw, no library and no script at all', () => {
    const page = renderReport(a, { charts: {} }).html;
    expect(page).not.toMatch(/<script/);
    expect(page).toContain(`script-src &#39;none&#39;`);
    expect(page).not.toContain('id="charts"');
  });

  it('a capture without a victim: says so, lists every chart as not drawn, carries no script', async () => {
    const none = await analyze([join(SAMPLE, 'kprobe_events.txt')]);
    const page = renderReport(none, { charts }).html;
    expect(page).toContain('<p>No OOM victim in these inputs.</p>');
    expect(page).toContain('<p class="verdict ok">0 proven violations the model does not expect on this kernel; 0 findings of expected behaviour</p>');
    expect(page).not.toMatch(/<script/);
    for (const c of Object.values(charts)) expect(page).toContain(esc(c.title));
  });

  it('CSP: no network, only its own scripts by hash, no eval; nothing in the markup loads anything', () => {
    const page = renderReport(a, { charts }).html;
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(page)![1]!.replace(/&#39;/g, "'");
    expect(page.indexOf('Content-Security-Policy')).toBeLessThan(page.indexOf('<script'));
    expect(csp).toMatch(/^default-src 'none'; /);
    expect(csp).toContain('img-src data:');
    expect(csp).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|https?:|\*/);
    const code = [...page.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(code).toHaveLength(4); // vega, vega-lite, vega-embed, the page's own
    expect(code[0]!.length).toBeGreaterThan(100_000);
    const hashes = code.map((c) => `'sha256-${createHash('sha256').update(c, 'utf8').digest('base64')}'`);
    expect(csp).toContain(`script-src ${hashes.join(' ')};`);
    const m = markup(page);
    expect(m.match(/<script/g)!.length).toBe(m.match(/<\/script>/g)!.length);
    expect(m).not.toMatch(/<(link|iframe|object|embed|img|base|form|meta http-equiv="refresh")\b/i);
    expect(m).not.toMatch(/@import|url\(/);
    const links = [...m.matchAll(/\s(?:src|href|action|srcset|poster)="([^"]*)"/g)].map((x) => x[1]);
    expect(new Set(links)).toEqual(new Set(['#kernel', '#inputs', '#victims', '#findings', '#charts', 'report.json', '#victim-0', '#victim-1', '#model-rules-unpaired', '#model-rules-premature']));
  });
});

/** Appends hostile text to every string of the analysis that came from a trace or a file name. */
function taint(root: unknown): void {
  const NAMES = new Set(['comm', 'domain', 'instance', 'notifier', 'mmPtr', 'mm', 'release', 'upstream', 'kernelRelease', 'message', 'why', 'what', 'text']);
  const seen = new WeakSet<object>();
  const walk = (o: unknown): void => {
    if (typeof o !== 'object' || o === null || seen.has(o) || o instanceof Map || o instanceof Set) return;
    seen.add(o);
    for (const [k, v] of Object.entries(o)) {
      // Notifier tallies are keyed by the instance's name, which comes from the trace too.
      if (k === 'notifiers' && typeof v === 'object' && v !== null && !Array.isArray(v)) {
        (o as Record<string, unknown>)[k] = Object.fromEntries(Object.entries(v).map(([n, x]) => [`${n}${H}`, x]));
        walk((o as Record<string, unknown>)[k]);
      } else if (typeof v === 'string' && k === 'file') (o as Record<string, unknown>)[k] = `${v}${HF}`;
      else if (typeof v === 'string' && NAMES.has(k)) (o as Record<string, unknown>)[k] = `${v}${H}`;
      else walk(v);
    }
  };
  walk(root);
}

describe('hostile text in every place text goes', () => {
  it('is escaped in text and attributes, and travels to the charts only as JSON', async () => {
    const t = await analyze(sampleFiles);
    taint(t);
    t.profile.reasons.push(`observed: ${H}`);
    for (const f of t.findings) {
      f.notifier = `mntest${H}`;
      f.why = `lost events${H}`;
    }
    const { html: page } = renderReport(t, { charts });
    const m = markup(page);

    // nothing of it became markup
    expect(m).not.toMatch(/<img|<script>alert|" onmouseover|' onmouseover|\u202e/);
    expect(m.match(/<script/g)!.length).toBe(m.match(/<\/script>/g)!.length);
    expect(page.match(/<script/g)!.length).toBe(page.match(/<\/script>/g)!.length);

    // and all of it is shown, escaped, wherever it goes
    const kernel = section(page, 'kernel');
    expect(kernel).toContain(`<b>6.1.0-56-amd64${H_ESC}</b>`);
    expect(kernel).toContain(`<li>observed: ${H_ESC}</li>`);
    expect(section(page, 'inputs')).toContain(`ftrace.txt.gz${HF_ESC}</td>`);
    const victims = section(page, 'victims');
    expect(victims).toContain(`<h3>victim 440 (victim${H_ESC})</h3>`);
    expect(victims).toContain(`OOM domain <b>memcg:/oomlab${H_ESC}</b>`);
    expect(victims).toContain(`mm <b class="mono">0xffff898a41102880${H_ESC}</b>`);
    expect(victims).toContain(`notifier mntest${H_ESC}: 140 start(s) failed (-11)`);
    expect(victims).toContain(`>ftrace.txt.gz${HF_ESC}:3236</span>`);
    expect(victims).toMatch(new RegExp(`<span title="[^"<>]*ftrace\\.txt\\.gz${HF_ESC.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(byte \\d+\\)">`));
    const findings = section(page, 'findings');
    expect(findings).toContain(`notifier <b>mntest${H_ESC}</b>`);
    expect(findings).toContain(`Why not higher: lost events${H_ESC}</p>`);
    expect(findings).toContain(`<td class="what">440 selected${H_ESC}</td>`);
    expect(findings).toContain(`${H_ESC}</p>`); // the message
    expect(findings).toContain(`>ftrace.txt.gz${HF_ESC}:10840</span>`);
    expect(findings).toContain(`mm <b class="mono">0xffff898a41102880${H_ESC}</b>`);
    expect(page).toContain(`<title>reaplay report: 2 victims, kernel 6.1.0-56-amd64${H_ESC}</title>`);

    // the chart data islands give the text back through JSON.parse, the bidi override made visible
    const data = JSON.stringify(islands(page));
    expect(data).toContain(JSON.stringify(`victim${H_DATA}`).slice(1, -1));
  });
});

describe('reaplay report', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'reaplay-report-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes index.html and report.json (the document of check --json) and prints the page path', async () => {
    const out = join(dir, 'premature');
    const c = cli();
    expect(await run(['report', ...sampleFiles, '--out', out], c.io)).toBe(0);
    expect(c.out()).toBe(`${resolve(out, 'index.html')}\n`);
    expect(readdirSync(out).sort()).toEqual(['.reaplay-output', 'index.html', 'report.json']);
    const page = readFileSync(join(out, 'index.html'), 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('<h3>victim 440 (victim)</h3>');
    const check = cli();
    expect(await run(['check', '--json', ...sampleFiles], check.io)).toBe(1);
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'))).toEqual(JSON.parse(check.out()));
  });

  it('takes the model options of check', async () => {
    const out = join(dir, 'as-5.4');
    const c = cli();
    expect(await run(['report', '--kernel', '5.4', '--capability', 'hlistEndOnFailure=false', ...sampleFiles, '--out', out], c.io)).toBe(0);
    const doc = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(doc.kernel.family).toBe('5.2-5.4');
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('<li>override: hlistEndOnFailure=false</li>');
  });

  it('names no file after the trace: a hostile capture still gives index.html and report.json only', async () => {
    const files = hostileCopy(SAMPLE, join(dir, 'hostile-input'));
    const out = join(dir, 'hostile');
    expect(await run(['report', ...files, '--out', out], cli().io)).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['.reaplay-output', 'index.html', 'report.json']);
    expect(markup(readFileSync(join(out, 'index.html'), 'utf8'))).not.toContain('<img');
  });

  it('bad usage and bad folders exit 2', async () => {
    const c = cli();
    expect(await run(['report', ...sampleFiles], c.io)).toBe(2);
    expect(c.err()).toMatch(/Missing required argument: out/);
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const d = cli();
    expect(await run(['report', ...sampleFiles, '--out', file], d.io)).toBe(2);
    expect(d.err()).toMatch(/--out .*a-file: cannot create the folder/);
    expect(await run(['report', join(dir, 'missing.txt'), '--out', join(dir, 'x')], cli().io)).toBe(2);
  });
});
