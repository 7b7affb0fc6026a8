import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bundledCaptures, captureFile, HAVE_SHARED, SHARED_TRACES, sharedCaptures, type Capture } from '../../src/testing/captures.ts';
import { feed } from '../../src/testing/feed.ts';
import type { DiagnosticSink } from '../common/diagnostics.ts';
import type { EventNames } from '../common/event-names.ts';
import type { KprobeDef } from '../../src/types/kprobe.ts';
import { kprobeEventsImporter } from './index.ts';

function load(text: string, chunk = 4096): { names: EventNames; diag: DiagnosticSink } {
  const { ctx } = feed(kprobeEventsImporter, text, { chunk, file: 'k.txt' });
  return ctx;
}

/** A capture's text file, plain or gzipped. */
function readText(path: string): string {
  const raw = readFileSync(path);
  return (path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
}

describe('kprobeEventsImporter', () => {
  const text = [
    '# set by init.sh',
    'p:mn/mn_release __mmu_notifier_release mm=%di:x64',
    '',
    'p:mn/broken',
    '-:mn/old_probe',
    'r2:mn/mn_inv_start_ret __mmu_notifier_invalidate_range_start ret=$retval:s32',
  ].join('\n');

  it.each([1, 7, 4096])('registers definitions and reports bad lines (chunks of %i)', (chunk) => {
    const { names, diag } = load(text, chunk);
    expect(names.kprobe('mn:mn_release')?.args).toEqual([{ name: 'mm', fetch: '%di', type: 'x64' }]);
    expect(names.kprobe('mn_inv_start_ret')?.src).toEqual({ file: 'k.txt', line: 6, offset: text.indexOf('r2:') });
    expect(names.byShort('mn_release').full).toBe('mn:mn_release');
    expect(diag.count('bad_definition')).toBe(1);
    expect(diag.kept[0]).toMatchObject({ code: 'bad_definition', src: { line: 4 } });
    expect(diag.kept[0]!.message).toContain('p:mn/broken');
  });

  it('sniffs definitions, not traces', () => {
    const good = text.split('\n').filter((l) => !l.includes('broken')).join('\n');
    expect(kprobeEventsImporter.sniff(good)).toBeGreaterThanOrEqual(0.9);
    expect(kprobeEventsImporter.sniff(text)).toBe(0.5);
    expect(kprobeEventsImporter.sniff('# tracer: nop\n#\n  init-1  [001] ...1.  6.846475: rss_stat: mm_id=1 curr=0 type=MM_ANONPAGES size=8192B\n')).toBe(0);
    expect(kprobeEventsImporter.sniff('')).toBe(0);
  });
});

// Real captures: the definitions read back from tracefs describe exactly the kprobe events
// whose format files were saved beside them.
// The bundled samples always, every shared capture too when ../shared/traces is there;
// sharedCaptures() leaves out the haystack (no text trace formats), but it has
// kprobe_events.txt and formats/ like the others.
const haystack: Capture = { id: '6.1/haystack', dir: join(SHARED_TRACES, '6.1/haystack'), bundled: false };
const captures: Capture[] = [
  ...bundledCaptures(),
  ...(HAVE_SHARED ? sharedCaptures() : []),
  ...(HAVE_SHARED && existsSync(join(haystack.dir, 'truth.json')) ? [haystack] : []),
];
const label = (c: Capture): string => `${c.bundled ? 'samples' : 'shared'} ${c.id}`;

/** The printf conversion the kernel uses for a fetch type (trace_probe.c). */
const PRINT: Record<string, string> = {
  x8: '0x%x', x16: '0x%x', x32: '0x%x', x64: '0x%Lx', u8: '%u', u16: '%u', u32: '%u', u64: '%Lu',
  s8: '%d', s16: '%d', s32: '%d', s64: '%Ld', string: '\\"%s\\"',
};

function expectedPrintFmt(def: KprobeDef): string {
  const site = def.isReturn ? '(%lx <- %lx)' : '(%lx)';
  return site + def.args.map((a) => ` ${a.name}=${PRINT[a.type ?? 'x64']}`).join('');
}

describe('real kprobe_events.txt', () => {
  it('has the bundled samples at least', () => {
    expect(captures.filter((c) => c.bundled && captureFile(c, 'kprobe_events.txt')).length).toBeGreaterThan(0);
  });

  for (const c of captures) {
    const path = captureFile(c, 'kprobe_events.txt');
    (path ? it : it.skip)(`${label(c)} matches formats/mn_*.format`, () => {
      const { names, diag } = load(readText(path!));
      expect(diag.count('bad_definition')).toBe(0);
      const formats = readdirSync(join(c.dir, 'formats')).filter((f) => /^mn_.*\.format$/.test(f));
      expect(formats.length).toBeGreaterThan(0);
      const seen = new Set<string>();
      for (const file of formats) {
        const format = readFileSync(join(c.dir, 'formats', file), 'utf8');
        const event = /^name: (\S+)$/m.exec(format)![1]!;
        const def = names.kprobe(`mn:${event}`);
        expect(def, file).toBeDefined();
        expect(`${def!.group}_${def!.event}.format`).toBe(file);
        expect(/^print fmt: "([^"]*)"/m.exec(format)![1], file).toBe(expectedPrintFmt(def!));
        expect(format.includes('__probe_ret_ip'), file).toBe(def!.isReturn);
        seen.add(event);
      }
      const defined = readText(path!).split('\n').filter((l) => l.trim()).length;
      expect(seen.size).toBe(defined);
    });
  }
});
