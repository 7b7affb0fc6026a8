// The one place that reads an analysis: one capture's Analysis (its public fields:
// kernel, profile, victims, findings, inputs, and compare's per-victim facts) turned
// into rows of the fleet tables (schema.ts). Everything downstream (Parquet, CSV,
// JSONL, the dataset, SQL, ClickHouse, the fleet page) sees only these rows.
import type { Analysis } from '../pipeline.ts';
import { captureFacts } from '../compare/facts.ts';
import { SCHEMA_VERSION, emptyRows, type Row, type Rows } from './schema.ts';

export interface CaptureInfo {
  id: string;
  path: string;
  name: string;
  files: string[];
  labels: Record<string, string>;
}

const flag = (b: boolean): number => (b ? 1 : 0);
const opt = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

/** The rows of every table for one analysed capture. */
export function tablesFromAnalysis(a: Analysis, cap: CaptureInfo, analysedMs: number): Rows {
  const rows = emptyRows();
  const key = { capture_id: cap.id, family: a.profile.profile.label, release: opt(a.kernel.release) };
  const facts = captureFacts(a, { name: cap.name, path: cap.path, files: cap.files });

  a.victims.forEach((v, i) => {
    const f = facts.victims[i]!;
    // Counts over the mm's lifetime (the scope truth.json and compare use); the attempts table has the in-attempt ones.
    const core = v.calls.mmLifetime;
    const vk = { ...key, victim: i, pid: v.pid };
    rows.victims.push({
      ...key, victim: i, pid: v.pid, comm: v.comm, mm: opt(v.mm), mm_id: v.mmId === undefined ? null : BigInt(v.mmId), domain: v.domain,
      selected_ns: v.selectedAt, selected_file: v.selected.file, selected_line: v.selected.line, outcome: v.reap, attempts: v.attempts, reap_calls: v.reapCalls,
      kill_ns: opt(v.latency.kill), wake_ns: opt(v.latency.wake), first_attempt_ns: opt(v.latency.firstAttempt), oom_skip_ns: opt(v.latency.oomSkip), release_ns: opt(v.latency.release),
      oom_skip_cause: opt(v.oomSkip?.cause), release_how: opt(v.release?.how), next_pid: opt(v.next?.pid),
      core_starts: core.starts, core_failed: core.failed, core_unpaired: core.unpaired,
      reaper_worked: flag(f.reaperWorked), gave_up: flag(f.gaveUp), later_selection: flag(f.laterSelection), premature: flag(f.premature),
    });
    for (const at of v.reapAttempts) {
      rows.attempts.push({
        ...vk, attempt: at.index, result: at.result === 'unknown' ? null : at.result, start_ns: at.start, end_ns: at.end,
        calls: at.calls, failed_calls: at.callsFailed, decided_by: opt(at.decidedBy),
      });
    }
    if (core.starts > 0) {
      rows.notifier_calls.push({ ...vk, scope: 'core', notifier: 'mmu_notifier', starts: core.starts, starts_failed: core.failed, ends: core.ended, unended: core.unpaired });
    }
    const names = new Set([...Object.keys(core.notifiers), ...f.notifiers]);
    for (const name of [...names].sort()) {
      const ns = core.notifiers[name];
      rows.notifier_calls.push({ ...vk, scope: 'instance', notifier: name, starts: ns?.starts ?? 0, starts_failed: ns?.startsFailed ?? 0, ends: ns?.ends ?? 0, unended: f.leaks[name] ?? 0 });
    }
    rows.metrics.push({
      ...vk, comm: f.comm, domain: f.domain, outcome: f.outcome, wake_s: opt(f.wake), first_attempt_s: opt(f.firstAttempt), oom_skip_s: opt(f.oomSkip), oom_skip_cause: opt(f.oomSkipCause),
      release_s: opt(f.release), release_how: opt(f.releaseHow), attempts: f.attempts, attempts_run: f.attemptsRun, reaper_worked: flag(f.reaperWorked), gave_up: flag(f.gaveUp),
      lock_busy: f.lockBusy, core_starts: f.coreStarts, core_failed: f.coreFailed, notifiers: JSON.stringify(f.notifiers), leaks: JSON.stringify(f.leaks),
      callback_failures: opt(f.callbackFailures), callback_source: opt(f.callbackSource), later_selection: flag(f.laterSelection), premature: flag(f.premature),
      self_reaps: f.selfReaps, mark_extended: flag(f.markExtended),
    });
  });

  a.findings.forEach((f, i) => {
    rows.findings.push({
      ...key, finding: i, kind: f.kind, rule: f.rule, level: f.level, expected: flag(f.expected), victim_pid: opt(f.victim?.pid), victim_mm: opt(f.victim?.mm),
      notifier: opt(f.notifier), occurrences: opt(f.count), message: f.message, why: opt(f.why),
    });
    f.evidence.forEach((e, j) => {
      rows.evidence.push({ ...key, finding: i, item: j, file: e.src.file, line: e.src.line, byte_offset: e.src.offset === undefined ? null : BigInt(e.src.offset), ts_ns: opt(e.ts), what: e.what });
    });
  });

  const firsts = a.inputs.map((m) => m.firstTs).filter((t): t is bigint => t !== undefined);
  const lasts = a.inputs.map((m) => m.lastTs).filter((t): t is bigint => t !== undefined);
  const first = firsts.length ? firsts.reduce((x, y) => (y < x ? y : x)) : undefined;
  const last = lasts.length ? lasts.reduce((x, y) => (y > x ? y : x)) : undefined;
  const losses = a.inputs.flatMap((m) => m.losses);
  const counted = losses.filter((l) => l.count !== undefined);
  const diag = a.facts.diagnostics.bySeverity;
  rows.captures.push({
    ...key, schema_version: SCHEMA_VERSION, path: cap.path, name: cap.name, files: JSON.stringify(cap.files), labels: JSON.stringify(cap.labels),
    upstream: opt(a.kernel.upstream), profile: a.profile.profile.id, profile_why: JSON.stringify(a.profile.reasons), capabilities: JSON.stringify(a.profile.caps),
    observations: JSON.stringify(facts.observations), formats: a.inputs.map((m) => m.format).join(','),
    first_ns: opt(first), last_ns: opt(last), span_ns: first !== undefined && last !== undefined ? last - first : null,
    bytes: BigInt(a.inputs.reduce((s, m) => s + m.bytes, 0)), lines: BigInt(a.inputs.reduce((s, m) => s + m.lines, 0)),
    data_loss: losses.length, lost_events: counted.length ? BigInt(counted.reduce((s, l) => s + l.count!, 0)) : null,
    diag_error: diag.error, diag_warning: diag.warning, diag_notice: diag.notice, diag_info: diag.info, diag_data_loss: diag.data_loss,
    victims: a.victims.length, findings: a.findings.length, findings_proven: a.findings.filter((f) => f.level === 'proven').length,
    findings_lowered: a.findings.filter((f) => f.why !== undefined && /data[- ]loss/i.test(f.why)).length,
    violations: a.findings.filter((f) => f.level === 'proven' && !f.expected).length, error: null, analysed_ms: analysedMs,
  } satisfies Row);
  return rows;
}
