// A file followed as it grows, like `tail -F`: when the name points to a new file
// (rotation: another inode) the rest of the old one is read, then the new one from
// its start; when the file shrinks (truncation) reading starts over at 0. Growth is
// noticed by polling, woken early by fs.watch where the platform has it.
import { open, stat, type FileHandle } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';

export interface FollowOptions {
  /** Poll interval (ms) when no fs.watch event comes. */
  pollMs?: number;
  signal?: AbortSignal;
  /** Start at the end of the file that is there now (default: its start). */
  fromEnd?: boolean;
  /** Tests inject the wait; it resolves after `ms` or earlier on a change. */
  wait?: (ms: number) => Promise<void>;
  /** Told of each rotation or truncation. */
  onReset?: (why: 'rotated' | 'truncated' | 'appeared') => void;
  chunkSize?: number;
}

async function tryStat(path: string): Promise<{ ino: number; size: number } | undefined> {
  try {
    const s = await stat(path);
    return { ino: s.ino, size: s.size };
  } catch {
    return undefined;
  }
}

export async function* followFile(path: string, opts: FollowOptions = {}): AsyncGenerator<Buffer> {
  const pollMs = opts.pollMs ?? 250;
  const chunk = Buffer.allocUnsafe(opts.chunkSize ?? 64 * 1024);
  let watcher: FSWatcher | undefined;
  let wake: (() => void) | undefined;
  try {
    watcher = watch(path, { persistent: false }, () => wake?.());
    watcher.on('error', () => undefined);
  } catch {
    watcher = undefined; // no inotify (or the file is not there yet): polling alone
  }
  const wait =
    opts.wait ??
    ((ms: number) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      }));
  let fh: FileHandle | undefined;
  let ino = -1;
  let pos = 0;
  let first = true;
  try {
    while (!opts.signal?.aborted) {
      if (!fh) {
        const s = await tryStat(path);
        if (s) {
          fh = await open(path, 'r');
          ino = s.ino;
          pos = opts.fromEnd && first ? s.size : 0;
          first = false;
        } else {
          await wait(pollMs);
          continue;
        }
      }
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, pos);
      if (bytesRead > 0) {
        pos += bytesRead;
        yield Buffer.from(chunk.subarray(0, bytesRead));
        continue;
      }
      // At the end of what is there: has the name moved on, or the file shrunk?
      const s = await tryStat(path);
      if (s && s.ino !== ino) {
        await fh.close();
        fh = undefined;
        pos = 0;
        opts.onReset?.('rotated');
        continue;
      }
      if (s && s.size < pos) {
        pos = 0;
        opts.onReset?.('truncated');
        continue;
      }
      await wait(pollMs);
    }
  } finally {
    watcher?.close();
    await fh?.close();
  }
}
