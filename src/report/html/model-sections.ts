// The sections of docs/model.md a page cites, carried in the page itself: the pages work
// offline and stand alone, so a rule or a capability links to its section inside the
// page (#model-<anchor>), not to a file the reader may not have. The text is the
// project's own, still escaped; only code spans, lists and paragraphs are kept.
import { readFileSync } from 'node:fs';
import { MODEL_ANCHORS, MODEL_DOC, type ModelAnchor } from '../../types/model-doc.ts';
import { html, type Html } from './escape.ts';

interface Section {
  title: string;
  body: string[];
}

let cache: Map<ModelAnchor, Section> | undefined;

/** docs/model.md split at its anchored headings; empty when the page is not installed. */
function sections(): Map<ModelAnchor, Section> {
  if (cache) return cache;
  cache = new Map();
  let text: string;
  try {
    text = readFileSync(new URL(`../../../${MODEL_DOC}`, import.meta.url), 'utf8');
  } catch {
    return cache;
  }
  const known = new Set<string>(MODEL_ANCHORS);
  let at: Section | undefined;
  for (const line of text.split('\n')) {
    const h = /^#{1,6} (.*?)\s*(?:\{#([a-z0-9-]+)\})?\s*$/.exec(line);
    if (h) {
      at = h[2] && known.has(h[2]) ? { title: h[1]!, body: [] } : undefined;
      if (at) cache.set(h[2] as ModelAnchor, at);
      continue;
    }
    at?.body.push(line);
  }
  return cache;
}

/** The in-page anchor of a section, when the page carries the model's text. */
export const modelHref = (a: ModelAnchor): string | undefined => (sections().has(a) ? `#model-${a}` : undefined);

/** `code` spans and [text](link)s of one line of the model's text, escaped. */
function inline(s: string): Html {
  const plain = s.replace(/\[([^\]]+)\]\([^)]*\)/g, '$1').replace(/\*\*([^*]+)\*\*/g, '$1');
  return html`${plain.split('`').map((part, i) => (i % 2 ? html`<code>${part}</code>` : part))}`;
}

/** Paragraphs and bullet lists of a section's body (tables are left to the file). */
function body(lines: readonly string[]): Html[] {
  const out: Html[] = [];
  let para: string[] = [];
  let items: string[] = [];
  const flush = () => {
    if (para.length) out.push(html`<p>${inline(para.join(' '))}</p>`);
    if (items.length) out.push(html`<ul>${items.map((i) => html`<li>${inline(i)}</li>`)}</ul>`);
    para = [];
    items = [];
  };
  for (const raw of lines) {
    const line = raw.trimEnd();
    if (!line.trim() || line.startsWith('|') || line.startsWith('```')) {
      flush();
      continue;
    }
    const item = /^\s*- (.*)$/.exec(line);
    if (item) {
      if (para.length) flush();
      items.push(item[1]!);
    } else if (items.length && /^\s+\S/.test(line)) items[items.length - 1] += ` ${line.trim()}`;
    else {
      if (items.length) flush();
      para.push(line.trim());
    }
  }
  flush();
  return out;
}

/** The cited sections, in the model page's order, as one section of the page. */
export function modelSection(cited: Iterable<ModelAnchor>): Html {
  const want = new Set(cited);
  const all = sections();
  const shown = MODEL_ANCHORS.filter((a) => want.has(a) && all.has(a));
  if (!shown.length) return html``;
  return html`<section id="model"><h2>The kernel model</h2>
<p class="muted">The sections of ${MODEL_DOC} the rules and capabilities above rest on.</p>
${shown.map((a) => html`<article class="card model" id="model-${a}"><h3>${all.get(a)!.title}</h3>\n${body(all.get(a)!.body)}</article>\n`)}</section>`;
}
