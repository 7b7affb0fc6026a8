// Test helper: the fleet tables of one capture against what `check --json` prints for it.
import { expect } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { cli } from './cli.ts';
import { queryRows } from '../fleet/read-tables.ts';
import { sqlString } from '../fleet/duck.ts';

interface CheckDoc {
  victims: { pid: number; comm: string; reap: string; attempts: number; selectedAt: string }[];
  findings: { rule: string; level: string; expected: boolean; victim?: { pid: number }; evidence: unknown[] }[];
}

export async function expectSameAsCheck(con: DuckDBConnection, files: string[], where: string): Promise<void> {
  const r = await cli('check', ...files, '--json');
  const doc = JSON.parse(r.out) as CheckDoc;
  const cap = await queryRows(con, `SELECT capture_id, victims, findings, error FROM captures WHERE path = ${sqlString(where)}`);
  expect(cap, where).toHaveLength(1);
  expect(cap[0]!.error, where).toBeNull();
  const id = sqlString(String(cap[0]!.capture_id));
  const victims = await queryRows(con, `SELECT pid, comm, outcome, attempts, selected_ns FROM victims WHERE capture_id = ${id} ORDER BY victim`);
  expect(victims.map((v) => [v.pid, v.comm, v.outcome, v.attempts, String(v.selected_ns)]), where).toEqual(
    doc.victims.map((v) => [v.pid, v.comm, v.reap, v.attempts, v.selectedAt]),
  );
  const findings = await queryRows(con, `SELECT rule, level, expected, victim_pid, (SELECT count(*) FROM evidence e WHERE e.capture_id = f.capture_id AND e.finding = f.finding) AS ev FROM findings f WHERE capture_id = ${id} ORDER BY finding`);
  expect(findings.map((f) => [f.rule, f.level, f.expected === 1, f.victim_pid ?? undefined, Number(f.ev)]), where).toEqual(
    doc.findings.map((f) => [f.rule, f.level, f.expected, f.victim?.pid, f.evidence.length]),
  );
  expect(Number(cap[0]!.victims)).toBe(doc.victims.length);
  expect(Number(cap[0]!.findings)).toBe(doc.findings.length);
}
