// A progress bar on a terminal for long inputs; nothing at all when stderr is piped.
import { statSync } from 'node:fs';
import cliProgress from 'cli-progress';
import type { CliIO } from './io.ts';

const MIN_BYTES = 64 * 1024 * 1024;

export interface Progress {
  update(file: string, rawBytes: number): void;
  stop(): void;
}

export function createProgress(io: CliIO, files: readonly string[]): Progress {
  const sizes = new Map<string, number>();
  for (const f of files) {
    try {
      if (f !== '-') sizes.set(f, statSync(f).size);
    } catch {
      // The parse reports unreadable inputs itself.
    }
  }
  const total = [...sizes.values()].reduce((a, b) => a + b, 0);
  if (!io.stderr.isTTY || total < MIN_BYTES) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { stream: io.stderr, format: 'parsing [{bar}] {percentage}% {value}/{total} MB', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.ceil(total / 1e6), 0);
  const done = new Map<string, number>();
  let last = 0;
  return {
    update(file, raw) {
      done.set(file, raw);
      const mb = Math.floor([...done.values()].reduce((a, b) => a + b, 0) / 1e6);
      if (mb !== last) bar.update((last = mb));
    },
    stop: () => bar.stop(),
  };
}
