// Writing a page and its JSON into the folder the user named: fixed file names
// (nothing from a trace names a file), written through output.ts (no symlink is
// followed; a folder not made by reaplay needs --force; a clear error otherwise).
import { join, resolve } from 'node:path';
import type { CliIO } from './io.ts';
import { prepareOutputFolder, writeOutputFile } from './output.ts';
import { terminalSafe } from '../types/escape-terminal.ts';

/** Writes `DIR/index.html` and `DIR/<jsonName>`; returns the page's absolute path. */
export async function writePage(dir: string, html: string, jsonName: string, json: string, warnings: readonly string[], io: CliIO, force = false): Promise<string> {
  await prepareOutputFolder(dir, force);
  const page = join(dir, 'index.html');
  await writeOutputFile(page, html);
  await writeOutputFile(join(dir, jsonName), json);
  for (const w of warnings) io.stderr.write(`reaplay: warning: ${terminalSafe(w)}\n`);
  return resolve(page);
}
