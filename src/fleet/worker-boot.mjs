// Worker threads do not inherit `--import tsx`. Built (`npm run build`), the bundled
// worker sits beside this file in dist/; from the sources it is loaded through tsx's API.
import { existsSync } from 'node:fs';

const built = new URL('./worker.js', import.meta.url);
if (existsSync(built)) await import(built.href);
else await (await import('tsx/esm/api')).tsImport('./worker.ts', import.meta.url);
