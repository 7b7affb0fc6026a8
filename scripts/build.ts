// `npm run build`: the CLI as an ES module bundle in dist/ (git-ignored), so an installed
// `reaplay` starts without compiling TypeScript. Each command stays its own chunk,
// loaded only when that command runs; npm dependencies are loaded from node_modules.
// Worker threads: their bodies are entries beside the boot files that start them.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
    'chunk-worker': 'parsers/trace-dat/chunk-worker.ts',
  },
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  // Chunks beside the entries: modules locate the worker boot files next to themselves.
  chunkNames: '[name]-[hash]',
  sourcemap: 'linked',
  logLevel: 'warning',
});
for (const boot of ['parsers/common/input-worker.mjs', 'parsers/common/range-worker.mjs', 'src/fleet/worker-boot.mjs', 'parsers/trace-dat/chunk-worker.mjs']) {
  copyFileSync(join(root, boot), join(out, boot.split('/').pop()!));
}
console.log(`built ${out}`);
