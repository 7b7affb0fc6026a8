// A fleet dataset on disk: `DATASET/<table>/family=<family>/part-<batch>.parquet`,
// appended one batch of captures at a time.
//
// Resumable without duplicates: every table's part of a batch is written first (to a
// temporary name, then renamed), the `captures` part last, per family. A batch whose
// captures part in a family's folder is missing was interrupted: its other parts
// there are deleted when the dataset is opened,
// and its captures (not in any captures part) are analysed again.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SCHEMA_VERSION, TABLE_NAMES, emptyRows, type Rows, type TableName } from './schema.ts';
import { copyParquet, loadRows, openDuck } from './duck.ts';
import { datasetParts, queryRows, viewOver } from './read-tables.ts';

const META = 'dataset.json';

/** A folder name for a family label (`>=6.9` → `ge6.9`); the family itself is a column. */
export function familySlug(family: string): string {
  return family.replace(/^>=/, 'ge').replace(/^<=/, 'le').replace(/[^A-Za-z0-9._-]/g, '_') || 'unknown';
}

const isBatchChar = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || c === 45;

/** `part-<batch>.parquet` -> batch, by a scan back from the suffix (a regex retries from every `part-`). */
export function batchOf(file: string): string | undefined {
  if (!file.endsWith('.parquet')) return undefined;
  const end = file.length - '.parquet'.length;
  let run = end;
  while (run > 0 && isBatchChar(file.charCodeAt(run - 1))) run--;
  // The leftmost `part-` whose batch is all [0-9a-z-] up to the suffix, as the regex matched.
  const at = file.indexOf('part-', Math.max(0, run - 5));
  return at >= 0 && at + 5 < end ? file.slice(at + 5, end) : undefined;
}
/** A batch commits per family: its captures part in that family's folder. */
const commitKey = (file: string): string => `${basename(dirname(file))}/${batchOf(file)}`;

export class DatasetError extends Error {}

/** Creates the dataset folder or checks its schema version; removes what an interrupted run left. */
export function openDataset(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const meta = join(dir, META);
  if (existsSync(meta)) {
    const v = (JSON.parse(readFileSync(meta, 'utf8')) as { schemaVersion?: number }).schemaVersion;
    if (v !== SCHEMA_VERSION) throw new DatasetError(`${dir}: dataset of schema version ${v}, this reaplay writes version ${SCHEMA_VERSION}`);
  } else {
    writeFileSync(meta, `${JSON.stringify({ schemaVersion: SCHEMA_VERSION }, null, 2)}\n`);
  }
  const committed = new Set(datasetParts(dir, 'captures').map(commitKey));
  for (const t of TABLE_NAMES) {
    const tdir = join(dir, t);
    if (!existsSync(tdir)) continue;
    for (const p of readdirSync(tdir)) {
      const pdir = join(tdir, p);
      if (!statSync(pdir).isDirectory()) continue;
      for (const f of readdirSync(pdir)) if (f.endsWith('.tmp') || (f.endsWith('.parquet') && !committed.has(commitKey(join(pdir, f))))) rmSync(join(pdir, f));
    }
  }
}

/** The ids of the captures already in the dataset. */
export async function knownCaptures(dir: string): Promise<Set<string>> {
  const files = datasetParts(dir, 'captures');
  if (!files.length) return new Set();
  const db = await openDuck();
  try {
    await viewOver(db.con, 'captures', files);
    return new Set((await queryRows(db.con, 'SELECT capture_id FROM captures')).map((r) => String(r.capture_id)));
  } finally {
    db.close();
  }
}

/** Appends one batch of captures' rows, a part per table and family; `captures` last. */
export async function appendBatch(dir: string, rows: Rows): Promise<void> {
  if (!rows.captures.length) return;
  const batch = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const families = [...new Set(rows.captures.map((r) => String(r.family)))];
  const db = await openDuck();
  try {
    const order: TableName[] = [...TABLE_NAMES.filter((t) => t !== 'captures'), 'captures'];
    for (const t of order) {
      for (const fam of families) {
        const part = rows[t].filter((r) => r.family === fam);
        if (!part.length) continue;
        const pdir = join(dir, t, `family=${familySlug(fam)}`);
        mkdirSync(pdir, { recursive: true });
        const file = join(pdir, `part-${batch}.parquet`);
        await loadRows(db.con, t, part);
        await copyParquet(db.con, t, `${file}.tmp`);
        renameSync(`${file}.tmp`, file);
      }
    }
  } finally {
    db.close();
  }
}

export { emptyRows };
