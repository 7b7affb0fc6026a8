// Run the CLI in-process with in-memory streams, as a test would at a shell.
import { PassThrough } from 'node:stream';
import { run } from '../cli/main.ts';

export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  stdout.on('data', (c: Buffer) => o.push(c));
  stderr.on('data', (c: Buffer) => e.push(c));
  const code = await run(argv, { stdout, stderr });
  return { code, out: Buffer.concat(o).toString(), err: Buffer.concat(e).toString() };
}
