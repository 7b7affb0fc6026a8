// The charts and the report exist for every real capture: every chart spec is valid
// Vega-Lite and compiles without a warning, and the page names every victim.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../pipeline.ts';
import { chartData } from '../charts/data.ts';
import { CHARTS, CHART_NAMES } from '../charts/index.ts';
import { compileSpec } from '../charts/render.ts';
import { schemaValidator } from '../charts/schema.ts';
import { renderReport } from './html/page.ts';
import { bundledCaptures, captureFile, HAVE_SHARED, SHARED_TRACES, sharedCaptures } from '../testing/captures.ts';

const validate = schemaValidator();

async function check(label: string, files: string[]): Promise<void> {
  const a = await analyze(files);
  const data = chartData([{ trace: label, analysis: a }]);
  for (const name of CHART_NAMES) {
    const c = CHARTS[name];
    if (c.empty(data)) continue;
    const spec = c.spec(data);
    expect(validate(spec), `${label} ${name}: ${JSON.stringify(validate.errors?.slice(0, 2))}`).toBe(true);
    expect(compileSpec(spec).warnings, `${label} ${name}`).toEqual([]);
  }
  const { html } = renderReport(a, { charts: CHARTS });
  for (const v of a.victims) expect(html).toContain(`victim ${v.pid}`);
}

describe('charts and report for every capture', () => {
  for (const c of [...bundledCaptures(), ...(HAVE_SHARED ? sharedCaptures() : [])]) {
    it(`${c.bundled ? 'samples' : 'shared'} ${c.id}`, () =>
      check(c.id, [captureFile(c, 'ftrace.txt')!, captureFile(c, 'dmesg.txt')!, captureFile(c, 'kprobe_events.txt')!]));
  }
  const hay = join(SHARED_TRACES, '6.1/haystack');
  it.skipIf(!HAVE_SHARED || !existsSync(join(hay, 'ftrace.txt.zst')))('shared 6.1/haystack (1 GB)', () =>
    check('6.1/haystack', [join(hay, 'ftrace.txt.zst'), join(hay, 'dmesg.txt'), join(hay, 'kprobe_events.txt')]));
});
