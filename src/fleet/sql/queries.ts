// The shipped queries (queries/*.sql): each a portable file, with a per-engine variant
// beside it (`NAME.clickhouse.sql`) where the engines' SQL differs.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type EngineName = 'duckdb' | 'clickhouse';

/** queries/ of the package: found upward from this module, which may sit in src/ or in the built dist/. */
function queriesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'queries');
}

export const QUERIES_DIR = queriesDir();

export interface ShippedQuery {
  name: string;
  /** What it answers: its leading comment. */
  about: string;
  file: string;
}

const ENGINE_SUFFIX = /\.(clickhouse|duckdb)\.sql$/;

export function shippedQueries(): ShippedQuery[] {
  return readdirSync(QUERIES_DIR)
    .filter((f) => f.endsWith('.sql') && !ENGINE_SUFFIX.test(f))
    .sort()
    .map((f) => {
      const file = join(QUERIES_DIR, f);
      const about = readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('--')).map((l) => l.slice(2).trim()).join(' ');
      return { name: f.slice(0, -4), about, file };
    });
}

/** The text of a shipped query (by name) for an engine: its variant when one exists. */
export function queryText(name: string, engine: EngineName): string | undefined {
  const variant = join(QUERIES_DIR, `${name}.${engine}.sql`);
  const portable = join(QUERIES_DIR, `${name}.sql`);
  if (existsSync(variant)) return readFileSync(variant, 'utf8');
  if (existsSync(portable)) return readFileSync(portable, 'utf8');
  return undefined;
}
