// Writing a page and its JSON into the folder the user named: fixed file names
// (nothing from a trace names a file), a clear error when the folder cannot be made.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CliIO } from './io.ts';
import { UserError } from '../types/errors.ts';

/** Writes `DIR/index.html` and `DIR/<jsonName>`; returns the page's absolute path. */
export async function writePage(dir: string, html: string, jsonName: string, json: string, warnings: readonly string[], io: CliIO): Promise<string> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw new UserError(`--out ${dir}: cannot create the folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'cannot_write');
  }
  const page = join(dir, 'index.html');
  await writeFile(page, html);
  await writeFile(join(dir, jsonName), json);
  for (const w of warnings) io.stderr.write(`reaplay: warning: ${w}\n`);
  return resolve(page);
}
