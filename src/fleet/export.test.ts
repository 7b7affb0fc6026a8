// export over the real captures: the tables say what `check --json` says per capture.
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../testing/cli.ts';
import { bundledCaptures, sharedCaptures } from '../testing/captures.ts';
import { captureFiles } from '../compare/inputs.ts';
import { openDuck } from './duck.ts';
import { queryRows, viewOver } from './read-tables.ts';
import { TABLE_NAMES, columnsOf } from './schema.ts';
import { schemaMarkdown } from './schema-doc.ts';
import { expectSameAsCheck } from '../testing/fleet.ts';

const tmp = mkdtempSync(join(tmpdir(), 'reaplay-export-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('export', () => {
  it('docs/schema.md is made from the schema', () => {
    expect(readFileSync(new URL('../../docs/schema.md', import.meta.url), 'utf8')).toBe(schemaMarkdown());
  });

  const captures = [...bundledCaptures(), ...sharedCaptures()];
  it(`as Parquet, over ${captures.length} real captures, equals check --json per capture`, async () => {
    const dirs = captures.map((c) => c.dir);
    const out = join(tmp, 'parquet');
    const r = await cli('export', ...dirs, '--out', out);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const db = await openDuck();
    try {
      for (const t of TABLE_NAMES) await viewOver(db.con, t, [join(out, `${t}.parquet`)]);
      const cols = await queryRows(db.con, `SELECT column_name FROM (DESCRIBE victims)`);
      expect(cols.map((c) => c.column_name)).toEqual(columnsOf('victims').map((c) => c.name));
      for (const c of captures) await expectSameAsCheck(db.con, captureFiles(c.dir)!, c.dir);
    } finally {
      db.close();
    }
  });

  it('as CSV guards formula cells and as JSON lines keeps 64-bit times exact', async () => {
    const dir = bundledCaptures()[0]!.dir;
    await cli('export', dir, '--out', join(tmp, 'csv'), '--as', 'csv');
    await cli('export', dir, '--out', join(tmp, 'jsonl'), '--as', 'jsonl');
    const csv = readFileSync(join(tmp, 'csv', 'victims.csv'), 'utf8').split('\n');
    expect(csv[0]!.split(',')).toEqual(columnsOf('victims').map((c) => c.name));
    // kill_ns before the selection is negative: numbers are not guarded, only text.
    expect(csv.slice(1).join('\n')).not.toMatch(/'-\d/);
    const check = JSON.parse((await cli('check', ...captureFiles(dir)!, '--json')).out) as { victims: { selectedAt: string }[] };
    const jl = readFileSync(join(tmp, 'jsonl', 'victims.jsonl'), 'utf8').trim().split('\n');
    expect(jl.map((l) => /"selected_ns":(\d+)/.exec(l)![1])).toEqual(check.victims.map((v) => v.selectedAt));
  });
});
