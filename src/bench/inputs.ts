// Large benchmark inputs, made on demand under .bench/ and never committed.
import { createWriteStream, renameSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { openInput } from '../../parsers/common/input.ts';
import { LineSplitter } from '../../parsers/common/line-splitter.ts';

async function write(out: Writable, buf: Buffer): Promise<void> {
  if (!out.write(buf)) await once(out, 'drain');
}

async function close(out: Writable): Promise<void> {
  out.end();
  await once(out, 'finish');
}

/** `dst` + `.part`, renamed to `dst` once whole: a run cut short leaves no input a later run would take for done. */
const partOf = (dst: string): string => `${dst}.part`;

/** Decompress any input reaplay reads (gzip, zstd, plain) into a plain file. */
export async function decompressTo(src: string, dst: string): Promise<void> {
  const out = createWriteStream(partOf(dst));
  for await (const chunk of openInput(src)) await write(out, chunk);
  await close(out);
  renameSync(partOf(dst), dst);
}

// `   <idle>-0   [001] ..s1.    14.533834: wake_reaper: pid=385`: the seconds before the stamp's dot.
const TS_RE = /^(.*?\[\d{3}\]\s+(?:\S{4,5}\s+)?)(\d+)(\.\d+: )/;

/**
 * Write `seed`'s lines again and again, each round's timestamps shifted 1000 s
 * further, until `minBytes` are written: a long trace made only of real lines.
 * Header lines are written once so the result reads as one trace. `dst`: a file,
 * or a stream (a pipe: the trace is never on disk).
 */
export async function generateRepeated(seed: string, dst: string | Writable, minBytes: number): Promise<void> {
  const out = typeof dst === 'string' ? createWriteStream(partOf(dst)) : dst;
  let written = 0;
  for (let round = 0; written < minBytes; round++) {
    const shift = round * 1000;
    let batch: string[] = [];
    let batchBytes = 0;
    const pending: Promise<void>[] = [];
    const flush = (): void => {
      const bytes = Buffer.from(batch.join(''), 'latin1');
      written += bytes.length;
      batch = [];
      batchBytes = 0;
      pending.push(write(out, bytes));
    };
    const splitter = new LineSplitter({
      line(buf, s, e) {
        let line = buf.toString('latin1', s, e);
        if (line.startsWith('#')) {
          if (round > 0) return;
        } else if (shift > 0) {
          line = line.replace(TS_RE, (_m, pre: string, secs: string, post: string) => `${pre}${Number(secs) + shift}${post}`);
        }
        batch.push(line, '\n');
        batchBytes += line.length + 1;
        if (batchBytes > 8 << 20) flush();
      },
      tooLong() {},
    });
    for await (const chunk of openInput(seed)) {
      splitter.write(chunk);
      if (pending.length) await Promise.all(pending.splice(0));
    }
    splitter.end();
    flush();
    await Promise.all(pending.splice(0));
  }
  if (typeof dst === 'string') {
    await close(out);
    renameSync(partOf(dst), dst);
  }
}

// Lines of the OOM story itself: the victims' own lines, the reaper's, the timer that wakes it.
const STORY_RE = /^#|victim-\d|oom_reaper-\d|wake_reaper/;

/** `rounds` copies of the OOM story lines of `seed`, each 1000 s later than the one before. */
export async function oomRounds(seed: string, dst: string, rounds: number): Promise<void> {
  const lines: string[] = [];
  const splitter = new LineSplitter({
    line(buf, s, e) {
      const l = buf.toString('latin1', s, e);
      if (STORY_RE.test(l)) lines.push(l);
    },
    tooLong() {},
  });
  for await (const chunk of openInput(seed)) splitter.write(chunk);
  splitter.end();
  const out = createWriteStream(dst);
  for (let r = 0; r < rounds; r++) {
    const shift = r * 1000;
    const text = lines
      .filter((l) => r === 0 || !l.startsWith('#'))
      .map((l) => (shift ? l.replace(TS_RE, (_m, pre: string, secs: string, post: string) => `${pre}${Number(secs) + shift}${post}`) : l))
      .join('\n');
    await write(out, Buffer.from(text + '\n', 'latin1'));
  }
  await close(out);
}

const MARK_RE = /mark_victim: pid=(\d+)/;

/**
 * A victim that stays open: `seed`'s lines up to the first victim's kill line, then its
 * own last anon rss_stat line before the selection `samples` times, 10 µs apart, a page
 * or so lower each time but never released. Each sample is one the replay must keep
 * (the victim's address space, its anon and held samples), for as long as the trace runs.
 */
export async function openVictim(seed: string, dst: string, samples: number): Promise<void> {
  const head: string[] = [];
  let pid: string | undefined;
  /** Per task (the pid after the comm), its last anon sample of its own mm. */
  const lastSample = new Map<string, string>();
  let done = false;
  const splitter = new LineSplitter({
    line(buf, s, e) {
      if (done) return;
      const l = buf.toString('latin1', s, e);
      head.push(l);
      if (pid === undefined) {
        const m = MARK_RE.exec(l);
        if (m) pid = m[1];
        else if (l.includes(' rss_stat: ') && l.includes(' curr=1 type=MM_ANONPAGES ')) {
          const task = l.slice(0, l.indexOf('[')).trimEnd();
          lastSample.set(task.slice(task.lastIndexOf('-') + 1), l);
        }
      } else if (l.includes(`Killed process ${pid} `)) done = true;
    },
    tooLong() {},
  });
  for await (const chunk of openInput(seed)) splitter.write(chunk);
  splitter.end();
  const sample = pid === undefined ? undefined : lastSample.get(pid);
  const m = sample === undefined ? undefined : TS_RE.exec(sample);
  const at = done ? TS_RE.exec(head[head.length - 1]!) : undefined;
  if (!m || !at) throw new Error(`${seed}: no victim with an anon sample before its selection and a kill line`);
  const pre = m[1]!;
  // From the kill line's time on (`.123456: ` after its seconds).
  const start = BigInt(at[2]!) * 1_000_000n + BigInt(at[3]!.slice(1, -2));
  const size = Number(/size=(\d+)B/.exec(sample!)![1]);
  const rest = sample!.slice(sample!.indexOf(' rss_stat: '), sample!.indexOf(' size='));
  const out = createWriteStream(partOf(dst));
  await write(out, Buffer.from(head.join('\n') + '\n', 'latin1'));
  let batch: string[] = [];
  for (let k = 0; k < samples; k++) {
    const us = start + 10n * BigInt(k + 1);
    batch.push(`${pre}${us / 1_000_000n}.${String(us % 1_000_000n).padStart(6, '0')}:${rest} size=${size - (k % 16) * 4096}B\n`);
    if (batch.length === 10_000) {
      await write(out, Buffer.from(batch.join(''), 'latin1'));
      batch = [];
    }
  }
  await write(out, Buffer.from(batch.join(''), 'latin1'));
  await close(out);
  renameSync(partOf(dst), dst);
}
