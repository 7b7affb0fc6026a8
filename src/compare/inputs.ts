// What `reaplay compare` is given, turned into captures: a PATH is a capture folder
// (its trace, kernel log and kprobe definitions), a single trace file, or a glob of
// either, expanded here with node:fs. Groups are `LABEL=PATH[,PATH...]`.
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../types/errors.ts';
import { expandGlob, hasMagic } from './glob.ts';

/** One capture to analyze: its inputs merged on one clock. */
export interface CaptureSpec {
  /** The folder or file as matched. */
  path: string;
  /** Short name for tables: `<parent>/<name>` (e.g. 6.1/mn_eagain). */
  name: string;
  /** The inputs handed to analyze(): the trace first. */
  files: string[];
}

export interface GroupSpec {
  /** Given with --group LABEL=…; otherwise from the captures' kernel. */
  label?: string;
  paths: string[];
}

const COMPRESSED = ['', '.gz', '.zst'];
/** Trace files of a capture folder, most preferred first. */
export const TRACE_NAMES = ['ftrace.txt', 'trace.txt', 'trace-cmd-report.txt', 'perf-script.txt'].flatMap((n) => COMPRESSED.map((c) => n + c));
const LOG_NAMES = COMPRESSED.map((c) => `dmesg.txt${c}`);
const KPROBES = 'kprobe_events.txt';

const isFile = (p: string): boolean => existsSync(p) && statSync(p).isFile();

function shortName(p: string): string {
  const clean = p.replace(/\/+$/, '');
  const parent = basename(dirname(clean));
  return parent && parent !== '.' && parent !== '/' ? `${parent}/${basename(clean)}` : basename(clean);
}

/** A capture folder's inputs: the preferred trace, the kernel log and the kprobe definitions when present. */
export function captureFiles(dir: string): string[] | undefined {
  const trace = TRACE_NAMES.map((n) => join(dir, n)).find(isFile);
  if (!trace) return undefined;
  const log = LOG_NAMES.map((n) => join(dir, n)).find(isFile);
  const kprobes = join(dir, KPROBES);
  return [trace, ...(log ? [log] : []), ...(isFile(kprobes) ? [kprobes] : [])];
}

/** The captures one PATH names (a glob may name several). */
export function resolvePath(path: string): CaptureSpec[] {
  if (!path) throw new UserError('an empty PATH');
  const matches = hasMagic(path) ? expandGlob(path) : existsSync(path) ? [path] : [];
  if (!matches.length) throw new UserError(hasMagic(path) ? `${path}: the pattern matches nothing` : `${path}: no such file or folder`);
  const out: CaptureSpec[] = [];
  for (const m of matches) {
    const st = statSync(m);
    if (st.isDirectory()) {
      const files = captureFiles(m);
      if (!files) {
        // A glob may sweep up folders that hold no capture; a folder named outright must hold one.
        if (hasMagic(path)) continue;
        throw new UserError(`${m}: no trace in this folder (looked for ${TRACE_NAMES.filter((n) => !n.endsWith('.zst') && !n.endsWith('.gz')).join(', ')}, plain, .gz or .zst)`);
      }
      out.push({ path: m, name: shortName(m), files });
    } else if (st.isFile()) {
      // A glob over files takes only traces (not the kernel logs and kprobe files beside them).
      if (hasMagic(path) && !TRACE_NAMES.includes(basename(m)) && matches.length > 1) continue;
      out.push({ path: m, name: shortName(m), files: [m] });
    }
  }
  if (!out.length) throw new UserError(`${path}: matches no capture folder or trace file`);
  return out;
}

/** `LABEL=PATH[,PATH...]`. */
export function parseGroup(spec: string): GroupSpec {
  const eq = spec.indexOf('=');
  if (eq < 0) throw new UserError(`--group ${spec}: expected LABEL=PATH[,PATH...]`);
  const label = spec.slice(0, eq).trim();
  if (!label) throw new UserError(`--group ${spec}: the label before '=' is empty`);
  const paths = spec
    .slice(eq + 1)
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (!paths.length) throw new UserError(`--group ${spec}: no PATH after '='`);
  return { label, paths };
}

/** The captures of a group, each once, in the order given. */
export function groupCaptures(g: GroupSpec): CaptureSpec[] {
  const seen = new Set<string>();
  const out: CaptureSpec[] = [];
  for (const p of g.paths) {
    for (const c of resolvePath(p)) {
      const key = c.files[0]!;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(c);
    }
  }
  return out;
}
