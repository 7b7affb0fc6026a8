// Every anchor the code may cite exists in docs/model.md, and every capability of the
// closed table is described on that page (in its capabilities table).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MODEL_ANCHORS, MODEL_DOC } from './model-doc.ts';
import { CAPABILITIES } from '../replay/capabilities.ts';

const page = readFileSync(new URL(`../../${MODEL_DOC}`, import.meta.url), 'utf8');
const anchors = new Set([...page.matchAll(/\{#([a-z0-9-]+)\}/g)].map((m) => m[1]));

describe('docs/model.md', () => {
  it('has every section the code may cite', () => {
    for (const a of MODEL_ANCHORS) expect(anchors, `#${a}`).toContain(a);
  });
  it('lists every capability in its table', () => {
    for (const name of Object.keys(CAPABILITIES)) expect(page, name).toMatch(new RegExp(`^\\|[^\\n]*\`${name}\``, 'm'));
  });
});
