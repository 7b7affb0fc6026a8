// An esbuild plugin: the named packages are evaluated at their first call instead of at
// the CLI's start. `string-width` (three copies, under yargs, cliui and wrap-ansi) builds
// an Intl.Segmenter and its emoji and East Asian width tables when loaded, ~25-35 ms of
// every command's start, yet only help and usage text measure widths. Each import of the
// package gets a stand-in whose default export requires the real module on first use
// (esbuild bundles a required ES module as a closure run at that require).
import { basename, dirname, relative, resolve } from 'node:path';
import type { Plugin } from 'esbuild';

export function lazyDefaultExports(packages: readonly string[]): Plugin {
  const filter = new RegExp(`^(${packages.map((p) => p.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')).join('|')})$`);
  return {
    name: 'lazy-default-exports',
    setup(b) {
      const root = b.initialOptions.absWorkingDir ?? process.cwd();
      b.onResolve({ filter }, async (args) => {
        if (args.pluginData?.real) return undefined;
        const real = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: { real: true } });
        if (real.errors.length) return { errors: real.errors };
        // Named relative to the project, as the bundle's other modules are.
        return { path: relative(root, real.path), namespace: 'lazy-default' };
      });
      b.onLoad({ filter: /.*/, namespace: 'lazy-default' }, (args) => {
        const file = resolve(root, args.path);
        return {
          contents: `let real;\nexport default function lazyDefault(...a) {\n  real ??= require(${JSON.stringify(`./${basename(file)}`)}).default;\n  return real(...a);\n}\n`,
          resolveDir: dirname(file),
          loader: 'js',
        };
      });
    },
  };
}
