// One golden `check --json` per bundled capture: it guards the facts' shape and numbers
// (UPDATE_GOLDEN=1 npx vitest run src/report/check-json.test.ts rewrites them after a
// deliberate change; review the diff).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundledCaptures, captureFile, REPO_ROOT } from '../testing/captures.ts';
import { cli } from '../testing/cli.ts';

const GOLDEN_DIR = fileURLToPath(new URL('./golden/', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';

describe.each(bundledCaptures().map((c) => [c.id, c] as const))('check --json %s', (id, c) => {
  it('matches its golden document', async () => {
    const files = ['ftrace.txt', 'dmesg.txt', 'kprobe_events.txt'].map((f) => captureFile(c, f)!);
    const r = await cli('check', '--json', ...files);
    expect(r.err).toBe('');
    // Paths relative to the repository, so the document is the same in every clone.
    const doc = r.out.split(`${REPO_ROOT}/`).join('');
    const file = join(GOLDEN_DIR, `check.${id.replace('/', '-')}.json`);
    if (UPDATE || !existsSync(file)) {
      mkdirSync(GOLDEN_DIR, { recursive: true });
      writeFileSync(file, doc);
      if (!UPDATE) throw new Error(`${file} was missing and has been written: review it and run again`);
    }
    expect(JSON.parse(doc)).toEqual(JSON.parse(readFileSync(file, 'utf8')));
    expect([0, 1]).toContain(r.code);
  });
});
