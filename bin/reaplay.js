#!/usr/bin/env node
// Installed entry point: the built bundle (`npm run build`, dist/) when there is one,
// else the TypeScript sources through tsx.
import { existsSync } from 'node:fs';

const built = new URL('../dist/reaplay.js', import.meta.url);
if (existsSync(built)) await import(built.href);
else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./reaplay.ts');
}
