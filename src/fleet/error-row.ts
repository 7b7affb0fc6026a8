// A capture that could not be analysed is still a row of `captures`, with its error.
import type { CaptureInfo } from './tables-from-analysis.ts';
import { SCHEMA_VERSION, emptyRows, type Rows } from './schema.ts';

/** Family of the rows of a capture that failed: it has no kernel profile. */
export const FAILED_FAMILY = 'unknown';

export function errorRows(cap: CaptureInfo, error: string, analysedMs: number): Rows {
  const rows = emptyRows();
  rows.captures.push({
    capture_id: cap.id, family: FAILED_FAMILY, release: null, schema_version: SCHEMA_VERSION, path: cap.path, name: cap.name,
    files: JSON.stringify(cap.files), labels: JSON.stringify(cap.labels), upstream: null, profile: null, profile_why: null, capabilities: null,
    observations: null, formats: null, first_ns: null, last_ns: null, span_ns: null, bytes: 0n, lines: 0n, data_loss: 0, lost_events: null,
    diag_error: 0, diag_warning: 0, diag_notice: 0, diag_info: 0, diag_data_loss: 0, victims: 0, findings: 0, findings_proven: 0,
    findings_lowered: 0, violations: 0, error, analysed_ms: analysedMs,
  });
  return rows;
}
