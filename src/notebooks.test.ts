// Every notebook in notebooks/ is executed headless, as a reader would run it: Debian's
// Jupyter (nbconvert, nbclient) with the Deno kernel from node_modules. The executed copy
// goes to a temporary directory; the committed notebook is never written. A notebook fails
// on any error output, on a stderr stream that reports an error, and when its charts
// (Vega-Lite outputs with non-empty data) are missing. Skipped, with a message, only when
// Jupyter or the Deno runtime is not installed (.ci/run installs Jupyter; npm ci, Deno).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './testing/captures.ts';

/** Debian's Python: the `python3` first on PATH may be another one, without Jupyter. */
const PYTHON = '/usr/bin/python3';
const DENO = join(REPO_ROOT, 'node_modules/@deno/linux-x64-glibc/deno');
const NOTEBOOKS = join(REPO_ROOT, 'notebooks');
const VEGA_LITE = 'application/vnd.vegalite.v5+json';

function run(cmd: string, args: string[], timeoutMs = 60_000) {
  return spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
}

/** Why the notebooks cannot run here, or undefined when they can. */
function missing(): string | undefined {
  if (!existsSync(PYTHON) || run(PYTHON, ['-m', 'jupyter', 'nbconvert', '--version']).status !== 0 || run(PYTHON, ['-c', 'import nbclient, ipykernel']).status !== 0) {
    return `Jupyter is not installed for ${PYTHON} (Debian: apt-get install --no-install-recommends jupyter-nbconvert python3-nbclient jupyter-client jupyter-core python3-ipykernel; .ci/run does it)`;
  }
  if (!existsSync(DENO)) return `the Deno runtime is not in node_modules (${DENO}): run npm ci (devDependency deno)`;
  return undefined;
}

const skip = missing();
if (skip) console.warn(`notebooks.test.ts: skipped: ${skip}`);

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  ename?: string;
  evalue?: string;
  traceback?: string[];
  data?: Record<string, unknown>;
}
interface Cell {
  cell_type: string;
  id?: string;
  source: string | string[];
  outputs?: Output[];
}
interface Notebook {
  cells: Cell[];
  metadata: { kernelspec?: { name?: string } };
}

const joined = (t: string | string[] | undefined): string => (Array.isArray(t) ? t.join('') : (t ?? ''));
// eslint-disable-next-line no-control-regex
const plain = (s: string): string => s.replace(/\u001b\[[0-9;]*m/g, '');
const codeCells = (nb: Notebook): Cell[] => nb.cells.filter((c) => c.cell_type === 'code');

/** What went wrong in a notebook's outputs, one line per problem, naming the cell. */
function problems(nb: Notebook): string[] {
  const out: string[] = [];
  for (const [i, c] of codeCells(nb).entries()) {
    const where = `code cell ${i + 1}${c.id ? ` (${c.id})` : ''}`;
    for (const o of c.outputs ?? []) {
      if (o.output_type === 'error') out.push(`${where}: ${o.ename}: ${o.evalue}\n${plain((o.traceback ?? []).join('\n'))}`);
      if (o.output_type === 'stream' && o.name === 'stderr' && /error/i.test(joined(o.text))) out.push(`${where}: stderr: ${plain(joined(o.text))}`);
    }
  }
  return out;
}

/** Rows of inline data anywhere in a Vega-Lite spec (`data.values` and `datasets`, layers and concats included). */
function dataRows(spec: unknown): number {
  if (Array.isArray(spec)) return spec.reduce((n: number, x) => n + dataRows(x), 0);
  if (spec === null || typeof spec !== 'object') return 0;
  let n = 0;
  for (const [k, v] of Object.entries(spec)) {
    if (k === 'data' && v && typeof v === 'object' && Array.isArray((v as { values?: unknown }).values)) n += (v as { values: unknown[] }).values.length;
    else if (k === 'datasets' && v && typeof v === 'object') n += Object.values(v).reduce((m: number, d) => m + (Array.isArray(d) ? d.length : 0), 0);
    else n += dataRows(v);
  }
  return n;
}

function charts(nb: Notebook): { cell: string; spec: unknown; png: boolean }[] {
  return codeCells(nb).flatMap((c, i) =>
    (c.outputs ?? []).filter((o) => o.data?.[VEGA_LITE] !== undefined).map((o) => ({ cell: c.id ?? `code cell ${i + 1}`, spec: o.data![VEGA_LITE], png: typeof o.data!['image/png'] === 'string' })),
  );
}

/** The Deno kernel is registered with Jupyter, pointing at a Deno binary that exists; else register this one. */
function ensureKernel(): void {
  const specs = () => {
    const r = run(PYTHON, ['-m', 'jupyter', 'kernelspec', 'list', '--json']);
    if (r.status !== 0) throw new Error(`jupyter kernelspec list failed: ${r.stderr}`);
    return (JSON.parse(r.stdout) as { kernelspecs: Record<string, { spec: { argv: string[] } }> }).kernelspecs;
  };
  const deno = specs().deno;
  if (deno && existsSync(deno.spec.argv[0]!)) return;
  const r = run(DENO, ['jupyter', '--install', '--force']);
  if (r.status !== 0) throw new Error(`deno jupyter --install failed (${r.status}): ${r.stderr}`);
  const now = specs().deno;
  if (!now || !existsSync(now.spec.argv[0]!)) throw new Error(`the deno kernelspec is still missing after deno jupyter --install: ${r.stdout}${r.stderr}`);
}

const files = existsSync(NOTEBOOKS) ? readdirSync(NOTEBOOKS).filter((f) => f.endsWith('.ipynb')).sort() : [];
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

describe.skipIf(skip !== undefined)('notebooks run headless with the Deno kernel', () => {
  let out = '';
  beforeAll(() => {
    ensureKernel();
    out = mkdtempSync(join(tmpdir(), 'reaplay-notebooks-'));
  });
  afterAll(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('there are the three notebooks', () => {
    expect(files).toEqual(['01-oom-post-mortem.ipynb', '02-kernel-comparison.ipynb', '03-custom-detector.ipynb']);
  });

  it.each(files)('%s executes without errors and shows its charts', (file) => {
    const src = join(NOTEBOOKS, file);
    const before = sha(src);
    const committed = JSON.parse(readFileSync(src, 'utf8')) as Notebook;
    expect(committed.metadata.kernelspec?.name).toBe('deno');
    // The committed notebook keeps its outputs (it is read on a code host) and they hold no error.
    expect(codeCells(committed).filter((c) => !c.outputs?.length).map((c) => c.id)).toEqual([]);
    expect(problems(committed)).toEqual([]);

    const dest = join(out, file);
    const execute = (): Notebook => {
      const started = Date.now();
      // The kernel runs in the notebook's own directory (nbconvert's default), so its relative imports resolve;
      // --allow-errors writes the whole notebook, so a failure below names its cell.
      const r = run(PYTHON, ['-m', 'jupyter', 'nbconvert', '--to', 'notebook', '--execute', '--allow-errors', '--ExecutePreprocessor.timeout=180', '--output', dest, src], 300_000);
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      expect(r.status, `nbconvert exited ${r.status} after ${secs} s: ${r.error ?? ''}\n${r.stderr}`).toBe(0);
      expect(sha(src), 'the committed notebook was rewritten').toBe(before);
      console.log(`notebooks.test.ts: ${file} executed in ${secs} s`);
      return JSON.parse(readFileSync(dest, 'utf8')) as Notebook;
    };
    let executed = execute();
    // Once in a few runs a chart's display message reached nbconvert after the cell's end and
    // was dropped (one of two charts, on a fresh clone; ten runs in a row showed the same
    // outputs): run again once, and say so. A chart missing twice fails below.
    if (charts(executed).length < charts(committed).length) {
      console.log(`notebooks.test.ts: ${file}: ${charts(executed).length} of ${charts(committed).length} charts received; executed again`);
      executed = execute();
    }
    expect(problems(executed)).toEqual([]);
    const shown = charts(executed);
    expect(shown.length, 'no Vega-Lite chart output').toBeGreaterThan(0);
    expect(shown.length, 'the committed notebook shows another number of charts: re-execute it').toBe(charts(committed).length);
    for (const c of shown) {
      expect(dataRows(c.spec), `chart in ${c.cell} has no data`).toBeGreaterThan(0);
      expect(c.png, `chart in ${c.cell} has no PNG for viewers without Vega-Lite`).toBe(true);
    }
  });
});
