// A fleet of captures for `npm run bench`, made from the real captures: each copy is one
// real capture (trace, kernel log, kprobe definitions) with its times shifted (trace and
// log alike, so they stay on one clock), its pids shifted (task column, pid fields,
// the log's pid mentions) and a path that labels it with a host: .bench/fleet/host-HH/cap-NNNNN/.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { newHead, scanHead } from '../../parsers/common/tracefs-line.ts';

export interface Source {
  dir: string;
  trace: string;
  log?: string;
  kprobes?: string;
}

const read = (f: string): string => {
  const b = readFileSync(f);
  return (b[0] === 0x1f && b[1] === 0x8b ? gunzipSync(b) : b).toString('latin1');
};

export function loadSource(dir: string): Source | undefined {
  const pick = (names: string[]) => names.map((n) => join(dir, n)).find((f) => existsSync(f));
  const trace = pick(['ftrace.txt.gz', 'ftrace.txt']);
  if (!trace) return undefined;
  return { dir, trace: read(trace), log: pick(['dmesg.txt.gz', 'dmesg.txt']) && read(pick(['dmesg.txt.gz', 'dmesg.txt'])!), kprobes: pick(['kprobe_events.txt']) };
}

const keep = (pid: number): boolean => pid <= 2;

/** An event line's pid and seconds shifted, read by the parsers' head scanner (no backtracking regex). */
export function shiftHead(l: string, shiftS: number, dPid: number): string {
  const buf = Buffer.from(l, 'latin1');
  const h = newHead();
  if (!scanHead(buf, 0, buf.length, h, false)) return l;
  const pidEnd = h.commEnd + 1 + String(h.pid).length;
  const dot = l.lastIndexOf('.', h.ts.end);
  let secs = dot;
  while (secs > 0 && l.charCodeAt(secs - 1) >= 48 && l.charCodeAt(secs - 1) <= 57) secs--;
  if (dot < 0 || secs === dot || l.slice(h.commEnd + 1, pidEnd) !== String(h.pid)) return l;
  const pid = keep(h.pid) ? h.pid : h.pid + dPid;
  return `${l.slice(0, h.commEnd + 1)}${pid}${l.slice(pidEnd, secs)}${Number(l.slice(secs, dot)) + shiftS}${l.slice(dot)}`;
}

/** `[ 13.5] [  358] ...` (a dmesg task-dump row): the pid in the second brackets shifted, by a scan. */
export function shiftDumpPid(line: string, dPid: number): string {
  if (line[0] !== '[') return line;
  let i = line.indexOf(']');
  if (i < 0) return line;
  i++;
  while (i < line.length && /\s/.test(line[i]!)) i++;
  if (line[i] !== '[') return line;
  i++;
  while (i < line.length && /\s/.test(line[i]!)) i++;
  let j = i;
  while (j < line.length && line.charCodeAt(j) >= 48 && line.charCodeAt(j) <= 57) j++;
  if (j === i || line[j] !== ']') return line;
  const pid = Number(line.slice(i, j));
  return `${line.slice(0, i)}${keep(pid) ? pid : pid + dPid}${line.slice(j)}`;
}

/** The trace with every timestamp `shiftS` seconds later and every pid above 2 `dPid` higher. */
export function shiftTrace(text: string, shiftS: number, dPid: number): string {
  return text
    .split('\n')
    .map((l) => {
      if (l.startsWith('#')) return l;
      return shiftHead(l, shiftS, dPid)
        .replace(/\b((?:pid|child_pid|parent_pid|tgid)=)(\d+)/g, (_m, k: string, pid: string) => `${k}${keep(Number(pid)) ? pid : Number(pid) + dPid}`);
    })
    .join('\n');
}

/** The kernel log on the same shifted clock, with the pids it names shifted likewise. */
export function shiftLog(text: string, shiftS: number, dPid: number): string {
  return text
    .replace(/^\[\s*(\d+)(\.\d+\])/gm, (_m, secs: string, rest: string) => `[${String(Number(secs) + shiftS).padStart(5)}${rest}`)
    .replace(/\b(PID: |pid=|pid:|process |pid )(\d+)/g, (_m, k: string, pid: string) => `${k}${keep(Number(pid)) ? pid : Number(pid) + dPid}`)
    .split('\n')
    .map((l) => shiftDumpPid(l, dPid))
    .join('\n');
}

export const CAPTURES_PER_HOST = 100;

/** Writes `count` captures under `root` (round-robin over the sources); returns their folders. */
export function writeFleet(sources: readonly Source[], root: string, count: number): string[] {
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    const s = sources[k % sources.length]!;
    const dir = join(root, `host-${String(Math.floor(k / CAPTURES_PER_HOST)).padStart(2, '0')}`, `cap-${String(k).padStart(5, '0')}`);
    out.push(dir);
    if (existsSync(join(dir, 'ftrace.txt.gz'))) continue;
    mkdirSync(dir, { recursive: true });
    const shiftS = 1000 * (1 + Math.floor(k / sources.length));
    const dPid = 100 * (1 + (Math.floor(k / sources.length) % 300));
    if (s.log !== undefined) writeFileSync(join(dir, 'dmesg.txt.gz'), gzipSync(Buffer.from(shiftLog(s.log, shiftS, dPid), 'latin1'), { level: 1 }));
    if (s.kprobes) copyFileSync(s.kprobes, join(dir, 'kprobe_events.txt'));
    // The trace last: a folder is a capture once its trace is there.
    writeFileSync(join(dir, 'ftrace.txt.gz'), gzipSync(Buffer.from(shiftTrace(s.trace, shiftS, dPid), 'latin1'), { level: 1 }));
  }
  return out;
}
