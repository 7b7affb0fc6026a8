// Per victim, what happened in plain words with the line that shows each step,
// then the findings with their evidence: what `reaplay check` prints.
import { basename } from 'node:path';
import type { Analysis } from '../pipeline.ts';
import type { DiagnosticsSummary, VictimFacts } from '../facts/types.ts';
import type { Finding } from '../findings/finding.ts';
import { safe } from '../types/terminal-text.ts';
import { formatSourceRef } from '../types/source-ref.ts';
import { OUTCOME, victimSteps } from './steps.ts';
import { formatEvidenceInstant, formatInstant } from '../types/time.ts';

export function victimStory(v: VictimFacts): string[] {
  const lines = victimSteps(v).map((st) => ({ ...st, text: st.detail ? `  ${safe(st.text)}` : safe(st.text) }));
  const head = `victim ${v.pid} (${safe(v.comm) || '?'}), ${safe(v.domain)}${v.mm ? `, mm ${v.mm}` : ''}${v.mmId !== undefined ? `, rss mm_id ${v.mmId}` : ''}`;
  const body = lines.map((l) => `  ${formatInstant(l.ts).padStart(14)}  ${l.text.padEnd(72)} ${l.src ? formatSourceRef(l.src) : ''}`.trimEnd());
  const notes: string[] = [];
  if (v.chosen) notes.push(`  chosen by the OOM killer: ${v.chosen.pid} (${safe(v.chosen.comm) || '?'}), whose child ${v.pid} was killed instead`);
  if (v.killedInstead !== undefined) notes.push(`  chosen by the OOM killer; its child ${v.killedInstead} was killed instead`);
  if (v.evidence === 'before_trace') notes.push('  selected before the trace began: its selection time, and what depends on it (latencies, premature selection), cannot be judged');
  else if (v.evidence) notes.push(`  named only by a ${v.evidence} line (no kill line or mark_victim)`);
  if (v.anonLeftKb) notes.push(`  the reaper left ${v.anonLeftKb} kB anon memory (reaped with memory left)`);
  return [head, ...notes, ...body, `  outcome: ${OUTCOME[v.reap]}`];
}

export function findingLines(f: Finding): string[] {
  const tag = `[${f.level}${f.expected ? ', expected on this kernel' : ''}]`;
  const who = [f.victim ? `victim ${f.victim.pid}` : '', f.notifier ? `notifier ${safe(f.notifier)}` : ''].filter(Boolean).join(', ');
  const out = [`${tag} ${f.kind} ${f.rule}${who ? ` (${who})` : ''}`, `    ${safe(f.message)}`];
  if (f.why) out.push(`    why not higher: ${safe(f.why)}`);
  for (const e of f.evidence) out.push(`    ${formatEvidenceInstant(e.ts).padStart(14)}  ${safe(e.what).padEnd(60)} ${formatSourceRef(e.src)}`);
  return out;
}

export function storyText(a: Analysis): string {
  const out: string[] = [];
  const k = a.kernel;
  out.push(`kernel ${k.release ?? 'unknown'}${k.upstream ? ` (upstream ${k.upstream})` : ''}: replayed as family ${a.profile.profile.label}`);
  for (const r of a.profile.reasons) out.push(`  ${safe(r)}`);
  const lost = a.inputs.reduce((n, m) => n + m.losses.length, 0);
  out.push(`inputs: ${a.inputs.map((m) => `${safe(basename(m.file))} (${m.format})`).join(', ')}${lost ? `; ${lost} data-loss marker(s)` : ''}`);
  out.push('');
  if (!a.facts.victims.length) out.push('no OOM victim in these inputs');
  for (const v of a.facts.victims) out.push(...victimStory(v), '');
  out.push(diagnosticsLine(a.facts.diagnostics), ...diagnosticErrors(a.facts.diagnostics).map((l) => `  ${safe(l)}`), '');
  out.push(a.findings.length ? 'findings:' : 'findings: none');
  for (const f of a.findings) out.push(...findingLines(f));
  return out.join('\n') + '\n';
}

/** The first errors, `where: code: message` each, and how many more there are (not escaped: the caller escapes for its channel). */
export function diagnosticErrors(d: DiagnosticsSummary): string[] {
  const lines = d.errors.map((e) => `${e.src ? `${formatSourceRef(e.src)}: ` : ''}${e.code}: ${e.message}`);
  const more = d.bySeverity.error - d.errors.length;
  if (more > 0) lines.push(`and ${more} more error(s)`);
  return lines;
}

/** `diagnostics: 2 warning, 1 data_loss (field_decode_failed 2, lost_events 1)`, or `diagnostics: none`. */
export function diagnosticsLine(d: DiagnosticsSummary): string {
  const sev = Object.entries(d.bySeverity).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`);
  if (!sev.length) return 'diagnostics: none';
  return `diagnostics: ${sev.join(', ')} (${Object.entries(d.byCode).map(([c, n]) => `${c} ${n}`).join(', ')})`;
}
