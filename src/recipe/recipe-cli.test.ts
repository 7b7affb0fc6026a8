// `reaplay recipe` through the CLI: options reach the recipe, bad input exits 2 naming it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../testing/cli.ts';
import { SAMPLES_DIR } from '../testing/captures.ts';

const btf = join(SAMPLES_DIR, 'btf', 'vmlinux-6.12.btf.zst');
const dir = mkdtempSync(join(tmpdir(), 'recipe-cli-'));
afterAll(() => rmSync(dir, { recursive: true }));

describe('reaplay recipe', () => {
  it('--kernel --btf --format trace-cmd: one record line, offsets from that BTF', async () => {
    const r = await cli('recipe', '--kernel', '6.12.95', '--btf', btf, '--notifiers', 'kvm', '--format', 'trace-cmd', '--group', 'mine');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`# offsets: BTF (${btf})`);
    expect(r.out).toContain('p:mine/inv_start __mmu_notifier_invalidate_range_start range=%di:x64 mm=+0(%di):x64 start=+8(%di):x64');
    expect(r.out.split('\n').filter((l) => l.startsWith('trace-cmd record'))).toHaveLength(1);
    expect(r.out).toMatch(/-e mine -o trace\.dat/);
  });
  it('--kernel alone: the version table, said so', async () => {
    const r = await cli('recipe', '--kernel', '5.4', '--notifiers', 'kvm', '--format', 'kprobe-events');
    expect(r.code).toBe(0);
    expect(r.out).toContain('# offsets: version table for 5.4 (no BTF');
    expect(r.out).toContain('mm=+8(%di):x64 start=+16(%di):x64 end=+24(%di):x64 flags=+32(%di):x32 event=+36(%di):u32 only_end=%si:u8');
  });
  it('a file that is not BTF: exit 2, the file and offset named', async () => {
    const bad = join(dir, 'not-btf');
    writeFileSync(bad, 'hello world, this is not BTF');
    const r = await cli('recipe', '--kernel', '6.1', '--btf', bad);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${bad}: at byte 0: expected the BTF magic 0xeb9f`);
  });
  it('a bad release and an unknown notifier: exit 2', async () => {
    expect((await cli('recipe', '--kernel', 'banana')).err).toMatch(/kernel release "banana": expected MAJOR.MINOR/);
    const r = await cli('recipe', '--kernel', '6.1', '--notifiers', 'kvm,nvidia');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--notifiers nvidia: unknown notifier/);
  });
});
