// reaplay fleet over the real captures: the dataset says what `check --json` says per
// capture; a run killed halfway and run again leaves no duplicate; a corrupt capture
// in the middle is a row with its error.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../testing/cli.ts';
import { REPO_ROOT, bundledCaptures, sharedCaptures } from '../testing/captures.ts';
import { captureFiles } from '../compare/inputs.ts';
import { openDuck } from './duck.ts';
import { datasetParts, queryRows, viewOver } from './read-tables.ts';
import { TABLE_NAMES } from './schema.ts';
import { expectSameAsCheck } from '../testing/fleet.ts';
import { labelsFrom } from './capture.ts';

const tmp = mkdtempSync(join(tmpdir(), 'reaplay-fleet-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function withDataset<T>(ds: string, f: (con: Awaited<ReturnType<typeof openDuck>>['con']) => Promise<T>): Promise<T> {
  const db = await openDuck();
  try {
    for (const t of TABLE_NAMES) await viewOver(db.con, t, datasetParts(ds, t));
    return await f(db.con);
  } finally {
    db.close();
  }
}

async function expectNoDuplicates(ds: string, captures: number): Promise<void> {
  await withDataset(ds, async (con) => {
    const [c] = await queryRows(con, 'SELECT count(*) AS n, count(DISTINCT capture_id) AS d FROM captures');
    expect(Number(c!.n)).toBe(captures);
    expect(Number(c!.d)).toBe(captures);
    const [v] = await queryRows(con, 'SELECT count(*) AS n, count(DISTINCT capture_id || \':\' || victim) AS d FROM victims');
    expect(Number(v!.n)).toBe(Number(v!.d));
    const [s] = await queryRows(con, 'SELECT sum(victims) AS n FROM captures');
    expect(Number(v!.n)).toBe(Number(s!.n));
    const [f] = await queryRows(con, 'SELECT count(*) AS n FROM findings');
    const [fs] = await queryRows(con, 'SELECT sum(findings) AS n FROM captures');
    expect(Number(f!.n)).toBe(Number(fs!.n));
  });
}

describe('fleet', () => {
  const captures = [...bundledCaptures(), ...sharedCaptures()];

  it(`over ${captures.length} real captures on 2 workers equals check --json per capture, partitioned by family`, async () => {
    const ds = join(tmp, 'all');
    const r = await cli('fleet', ...captures.map((c) => c.dir), '--out', ds, '--jobs', '2', '--label-from', '{kernel}/{scenario}');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^${captures.length} capture\\(s\\) found: ${captures.length} analysed \\(0 failed`));
    await withDataset(ds, async (con) => {
      for (const c of captures) await expectSameAsCheck(con, captureFiles(c.dir)!, c.dir);
      const labels = await queryRows(con, `SELECT labels FROM captures WHERE path = '${captures[0]!.dir}'`);
      expect(JSON.parse(String(labels[0]!.labels))).toEqual({ kernel: captures[0]!.id.split('/')[0], scenario: captures[0]!.id.split('/')[1] });
    });
    for (const p of datasetParts(ds, 'victims')) expect(p).toMatch(/victims\/family=[0-9][0-9.]*-[0-9.]+\/part-[0-9a-z]+-[0-9a-f]+\.parquet$/);
    // Run again: every capture is already there.
    const again = await cli('fleet', ...captures.map((c) => c.dir), '--out', ds, '--jobs', '2');
    expect(again.out).toMatch(/0 analysed .*, \d+ already in the dataset/);
    await expectNoDuplicates(ds, captures.length);
  });

  it('killed halfway and run again, finishes the dataset without duplicates', async () => {
    const ds = join(tmp, 'killed');
    const dirs = captures.map((c) => c.dir);
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bin/reaplay.ts'), 'fleet', ...dirs, '--out', ds, '--jobs', '1', '--flush-every', '1'], { stdio: 'ignore' });
    const exited = new Promise((res) => child.once('exit', res));
    // Kill once a few captures are in, with more to go.
    const deadline = Date.now() + 90_000;
    while (datasetParts(ds, 'captures').length < 3 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
    child.kill('SIGKILL');
    await exited;
    const before = datasetParts(ds, 'captures').length;
    expect(before).toBeGreaterThanOrEqual(3);
    expect(before).toBeLessThan(captures.length);
    const r = await cli('fleet', ...dirs, '--out', ds, '--jobs', '2');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`, ${before} already in the dataset`));
    await expectNoDuplicates(ds, captures.length);
  });

  it('records a corrupt capture in the middle as a row with its error and carries on', async () => {
    const [a, b] = bundledCaptures();
    const bad = join(tmp, 'corrupt', 'bad');
    mkdirSync(bad, { recursive: true });
    // A gzip trace cut short: the parser names the file and what is wrong.
    writeFileSync(join(bad, 'ftrace.txt.gz'), readFileSync(join(a!.dir, 'ftrace.txt.gz')).subarray(0, 4000));
    const copy = join(tmp, 'corrupt', 'good');
    cpSync(b!.dir, copy, { recursive: true });
    const ds = join(tmp, 'corrupt-ds');
    const r = await cli('fleet', a!.dir, bad, copy, '--out', ds, '--jobs', '2');
    expect(r.code).toBe(0);
    expect(r.err).toContain(`${bad}: `);
    expect(r.out).toMatch(/3 analysed \(1 failed/);
    await withDataset(ds, async (con) => {
      const rows = await queryRows(con, 'SELECT path, family, error, victims FROM captures ORDER BY path');
      const failed = rows.filter((x) => x.error !== null);
      expect(failed).toHaveLength(1);
      expect(failed[0]!.path).toBe(bad);
      expect(String(failed[0]!.error)).toMatch(/ftrace\.txt\.gz: gzip data is corrupt or truncated/);
      expect(failed[0]!.family).toBe('unknown');
      expect(rows.filter((x) => x.error === null).every((x) => Number(x.victims) > 0)).toBe(true);
      await expectSameAsCheck(con, captureFiles(copy)!, copy);
    });
  });

  it('takes labels from the path', () => {
    expect(labelsFrom('fleet/{host}/{kernel}/...', '/data/fleet/web-1/6.1.0-56/cap-3')).toEqual({ host: 'web-1', kernel: '6.1.0-56' });
    expect(labelsFrom('fleet/{host}/*/{case}', 'x/fleet/h/k/c')).toEqual({ host: 'h', case: 'c' });
    expect(labelsFrom('fleet/{host}', '/data/other/h')).toEqual({});
  });
});
