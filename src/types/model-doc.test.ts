// Every anchor the code may cite exists on its page (docs/model.md, docs/formats.md),
// every `docs/<page>.md#anchor` written in the sources is one of those anchors, and
// every capability of the closed table is described in docs/model.md's capabilities table.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOC_ANCHORS, MODEL_DOC } from './model-doc.ts';
import { CAPABILITIES } from '../replay/capabilities.ts';

const root = new URL('../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');
const anchorsOf = (page: string): Set<string> => new Set([...page.matchAll(/\{#([a-z0-9-]+)\}/g)].map((m) => m[1]!));

/** The project's own .ts and .md files (not dependencies or build output), relative to the root. */
function sources(dir = ''): string[] {
  const skip = new Set(['node_modules', 'dist', 'out', 'coverage']);
  const out: string[] = [];
  for (const e of readdirSync(new URL(dir || '.', root), { withFileTypes: true })) {
    const path = dir ? join(dir, e.name) : e.name;
    if (e.isDirectory()) {
      if (!e.name.startsWith('.') && !skip.has(e.name)) out.push(...sources(path + '/'));
    } else if (/\.(ts|md)$/.test(e.name)) out.push(path);
  }
  return out;
}

describe.each(Object.entries(DOC_ANCHORS))('%s', (doc, cited) => {
  const anchors = anchorsOf(read(doc));
  it('has every section the code may cite', () => {
    for (const a of cited) expect(anchors, `${doc}#${a}`).toContain(a);
  });
});

describe('anchors cited in the sources', () => {
  it('are sections the pages have', () => {
    const cite = new RegExp(`(${Object.keys(DOC_ANCHORS).map((d) => d.replace('.', '\\.')).join('|')})#([a-z0-9-]+)`, 'g');
    const bad: string[] = [];
    let seen = 0;
    for (const file of sources()) {
      for (const m of read(file).matchAll(cite)) {
        seen++;
        if (!DOC_ANCHORS[m[1]!]!.includes(m[2]!)) bad.push(`${file}: ${m[0]}`);
      }
    }
    expect(seen).toBeGreaterThan(0);
    expect(bad).toEqual([]);
  });
});

describe('docs/model.md', () => {
  const page = read(MODEL_DOC);
  it('lists every capability in its table', () => {
    for (const name of Object.keys(CAPABILITIES)) expect(page, name).toMatch(new RegExp(`^\\|[^\\n]*\`${name}\``, 'm'));
  });
});
