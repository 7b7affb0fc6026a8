// `parse --stats`: counts per event, data-loss markers and diagnostics by code.
import type { StreamMeta } from '../../types/event.ts';
import type { ParseContext } from '../../../parsers/importer.ts';
import { DIAGNOSTIC_CODES, formatDiagnostic } from '../../../parsers/common/diagnostics.ts';
import { formatNs } from '../../../parsers/common/timestamp.ts';
import { terminalSafe as safe } from '../../types/escape-terminal.ts';
import { formatSourceRef } from '../../types/source-ref.ts';

export function formatStats(inputs: readonly StreamMeta[], ctx: ParseContext, emitted: number): string {
  const out: string[] = [];
  for (const m of inputs) {
    const bits = [`format ${m.format}`, `${m.lines} lines`, `${m.bytes} bytes`];
    if (m.kernelRelease) bits.push(`kernel ${safe(m.kernelRelease)}`);
    if (m.cpus !== undefined) bits.push(`${m.cpus} CPUs`);
    if (m.traceClock) bits.push(`clock ${safe(m.traceClock)}`);
    if (m.entries) bits.push(`entries ${m.entries.inBuffer}/${m.entries.written}`);
    if (m.segments > 1) bits.push(`${m.segments} concatenated traces`);
    if (m.firstTs !== undefined && m.lastTs !== undefined) bits.push(`${formatNs(m.firstTs)} .. ${formatNs(m.lastTs)} s`);
    out.push(`input ${safe(m.file)}: ${bits.join(', ')}`);
  }
  const names = ctx.names.entries().sort((a, b) => b.count - a.count || a.full.localeCompare(b.full));
  const total = names.reduce((a, e) => a + e.count, 0);
  // A counting run builds no events: what the filter selects is what the names counted.
  const selected = ctx.names.countOnly ? names.reduce((a, e) => a + (e.selected ? e.count : 0), 0) : emitted;
  out.push('', `events: ${total} (${selected} selected)`);
  for (const e of names) out.push(`  ${String(e.count).padStart(10)}  ${safe(e.full)}${e.selected ? '' : '  (not selected)'}`);
  const losses = inputs.flatMap((m) => m.losses);
  out.push('', `data loss: ${losses.length === 0 ? 'none reported' : `${losses.length} marker(s)`}`);
  for (const l of losses) {
    const cpu = l.cpu >= 0 ? `CPU ${l.cpu}` : 'CPU unknown';
    const count = l.count !== undefined ? `${l.count} events` : 'count unknown';
    const at = l.ts !== undefined ? ` before ${formatNs(l.ts)}` : '';
    out.push(`  ${l.kind} ${cpu}, ${count}${at} (${formatSourceRef(l.src)})`);
  }
  const codes = [...ctx.diag.counts].sort((a, b) => b[1] - a[1]);
  out.push('', `diagnostics: ${codes.length === 0 ? 'none' : ''}`.trimEnd());
  for (const [code, n] of codes) out.push(`  ${String(n).padStart(10)}  ${DIAGNOSTIC_CODES[code].severity.padEnd(9)} ${code}`);
  const shown = ctx.diag.kept.filter((d) => d.severity !== 'info').slice(0, 20);
  for (const d of shown) out.push(`  ${formatDiagnostic(d)}`);
  return out.join('\n') + '\n';
}
