// A recipe as text: a tracefs shell script, one trace-cmd record line, one perf record line,
// or the kprobe definitions alone; each with how to save the kernel log and definitions beside
// the trace, and what this kernel cannot show.
import { probeLine, type Recipe } from './build.ts';

export const RECIPE_FORMATS = ['tracefs', 'trace-cmd', 'perf', 'kprobe-events'] as const;
export type RecipeFormat = (typeof RECIPE_FORMATS)[number];

const TRACEFS = '/sys/kernel/tracing';

/** Every kprobe group the recipe defines. */
export function groups(r: Recipe): string[] {
  return [...new Set(r.probes.map((p) => p.group))];
}

function header(r: Recipe): string[] {
  const out = [
    `# reaplay recipe for Linux ${r.release ?? r.version.join('.')}`,
    `# offsets: ${r.offsets}`,
    ...r.sources.map((s) => `# from: ${s}`),
  ];
  if (r.notifiers.length) out.push(`# notifiers: ${r.notifiers.join(', ')}`);
  const unsure = r.events.filter((e) => !e.known).map((e) => e.name);
  // Not confirmed by available_events or BTF: trace-cmd and perf refuse an event that is absent.
  if (unsure.length) out.push(`# may be absent on this build (drop one if the recorder refuses it): ${unsure.join(' ')}`);
  return out;
}

function cannot(r: Recipe): string[] {
  if (!r.limitations.length && !r.notes.length) return [];
  const out = ['#', '# What this kernel cannot show, and what `reaplay check` will then say:'];
  for (const l of r.limitations) out.push(`#   - ${l.what}`, `#     check: ${l.checkSays}`);
  for (const n of r.notes) out.push(`#   note: ${n}`);
  return out;
}

function definitions(r: Recipe): string[] {
  return r.probes.map(probeLine);
}

/** Shell lines appending the definitions (appending keeps probes others defined). */
function defineProbes(r: Recipe): string[] {
  return [`cat >> ${TRACEFS}/kprobe_events <<'EOF'`, ...definitions(r), 'EOF'];
}

function removeProbes(r: Recipe): string[] {
  return r.probes.map((p) => `echo '-:${p.group}/${p.event}' >> ${TRACEFS}/kprobe_events`);
}

function saveBeside(trace: string): string[] {
  return [
    `# Save beside ${trace}: the kernel log (same clock: printk's local_clock) and the definitions`,
    '#   dmesg > dmesg.txt            (or: journalctl -k -o short-monotonic > dmesg.txt)',
    `#   cat ${TRACEFS}/kprobe_events > kprobe_events.txt`,
    `# then: reaplay check ${trace} dmesg.txt kprobe_events.txt`,
  ];
}

function eventPaths(r: Recipe): string[] {
  return [...r.events.map((e) => e.name.replace(':', '/')), ...groups(r)];
}

function tracefsScript(r: Recipe): string {
  const I = `$T/instances/${r.instance}`;
  const lines = [
    '#!/bin/sh',
    ...header(r),
    ...cannot(r),
    '#',
    `# Sets up the tracefs instance "${r.instance}" (${r.bufferKb} KiB per CPU, clock ${r.clock}), records until`,
    '# you press Ctrl-C, then writes trace.txt and undoes everything it set.',
    'set -e',
    `T=\${TRACEFS:-${TRACEFS}}`,
    `cat >> $T/kprobe_events <<'EOF'`,
    ...definitions(r),
    'EOF',
    `mkdir ${I}`,
    `echo ${r.bufferKb} > ${I}/buffer_size_kb`,
    `grep -q '${r.clock}' ${I}/trace_clock && echo ${r.clock} > ${I}/trace_clock`,
    `for e in ${eventPaths(r).join(' ')}; do`,
    `  if [ -d $T/events/$e ]; then echo 1 > ${I}/events/$e/enable; else echo "not on this kernel: $e" >&2; fi`,
    'done',
    `echo 1 > ${I}/tracing_on`,
    `cat $T/kprobe_events > kprobe_events.txt`,
    `trap ':' INT`,
    `cat ${I}/trace_pipe > trace.txt || true`,
    `echo 0 > ${I}/tracing_on`,
    `rmdir ${I}`,
    ...r.probes.map((p) => `echo '-:${p.group}/${p.event}' >> $T/kprobe_events`),
    'dmesg > dmesg.txt',
    'echo "wrote trace.txt dmesg.txt kprobe_events.txt; next: reaplay check trace.txt dmesg.txt kprobe_events.txt"',
  ];
  return `${lines.join('\n')}\n`;
}

function traceCmd(r: Recipe): string {
  const ev = [...r.events.map((e) => e.name), ...groups(r)].map((e) => `-e ${e}`).join(' ');
  const lines = [
    ...header(r),
    ...cannot(r),
    '# 1. define the kprobes (as root):',
    ...defineProbes(r),
    '# 2. record (Ctrl-C stops), then write the report:',
    `trace-cmd record -C ${r.clock} -b ${r.bufferKb} ${ev} -o trace.dat`,
    '#   trace-cmd report -i trace.dat > trace-cmd-report.txt',
    ...saveBeside('trace-cmd-report.txt'),
    '# 3. afterwards remove the kprobes:',
    ...removeProbes(r).map((l) => `#   ${l}`),
  ];
  return `${lines.join('\n')}\n`;
}

function perf(r: Recipe): string {
  const ev = [...r.events.map((e) => (e.name.includes(':') ? e.name : `${e.name}:*`)), ...groups(r).map((g) => `${g}:*`)].map((e) => `-e '${e}'`).join(' ');
  const lines = [
    ...header(r),
    ...cannot(r),
    '# 1. define the kprobes (as root):',
    ...defineProbes(r),
    '# 2. record system-wide (Ctrl-C stops), then print it:',
    `perf record -a ${ev} -o perf.data`,
    '#   perf script -i perf.data > perf-script.txt',
    ...saveBeside('perf-script.txt'),
    '# 3. afterwards remove the kprobes:',
    ...removeProbes(r).map((l) => `#   ${l}`),
  ];
  return `${lines.join('\n')}\n`;
}

function kprobeEvents(r: Recipe): string {
  return `${[...header(r), ...cannot(r), ...definitions(r)].join('\n')}\n`;
}

export function renderRecipe(r: Recipe, format: RecipeFormat): string {
  switch (format) {
    case 'tracefs': return tracefsScript(r);
    case 'trace-cmd': return traceCmd(r);
    case 'perf': return perf(r);
    case 'kprobe-events': return kprobeEvents(r);
  }
}
