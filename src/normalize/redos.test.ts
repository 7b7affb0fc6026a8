// Every regex literal under parsers/ and src/ (found by the TypeScript parser,
// src/testing/regex-literals.ts) goes through the `recheck` ReDoS checker and must be
// `safe`: linear in its input. Rules owned by work in progress elsewhere are listed
// below with the issue that fixes them; once safe they must leave the list.
// Test files and src/testing are left out: their regexes read reaplay's own output.
// A result depends only on the regex, so results are cached (git-ignored, under
// node_modules/.cache): a fresh clone checks every regex, later runs the changed ones.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
  // issue 10 (pipeline): paths from the command line, releases and kprobe names
  'src/compare/compare.ts /\\/+$/': 'issue 10',
  'src/compare/inputs.ts /\\/+$/': 'issue 10',
  'src/compare/format.ts /\\.?0+$/': 'issue 10',
  'src/compare/facts.ts /^[pr][^\\n]*\\s(?:\\w+:)?_{0,2}oom_reap_task_mm\\b/m': 'issue 10',
  'src/replay/kernel.ts /^(\\d+)\\.(\\d+)(?:\\.(\\d+))?(.*)$/': 'issue 10',
  'src/replay/kernel.ts /#\\d+\\s.*?\\bDebian (\\d+)\\.(\\d+)\\.(\\d+)/': 'issue 10',
  'src/replay/kprobe-roles.ts /_(?:mmu_notifier_)?(?:(?:invalidate|invl)_range_(?:start|end)\\w*|release)$/': 'issue 10',
};
/** The printk line classifier and the kernel-log reader are reworked by issue 13 (real-world logs). */
const OWNED_BY_ISSUE_13 = ['parsers/common/printk-line.ts', 'parsers/kernel-log/'];

/**
 * Regexes built at run time (`new RegExp(...)`) cannot be checked as literals: each is
 * listed here, per file with its count, and why it stays linear. A new one fails the test
 * until it is listed (or replaced by a scanner).
 */
const DYNAMIC_REGEXPS: Record<string, { count: number; why: string }> = {
  'parsers/common/printk-line.ts': { count: 8, why: 'built from constant fragments (NODES, RSS, SYM), no input text in the pattern; owned by issue 13; their decoders are timed on 1 KB-1 MB worst-separator lines by src/bench/growth.ts' },
  'src/compare/glob.ts': { count: 1, why: "a glob segment of the user's own command line, escaped, matched against directory entry names (at most 255 bytes)" },
  'parsers/common/event-names.ts': { count: 1, why: 'an --events glob, escaped (`*` -> `.*`), tested once per distinct event name (the name cache), anchored at both ends' },
  'src/bench/watch-stream.ts': { count: 1, why: "an alternation of the bench capture's own pids (digits only) between lookarounds: one pass, no nested quantifier" },
};

const literals = regexLiterals().filter((r) => !/\.test\.ts:|^src\/testing\//.test(r.where));
const key = (where: string, source: string, flags: string): string => `${where.replace(/:\d+$/, '')} /${source}/${flags}`;

describe('ReDoS check of every regex literal', () => {
  it('finds the literals (the scanner works)', () => {
    expect(literals.length).toBeGreaterThan(100);
    expect(literals.some((r) => r.where.startsWith('src/normalize/oom.ts:') && r.source.startsWith('^pid=(-?\\d+) comm=(.*)'))).toBe(true);
  });

  it('every regex built at run time is listed with why it stays linear', () => {
    const found: Record<string, number> = {};
    const walk = (dir: string): void => {
      for (const e of readdirSync(join(REPO_ROOT, dir), { withFileTypes: true })) {
        const rel = `${dir}/${e.name}`;
        if (e.isDirectory()) walk(rel);
        else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !rel.startsWith('src/testing/')) {
          const n = readFileSync(join(REPO_ROOT, rel), 'utf8').split('new RegExp(').length - 1;
          if (n) found[rel] = n;
        }
      }
    };
    walk('parsers');
    walk('src');
    expect(found).toEqual(Object.fromEntries(Object.entries(DYNAMIC_REGEXPS).map(([f, d]) => [f, d.count])));
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
