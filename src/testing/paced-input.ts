// A recorded input fed as a live one would arrive: in chunks through a pipe, or line by
// line at its recorded times (compressed), for the tests and the bench of `watch`.
import { PassThrough } from 'node:stream';

/** Chunks of `buf` through a PassThrough, `size` bytes at a time, yielding to the event loop between them. */
export function piped(buf: Buffer, size: number): PassThrough {
  const p = new PassThrough({ highWaterMark: size });
  void (async () => {
    for (let i = 0; i < buf.length; i += size) {
      if (!p.write(buf.subarray(i, i + size))) await new Promise((r) => p.once('drain', r));
      await new Promise((r) => setImmediate(r));
    }
    p.end();
  })();
  return p;
}

/** A line's recorded time in seconds (tracefs `  22.346206:`, kernel log `[   14.933195]`, report and perf script alike). */
export const lineTime = (line: string): number | undefined => {
  const m = /(?:^|[\s[])(\d+\.\d{6,9})(?=[:\]\s])/.exec(line);
  return m ? Number(m[1]) : undefined;
};

/** The earliest recorded time in `buf` (the common origin of a capture's inputs when they are paced together). */
export const firstTime = (buf: Buffer): number => {
  for (const l of buf.toString('latin1').split('\n', 2000)) {
    const t = lineTime(l);
    if (t !== undefined) return t;
  }
  return 0;
};

/**
 * The lines of `buf` written through a PassThrough as a live source writes them: each at
 * its recorded time, `speed` times faster, counted from `origin` (seconds) at wall time
 * `start` (ms); lines without a time go with the line before them.
 */
export function pacedByTime(buf: Buffer, origin: number, speed: number, start: number): PassThrough {
  const p = new PassThrough();
  void (async () => {
    let from = 0;
    let pos = 0;
    while (pos < buf.length) {
      let nl = buf.indexOf(10, pos);
      if (nl < 0) nl = buf.length - 1;
      const t = lineTime(buf.toString('latin1', pos, Math.min(nl, pos + 200)));
      if (t !== undefined) {
        const wait = start + ((t - origin) * 1000) / speed - performance.now();
        // Behind its time (the reader is slower than the pace), a batch still yields to
        // the event loop, as a pipe would: the other inputs' writers get their turn.
        if (wait > 1 || pos - from >= 16 * 1024) {
          if (pos > from && !p.write(buf.subarray(from, pos))) await new Promise((r) => p.once('drain', r));
          from = pos;
          await new Promise((r) => (wait > 1 ? setTimeout(r, wait) : setImmediate(r)));
        }
      }
      pos = nl + 1;
    }
    p.end(buf.subarray(from));
  })();
  return p;
}
