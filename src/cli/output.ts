// Every file the CLI writes goes through here (parse --out, chart, report, compare
// --out), so outputs keep one contract:
// - a file is written to a temporary file in the same folder, opened with O_EXCL and
//   O_NOFOLLOW, then renamed over the target: a symbolic link at the target (or
//   planted at the temporary name) is never followed, and a reader never sees half a file;
// - a target that is a symbolic link or a folder is refused with a clear message;
// - a folder is written into only when reaplay made it (its marker file is there), it
//   is empty or new, or the user gave --force;
// - every failure is an OutputError (a UserError: its message is shown, exit code 2).
import { constants, createWriteStream, type WriteStream } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { terminalSafe } from '../types/escape-terminal.ts';
import { UserError } from '../types/errors.ts';

/** A folder holding this file was made (or adopted with --force) by reaplay. */
export const FOLDER_MARKER = '.reaplay-output';

export class OutputError extends UserError {
  constructor(message: string) {
    super(message, 'cannot_write');
  }
}

const why = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/** A write-side error of a stream: the reader went away (`parse … | head -1`). */
export function isBrokenPipe(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
}

async function kind(path: string): Promise<'none' | 'file' | 'dir' | 'link' | 'other'> {
  try {
    const s = await lstat(path);
    return s.isSymbolicLink() ? 'link' : s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other';
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw new OutputError(`${terminalSafe(path)}: cannot check the output (${why(e)})`);
  }
}

async function checkTarget(path: string, label: string): Promise<void> {
  const k = await kind(path);
  if (k === 'link') throw new OutputError(`${label}: is a symbolic link; it is not followed (remove it or choose another name)`);
  if (k === 'dir') throw new OutputError(`${label}: is a folder, expected a file name`);
  if (k === 'other') throw new OutputError(`${label}: is not a regular file`);
}

/** A file being written: `commit()` puts it in place, `abort()` removes what was written. */
export interface OutputFile {
  stream: WriteStream;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** Opens `path` for streaming output (see the module comment); `label` names it in messages. */
export async function openOutputFile(path: string, label = path): Promise<OutputFile> {
  const shown = terminalSafe(label);
  await checkTarget(path, shown);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Buffer.from(crypto.getRandomValues(new Uint8Array(4))).toString('hex')}.tmp`);
  let handle;
  try {
    handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  } catch (e) {
    const code = why(e);
    const hint = code === 'ENOENT' ? ': its folder does not exist' : code === 'EACCES' ? ': permission denied' : '';
    throw new OutputError(`${shown}: cannot write (${code})${hint}`);
  }
  // The stream owns the handle from here on and closes it.
  const stream = createWriteStream('', { fd: handle, autoClose: true });
  return {
    stream,
    async commit() {
      try {
        await checkTarget(path, shown);
        await rename(tmp, path);
      } catch (e) {
        await unlink(tmp).catch(() => undefined);
        throw e instanceof OutputError ? e : new OutputError(`${shown}: cannot write (${why(e)})`);
      }
    },
    async abort() {
      stream.destroy();
      await unlink(tmp).catch(() => undefined);
    },
  };
}

/** Writes a whole file (see openOutputFile). */
export async function writeOutputFile(path: string, body: string | Buffer, label = path): Promise<void> {
  const f = await openOutputFile(path, label);
  try {
    await new Promise<void>((resolve, reject) => {
      f.stream.on('error', reject);
      f.stream.end(body, resolve);
    });
  } catch (e) {
    await f.abort();
    throw new OutputError(`${terminalSafe(label)}: cannot write (${why(e)})`);
  }
  await new Promise<void>((resolve) => (f.stream.closed ? resolve() : f.stream.once('close', () => resolve())));
  await f.commit();
}

/**
 * Makes `dir` ready for reaplay's outputs: created when missing; an existing folder must
 * be empty or marked as reaplay's, unless `force`. The folder is marked either way.
 */
export async function prepareOutputFolder(dir: string, force = false): Promise<void> {
  const shown = `--out ${terminalSafe(dir)}`;
  const k = await kind(dir);
  if (k === 'link' && !force) throw new OutputError(`${shown}: is a symbolic link; give --force to write into the folder it points to`);
  if (k === 'file' || k === 'other') throw new OutputError(`${shown}: cannot create the folder (EEXIST): a file has that name`);
  if (k === 'none') {
    try {
      await mkdir(dir, { recursive: true });
    } catch (e) {
      throw new OutputError(`${shown}: cannot create the folder (${why(e)})`);
    }
  } else {
    let entries: string[];
    try {
      entries = await readdir(dir);
    } catch (e) {
      throw new OutputError(`${shown}: cannot read the folder (${why(e)})`);
    }
    if (entries.length > 0 && !entries.includes(FOLDER_MARKER) && !force) {
      throw new OutputError(`${shown}: the folder is not empty and was not made by reaplay; give --force to write into it`);
    }
  }
  try {
    await writeFile(join(dir, FOLDER_MARKER), 'This folder holds outputs written by reaplay.\n', { flag: constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW });
  } catch (e) {
    throw new OutputError(`${shown}: cannot write into the folder (${why(e)})`);
  }
}
