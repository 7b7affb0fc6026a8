// Per victim, what happened in plain words with the line that shows each step,
// then the findings with their evidence: what `reaplay check` prints.
import type { Analysis } from '../replay/analyze.ts';
import type { VictimState } from '../replay/state.ts';
import type { Finding } from '../findings/finding.ts';
import { at, safe, secs } from './text.ts';
import { OUTCOME, victimSteps } from './steps.ts';

export function victimStory(v: VictimState): string[] {
  const lines = victimSteps(v).map((st) => ({ ...st, text: st.detail ? `  ${safe(st.text)}` : safe(st.text) }));
  const head = `victim ${v.pid} (${safe(v.comm) || '?'}), ${safe(v.domain)}${v.mmPtr ? `, mm ${v.mmPtr}` : ''}${v.mmId !== undefined ? `, rss mm_id ${v.mmId}` : ''}`;
  const body = lines.map((l) => `  ${secs(l.ts).padStart(14)}  ${l.text.padEnd(72)} ${l.ev ? at(l.ev.src) : ''}`.trimEnd());
  const notes: string[] = [];
  if (v.chosen) notes.push(`  chosen by the OOM killer: ${v.chosen.pid} (${safe(v.chosen.comm) || '?'}), whose child ${v.pid} was killed instead`);
  if (v.killedInstead !== undefined) notes.push(`  chosen by the OOM killer; its child ${v.killedInstead} was killed instead`);
  if (v.evidence === 'before_trace') notes.push('  selected before the trace began: its selection time, and what depends on it (latencies, premature selection), cannot be judged');
  else if (v.evidence) notes.push(`  named only by a ${v.evidence} line (no kill line or mark_victim)`);
  const anonLeft = v.reapedLog?.fields?.anon_rss_kb;
  if (typeof anonLeft === 'number' && anonLeft > 0) notes.push(`  the reaper left ${anonLeft} kB anon memory (reaped with memory left)`);
  return [head, ...notes, ...body, `  outcome: ${OUTCOME[v.outcome]}`];
}

export function findingLines(f: Finding): string[] {
  const tag = `[${f.level}${f.expected ? ', expected on this kernel' : ''}]`;
  const who = [f.victim ? `victim ${f.victim.pid}` : '', f.notifier ? `notifier ${safe(f.notifier)}` : ''].filter(Boolean).join(', ');
  const out = [`${tag} ${f.kind} ${f.rule}${who ? ` (${who})` : ''}`, `    ${safe(f.message)}`];
  if (f.why) out.push(`    why not higher: ${safe(f.why)}`);
  for (const e of f.evidence) out.push(`    ${secs(e.ts ?? 0n).padStart(14)}  ${safe(e.what).padEnd(60)} ${at(e.src)}`);
  return out;
}

export function storyText(a: Analysis): string {
  const out: string[] = [];
  const k = a.kernel;
  out.push(`kernel ${k.release ?? 'unknown'}${k.upstream ? ` (upstream ${k.upstream})` : ''}: replayed as family ${a.profile.profile.label}`);
  for (const r of a.profile.reasons) out.push(`  ${safe(r)}`);
  const lost = a.inputs.reduce((n, m) => n + m.losses.length, 0);
  out.push(`inputs: ${a.inputs.map((m) => `${at({ file: m.file, line: m.lines, offset: 0 }).replace(/:\d+$/, '')} (${m.format})`).join(', ')}${lost ? `; ${lost} data-loss marker(s)` : ''}`);
  out.push('');
  if (!a.state.victims.length) out.push('no OOM victim in these inputs');
  for (const v of a.state.victims) out.push(...victimStory(v), '');
  out.push(a.findings.length ? 'findings:' : 'findings: none');
  for (const f of a.findings) out.push(...findingLines(f));
  return out.join('\n') + '\n';
}
