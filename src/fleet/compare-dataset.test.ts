// compare --dataset runs compare's statistics on the dataset's metrics and gives what
// compare gives on the same captures analysed afresh.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { cli } from '../testing/cli.ts';
import { bundledCaptures, sharedCaptures } from '../testing/captures.ts';

const tmp = mkdtempSync(join(tmpdir(), 'reaplay-cmpds-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

it('compare --dataset --group-by kernel equals compare --group over the same captures', async () => {
  const caps = [...bundledCaptures(), ...sharedCaptures()];
  const ds = join(tmp, 'ds');
  expect((await cli('fleet', ...caps.map((c) => c.dir), '--out', ds, '--jobs', '2')).code).toBe(0);
  const fromDs = await cli('compare', '--dataset', ds, '--group-by', 'kernel', '--json');
  expect(fromDs.err).toBe('');
  const byKernel = (k: string) => caps.filter((c) => c.id.startsWith(`${k}/`)).map((c) => c.dir).join(',');
  const fresh = await cli('compare', '--group', `5.10.223=${byKernel('5.10')}`, '--group', `6.1.192=${byKernel('6.1')}`, '--json');
  expect(fromDs.code).toBe(fresh.code);
  type Doc = { comparisons: unknown[]; groups: { label: string; victims: { pid: number }[]; captures: unknown[] }[] };
  const a = JSON.parse(fromDs.out) as Doc;
  const b = JSON.parse(fresh.out) as Doc;
  expect(a.groups.map((g) => [g.label, g.captures.length, g.victims.length])).toEqual(b.groups.map((g) => [g.label, g.captures.length, g.victims.length]));
  expect(a.comparisons).toEqual(b.comparisons);
  const bad = await cli('compare', '--dataset', ds, '--group-by', 'colour');
  expect(bad.code).toBe(2);
  expect(bad.err).toContain('--group-by colour: expected kernel, release, family or label:NAME');
});
