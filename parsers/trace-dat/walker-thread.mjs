// Worker threads do not inherit the tsx loader of the main thread. Built (`npm run build`),
// the bundled body sits beside this file in dist/; from the sources it is loaded through tsx.
import { existsSync } from 'node:fs';

const built = new URL('./walker-thread.js', import.meta.url);
if (existsSync(built)) await import(built.href);
else await (await import('tsx/esm/api')).tsImport('./walker-thread.ts', import.meta.url);
