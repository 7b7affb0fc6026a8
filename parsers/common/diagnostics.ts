// Diagnostics are a closed set of codes, each with a fixed severity: parsing never
// throws on bad lines; it records what went wrong and carries on.
import type { SourceRef } from '../../src/types/event.ts';
import { terminalSafe } from '../../src/types/escape-terminal.ts';
import { formatSourceRef } from '../../src/types/source-ref.ts';

export type Severity = 'info' | 'notice' | 'warning' | 'data_loss' | 'error';

export const DIAGNOSTIC_CODES = {
  malformed_line: { severity: 'error', text: 'line does not match the format' },
  line_too_long: { severity: 'error', text: 'line longer than the limit; skipped' },
  binary_data: { severity: 'error', text: 'binary (non-text) bytes in a line; skipped' },
  truncated_line: { severity: 'warning', text: 'last line has no newline and does not parse (truncated input?)' },
  bad_event_name: { severity: 'warning', text: 'event name holds control bytes or bytes that are not UTF-8; shown as \\xNN' },
  invalid_utf8: { severity: 'notice', text: 'bytes that are not UTF-8; replaced with U+FFFD' },
  continuation_line: { severity: 'info', text: 'line continues the previous event (multi-line message)' },
  clock_aligned: { severity: 'info', text: 'a kernel log on the wall clock was aligned with the trace clock on a line both carry' },
  clock_apart: { severity: 'notice', text: 'a kernel log on the wall clock shares no line with the trace: kept apart (untimed), its times not compared with the trace' },
  second_header: { severity: 'notice', text: 'a new trace header in the middle of the input (concatenated traces)' },
  time_backwards: { severity: 'warning', text: 'timestamp earlier than the previous event on the same CPU' },
  lost_events: { severity: 'data_loss', text: 'the ring buffer lost events on this CPU' },
  buffer_started: { severity: 'data_loss', text: 'the ring buffer overran: earlier events on this CPU are gone' },
  overrun: { severity: 'data_loss', text: 'entries-written exceeds entries-in-buffer: events were overwritten' },
  events_dropped: { severity: 'data_loss', text: 'the recorder dropped events on this CPU' },
  field_decode_failed: { severity: 'warning', text: 'event text does not match its known format; kept raw' },
  unresolved_kprobe: { severity: 'info', text: 'kprobe printed as a raw address and no definition names it' },
  bad_definition: { severity: 'error', text: 'kprobe definition does not parse' },
  bad_csv_row: { severity: 'error', text: 'CSV row does not match the columns' },
  not_a_trace: { severity: 'error', text: 'input is not a trace in any known format' },
  bad_compression: { severity: 'error', text: 'compressed input is corrupt or truncated' },
  read_failed: { severity: 'error', text: 'input could not be read' },
  other_buffer: { severity: 'notice', text: 'a buffer (instance) of a trace.dat, or an instance or input file a trace-cmd report names, other than the one the model reads: given by parse, not replayed (the model reads one buffer per file)' },
  damaged_binary: { severity: 'error', text: 'binary trace is truncated or corrupt here; everything before was read' },
} as const satisfies Record<string, { severity: Severity; text: string }>;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

/** Diagnostics that mean a line's content was not read at all (data loss where the line stands). */
export const UNREADABLE_CODES: readonly DiagnosticCode[] = ['malformed_line', 'binary_data', 'line_too_long', 'truncated_line'];

export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  src?: SourceRef;
}

/** Collects diagnostics; keeps counts for all, details for the first `keep` per code. */
export class DiagnosticSink {
  readonly counts = new Map<DiagnosticCode, number>();
  readonly kept: Diagnostic[] = [];
  private readonly keptPerCode = new Map<DiagnosticCode, number>();

  constructor(private readonly keep = 20) {}

  add(code: DiagnosticCode, src?: SourceRef, detail?: string): void {
    this.counts.set(code, (this.counts.get(code) ?? 0) + 1);
    const n = this.keptPerCode.get(code) ?? 0;
    if (n >= this.keep) return;
    this.keptPerCode.set(code, n + 1);
    const def = DIAGNOSTIC_CODES[code];
    this.kept.push({ code, severity: def.severity, message: detail ? `${def.text}: ${detail}` : def.text, src });
  }

  /** Add what `other` recorded, as if it had been recorded here after what is here already. */
  absorb(other: DiagnosticSink): void {
    for (const [code, n] of other.counts) this.counts.set(code, (this.counts.get(code) ?? 0) + n);
    for (const d of other.kept) {
      const n = this.keptPerCode.get(d.code) ?? 0;
      if (n >= this.keep) continue;
      this.keptPerCode.set(d.code, n + 1);
      this.kept.push(d);
    }
  }

  count(code: DiagnosticCode): number {
    return this.counts.get(code) ?? 0;
  }

  /** Number of diagnostics at `severity`. */
  bySeverity(severity: Severity): number {
    let n = 0;
    for (const [code, c] of this.counts) if (DIAGNOSTIC_CODES[code].severity === severity) n += c;
    return n;
  }
}

/** `file:line: message` — the form every error shown to a user takes (terminal-safe: messages quote input). */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.src ? `${formatSourceRef(d.src)}: ` : '';
  return `${where}${d.severity}: ${d.code}: ${terminalSafe(d.message)}`;
}
