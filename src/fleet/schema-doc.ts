// docs/schema.md is made from schema.ts (a test keeps them equal):
// `npx tsx src/fleet/schema-doc.ts > docs/schema.md`.
import { pathToFileURL } from 'node:url';
import { SCHEMA_VERSION, TABLES, TABLE_NAMES, clickhouseType, duckType } from './schema.ts';

export function schemaMarkdown(): string {
  const out = [
    '# Fleet tables',
    '',
    `Schema version **${SCHEMA_VERSION}** (the \`schema_version\` column of \`captures\`). Made from \`src/fleet/schema.ts\` by`,
    '`npx tsx src/fleet/schema-doc.ts > docs/schema.md`; a test keeps the two equal.',
    '',
    '`reaplay export` writes these tables for the captures it is given; `reaplay fleet` appends them to a dataset',
    '(`DATASET/<table>/family=<family>/part-<batch>.parquet`). Every per-capture table repeats `capture_id`, `family`',
    'and `release` so the shipped queries need no join. Times are integer nanoseconds (`_ns`), except the `metrics`',
    'durations, in seconds (`_s`) as `reaplay compare` tests them. Flags are 0/1 integers (ClickHouse 18.16 has no',
    'boolean). Text from the traced system (`comm`, `domain`, notifier names, messages) is data: escape it for display.',
    'A change that is not a new trailing nullable column bumps the version.',
    '',
  ];
  for (const t of TABLE_NAMES) {
    const def = TABLES[t];
    out.push(`## ${t}`, '', def.doc, '', '| column | DuckDB | ClickHouse | meaning |', '|---|---|---|---|');
    for (const c of def.columns) out.push(`| \`${c.name}\` | ${duckType(c)}${c.null ? '' : ' NOT NULL'} | ${clickhouseType(c)} | ${c.doc.replaceAll('|', '\\|')} |`);
    out.push('');
  }
  return out.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.stdout.write(schemaMarkdown());
