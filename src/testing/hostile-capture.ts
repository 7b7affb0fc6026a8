// Test support: a copy of a real capture whose victim comm is hostile markup, with
// the line layouts left valid. In the tracefs text the comm is the task column
// (right-aligned in 16 columns before `-PID`; a longer comm overflows it, which the
// parser's slow path reads) and the `comm=`/`task=` values of the event text; in the
// kernel log it is every place the kernel prints the name.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

export const HOSTILE_COMM = '<img src=x onerror=alert(1)>';

/** Every whole-word `comm` (so `mark_victim` keeps its name) becomes `replacement`. */
function words(text: string, comm: string, replacement: string): string {
  return text.replace(new RegExp(`(?<![\\w-])${comm}(?![\\w])`, 'g'), () => replacement);
}

export function rewriteTracefs(text: string, comm: string, replacement: string): string {
  const task = new RegExp(`^ *${comm}-(\\d+)( +\\[\\d+\\])`);
  return text
    .split('\n')
    .map((line) => {
      if (line.startsWith('#')) return line;
      const m = task.exec(line);
      if (!m) return words(line, comm, replacement);
      return `${replacement.padStart(16)}-${m[1]}${m[2]}${words(line.slice(m[0].length), comm, replacement)}`;
    })
    .join('\n');
}

export const rewriteKernelLog = (text: string, comm: string, replacement: string): string => words(text, comm, replacement);

/** Writes `ftrace.txt.gz`, `dmesg.txt.gz` and `kprobe_events.txt` of `srcDir` into `outDir` with the comm replaced. */
export function hostileCopy(srcDir: string, outDir: string, comm = 'victim', replacement = HOSTILE_COMM): string[] {
  mkdirSync(outDir, { recursive: true });
  const ftrace = rewriteTracefs(gunzipSync(readFileSync(join(srcDir, 'ftrace.txt.gz'))).toString('utf8'), comm, replacement);
  const dmesg = rewriteKernelLog(gunzipSync(readFileSync(join(srcDir, 'dmesg.txt.gz'))).toString('utf8'), comm, replacement);
  const out = [join(outDir, 'ftrace.txt.gz'), join(outDir, 'dmesg.txt.gz'), join(outDir, 'kprobe_events.txt')];
  writeFileSync(out[0]!, gzipSync(ftrace));
  writeFileSync(out[1]!, gzipSync(dmesg));
  copyFileSync(join(srcDir, 'kprobe_events.txt'), out[2]!);
  return out;
}

