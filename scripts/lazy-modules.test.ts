// The build's lazy packages: a bundle that imports one does not evaluate it at load, and
// the first call gets the real module's answer (a package that counts its evaluations).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { lazyDefaultExports } from './lazy-modules.ts';

const dir = mkdtempSync(join(tmpdir(), 'reaplay-lazy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pkg = join(dir, 'node_modules', 'counted-width');
mkdirSync(pkg, { recursive: true });
writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'counted-width', type: 'module', exports: './index.js' }));
writeFileSync(join(pkg, 'index.js'), 'globalThis.__countedLoads = (globalThis.__countedLoads ?? 0) + 1;\nexport default function width(s) { return s.length * 2; }\n');
writeFileSync(join(dir, 'entry.js'), "import width from 'counted-width';\nexport const loadsAtStart = globalThis.__countedLoads ?? 0;\nexport const measure = (s) => width(s);\n");

async function bundle(name: string, lazy: boolean): Promise<{ loadsAtStart: number; measure(s: string): number }> {
  const out = join(dir, `${name}.mjs`);
  await build({ absWorkingDir: dir, entryPoints: [join(dir, 'entry.js')], bundle: true, format: 'esm', platform: 'node', outfile: out, logLevel: 'silent', plugins: lazy ? [lazyDefaultExports(['counted-width'])] : [] });
  return import(pathToFileURL(out).href);
}

const loads = (): number => (globalThis as { __countedLoads?: number }).__countedLoads ?? 0;

describe('lazy default exports in the bundle', () => {
  it('evaluate the package at its first call, once, with its own answer', async () => {
    const before = loads();
    const m = await bundle('lazy', true);
    expect(m.loadsAtStart).toBe(before);
    expect(loads()).toBe(before);
    expect(m.measure('abc')).toBe(6);
    expect(loads()).toBe(before + 1);
    expect(m.measure('abcd')).toBe(8);
    expect(loads()).toBe(before + 1);
  });

  it('without the plugin, the package is evaluated when the bundle loads', async () => {
    const before = loads();
    const m = await bundle('eager', false);
    expect(loads()).toBe(before + 1);
    expect(m.measure('abc')).toBe(6);
  });
});
