// `reaplay export <capture...> --out DIR [--as parquet|csv|jsonl]`: the fleet tables
// (docs/schema.md) of the captures named, one file per table.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CliIO } from '../io.ts';
import { UserError } from '../../types/errors.ts';
import { captureInfo, findCaptures } from '../../fleet/capture.ts';
import { analyseCapture } from '../../fleet/analyse-capture.ts';
import { emptyRows, TABLE_NAMES } from '../../fleet/schema.ts';
import { appendRows } from '../../fleet/tables.ts';
import { fileName, writeTables, type TableFormat } from '../../fleet/write-tables.ts';

export interface ExportOptions {
  paths: string[];
  out: string;
  as: TableFormat;
  labelFrom?: string;
}

export async function exportCommand(o: ExportOptions, io: CliIO): Promise<number> {
  const specs = findCaptures(o.paths);
  try {
    await mkdir(o.out, { recursive: true });
  } catch (e) {
    throw new UserError(`--out ${o.out}: cannot create the folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const rows = emptyRows();
  let failed = 0;
  for (const s of specs) {
    const r = await analyseCapture(await captureInfo(s, o.labelFrom));
    if (r.error !== undefined) {
      failed++;
      io.stderr.write(`reaplay: ${s.path}: ${r.error}\n`);
    }
    appendRows(rows, r.rows);
  }
  await writeTables(rows, o.as, (t) => join(o.out, fileName(t, o.as)));
  io.stdout.write(`${specs.length} capture(s), ${rows.victims.length} victim(s), ${rows.findings.length} finding(s) → ${resolve(o.out)} (${TABLE_NAMES.map((t) => fileName(t, o.as)).join(', ')})\n`);
  return failed ? 2 : 0;
}
