// `npm run build`: the CLI as an ES module bundle in dist/ (git-ignored), so an installed
// `reaplay` starts without compiling TypeScript. Each command stays its own chunk,
// loaded only when that command runs; the small npm dependencies bundled too.
// Worker threads: their bodies are entries beside the boot files that start them.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lazyDefaultExports } from './lazy-modules.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'dist');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  absWorkingDir: root,
  entryPoints: {
    reaplay: 'bin/reaplay.ts',
    // Bodies of the worker threads (their boot files below import these when built).
    'input-thread': 'parsers/common/input-thread.ts',
    'range-worker': 'parsers/common/range-worker.ts',
    worker: 'src/fleet/worker.ts',
    'walker-thread': 'parsers/trace-dat/walker-thread.ts',
  },
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Small pure-JS dependencies are bundled (fewer files to resolve and compile at start);
  // native, WebAssembly-loading, data-reading and the large chart ones load from node_modules.
  external: ['@duckdb/node-api', '@resvg/resvg-js', 'arquero', 'vega', 'vega-embed', 'vega-lite', 'tsx', 'zstddec', 'fzstd'],
  // Bundled CommonJS modules call require() for Node's own modules.
  banner: { js: "import { createRequire as __reaplayRequire } from 'node:module'; const require = __reaplayRequire(import.meta.url);" },
  // Chunks beside the entries: modules locate the worker boot files next to themselves.
  chunkNames: '[name]-[hash]',
  sourcemap: 'linked',
  logLevel: 'warning',
  plugins: [lazyDefaultExports(['string-width'])],
});
for (const boot of ['parsers/common/input-worker.mjs', 'parsers/common/range-worker.mjs', 'src/fleet/worker-boot.mjs', 'parsers/trace-dat/walker-thread.mjs']) {
  copyFileSync(join(root, boot), join(out, boot.split('/').pop()!));
}
console.log(`built ${out}`);
