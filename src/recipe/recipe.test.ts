// The recipe for the lab's three kernels, from their BTF (samples/btf), against the lab's own
// kprobe definitions (5.10, 6.1: the captures' kprobe_events.txt; 6.12: the lab README's table);
// check reading a real capture through the recipe's definitions; the formats; the kernel facts.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { parseKprobeDefinition } from '../../parsers/kprobe-events/index.ts';
import type { KprobeDef } from '../types/kprobe.ts';
import { kprobeRole } from '../replay/kprobe-roles.ts';
import { analyze } from '../pipeline.ts';
import { SAMPLES_DIR } from '../testing/captures.ts';
import { buildRecipe, probeLine, type Recipe } from './build.ts';
import { offlineFacts, systemFacts, versionFromBtf, loadBtf } from './kernel-facts.ts';
import { tableLayout } from './layout.ts';
import { renderRecipe } from './render.ts';

const btfFile = (k: string) => join(SAMPLES_DIR, 'btf', `vmlinux-${k}.btf.zst`);
const recipeFor = (k: string, release?: string): Recipe => buildRecipe(offlineFacts(release ?? k, btfFile(k)), { notifiers: ['kvm', 'mntest'] });
const NOWHERE = { file: 'x', line: 0, offset: 0 };
const defs = (text: string): KprobeDef[] => text.split('\n').map((l) => parseKprobeDefinition(l, NOWHERE)).filter((d): d is KprobeDef => d !== undefined);
/** What a probe fetches, whatever its event is named. */
const shape = (d: KprobeDef) => `${d.isReturn ? 'r' : 'p'} ${d.module ? `${d.module}:` : ''}${d.func} ${d.args.map((a) => `${a.name}=${a.fetch}:${a.type}`).join(' ')}`;
const recipeDefs = (r: Recipe) => defs(renderRecipe(r, 'kprobe-events'));

describe('recipe offsets from each kernel\'s BTF equal the lab\'s definitions', () => {
  for (const k of ['5.10', '6.1']) {
    it(`${k}: every definition equals the lab's kprobe_events.txt (event names aside)`, () => {
      const lab = defs(readFileSync(join(SAMPLES_DIR, k, 'kvm_mn_eagain', 'kprobe_events.txt'), 'utf8'));
      expect(recipeDefs(recipeFor(k)).map(shape).sort()).toEqual(lab.map(shape).sort());
    });
  }

  it("6.12: the lab README's table: {mm@0, start@8, end@16, flags@24, event@28}, end(range) without only_end", () => {
    const r = recipeFor('6.12');
    const byEvent = new Map(recipeDefs(r).map((d) => [d.event, d]));
    const range = (reg: string) => [`mm=+0(${reg}):x64`, `start=+8(${reg}):x64`, `end=+16(${reg}):x64`, `flags=+24(${reg}):x32`, `event=+28(${reg}):u32`];
    const args = (e: string) => byEvent.get(e)!.args.map((a) => `${a.name}=${a.fetch}:${a.type}`);
    expect(args('inv_start')).toEqual(['range=%di:x64', ...range('%di')]);
    expect(args('inv_end')).toEqual(['range=%di:x64', ...range('%di')]);
    expect(args('kvm_inv_start')).toEqual(['sub=%di:x64', ...range('%si')]);
    expect(args('mntest_inv_end')).toEqual(['sub=%di:x64', ...range('%si')]);
  });

  const labReadme = join(SAMPLES_DIR, '..', '..', 'shared', 'lab', 'README.md');
  it.skipIf(!existsSync(labReadme))("the lab README's struct mmu_notifier_range row, for all three kernels", () => {
    const row = readFileSync(labReadme, 'utf8').split('\n').find((l) => l.startsWith('| `struct mmu_notifier_range`'))!;
    const [k510, k61, k612] = row.split('|').slice(2, 5).map((c) => c.trim());
    const offsets = (cell: string) => [...cell.matchAll(/(\w+)@(\d+)/g)].map((m) => `${m[1]}@${m[2]}`);
    const mine = (k: string) => recipeFor(k).probes.find((p) => p.event === 'inv_start')!.args.filter((a) => a.name !== 'range').map((a) => `${a.name}@${/^\+(\d+)/.exec(a.fetch)![1]}`);
    expect(mine('5.10')).toEqual(offsets(k510!));
    expect(k61).toBe('same');
    expect(mine('6.1')).toEqual(offsets(k510!));
    expect(mine('6.12')).toEqual(offsets(k612!));
  });

  for (const k of ['5.10', '6.1', '6.12']) {
    it(`${k}: the version table gives the same definitions as the BTF`, () => {
      const fromTable = buildRecipe(offlineFacts(k, undefined), { notifiers: ['kvm', 'mntest'] });
      expect(recipeDefs(fromTable).map(shape)).toEqual(recipeDefs(recipeFor(k)).map(shape));
      expect(fromTable.offsets).toMatch(/^version table/);
      expect(recipeFor(k).offsets).toMatch(/^BTF/);
    });
  }

  it('--btf alone dates the kernel from its types', () => {
    expect(versionFromBtf(loadBtf(btfFile('5.10'))).version).toEqual([5, 6]);
    expect(versionFromBtf(loadBtf(btfFile('6.1'))).version).toEqual([6, 1]);
    expect(versionFromBtf(loadBtf(btfFile('6.12'))).version).toEqual([6, 6]);
  });
});

describe('check understands the recipe\'s definitions', () => {
  it('every probe gets the role the recipe meant (src/replay/kprobe-roles.ts)', () => {
    for (const k of ['5.10', '6.1', '6.12']) {
      const r = recipeFor(k);
      for (const p of r.probes) {
        const d = parseKprobeDefinition(probeLine(p), NOWHERE)!;
        const role = kprobeRole({ fields: { probe_func: d.func, is_return: d.isReturn, ...(d.module ? { probe_module: d.module } : {}) } } as never);
        expect(role?.role, probeLine(p)).toBe(p.role);
        if (p.notifier) expect(role?.instance).toBe(p.notifier === 'mntest' ? 'mntest' : p.module);
      }
    }
  });

  const dir = mkdtempSync(join(tmpdir(), 'recipe-check-'));
  afterAll(() => rmSync(dir, { recursive: true }));
  it('6.1 kvm_mn_eagain, its events renamed to the recipe\'s: the same victims and findings as with the lab\'s definitions', async () => {
    const cap = join(SAMPLES_DIR, '6.1', 'kvm_mn_eagain');
    const labDefs = defs(readFileSync(join(cap, 'kprobe_events.txt'), 'utf8'));
    const r = recipeFor('6.1');
    const mine = recipeDefs(r);
    let trace = gunzipSync(readFileSync(join(cap, 'ftrace.txt.gz'))).toString('latin1');
    for (const l of labDefs) {
      const m = mine.find((d) => d.func === l.func && d.module === l.module && d.isReturn === l.isReturn)!;
      expect(m, shape(l)).toBeDefined();
      trace = trace.replace(new RegExp(` ${l.event}: \\(`, 'g'), ` ${m.event}: (`);
    }
    writeFileSync(join(dir, 'ftrace.txt'), trace, 'latin1');
    writeFileSync(join(dir, 'kprobe_events.txt'), renderRecipe(r, 'kprobe-events'));
    const dmesg = join(dir, 'dmesg.txt');
    writeFileSync(dmesg, gunzipSync(readFileSync(join(cap, 'dmesg.txt.gz'))));
    const withRecipe = await analyze([join(dir, 'ftrace.txt'), dmesg, join(dir, 'kprobe_events.txt')]);
    const withLab = await analyze([join(cap, 'ftrace.txt.gz'), dmesg, join(cap, 'kprobe_events.txt')]);
    const gist = (a: typeof withLab) => ({
      // Counts only: the files (and so the offsets) differ between the two runs.
      victims: a.victims.map((v) => [v.pid, v.reap, v.reapCalls, JSON.parse(JSON.stringify(v.calls, (k, x) => (k === 'first' ? undefined : x)))]),
      findings: a.findings.map((f) => [f.rule, f.level, f.count, f.notifier]),
    });
    expect(withRecipe.victims.length).toBeGreaterThan(0);
    expect(withRecipe.victims[0]!.calls.mmLifetime.notifiers.mntest?.startsFailed).toBeGreaterThan(0);
    expect(gist(withRecipe)).toEqual(gist(withLab));
  });
});

describe('formats', () => {
  const r = recipeFor('6.1');
  it('kprobe-events: comments, then one definition per probe, each accepted by the kprobe_events parser', () => {
    const text = renderRecipe(r, 'kprobe-events');
    const lines = text.trimEnd().split('\n').filter((l) => !l.startsWith('#'));
    expect(lines).toEqual(r.probes.map(probeLine));
    expect(defs(text)).toHaveLength(r.probes.length);
  });
  it('tracefs: a shell script that defines, sets up the instance with its buffer, enables, records and undoes', () => {
    const s = renderRecipe(r, 'tracefs');
    expect(s.startsWith('#!/bin/sh\n')).toBe(true);
    expect(s).toContain(`cat >> $T/kprobe_events <<'EOF'\n${r.probes.map(probeLine).join('\n')}\nEOF\n`);
    expect(s).toContain('mkdir $T/instances/reaplay\necho 16384 > $T/instances/reaplay/buffer_size_kb\n');
    expect(s).toMatch(/for e in oom kmem\/rss_stat mmap\/exit_mmap .* kvm\/kvm_unmap_hva_range reaplay; do/);
    expect(s).toContain('rmdir $T/instances/reaplay\n');
    for (const p of r.probes) expect(s).toContain(`echo '-:reaplay/${p.event}' >> $T/kprobe_events`);
    expect(s).toContain('dmesg > dmesg.txt');
    expect(s).toContain('cat $T/kprobe_events > kprobe_events.txt');
    // The script parses as POSIX sh (dash), as Debian's /bin/sh runs it.
    expect(() => execFileSync('sh', ['-n'], { input: s })).not.toThrow();
  });
  it('trace-cmd: exactly one record line with every event and the kprobe group; the kernel log and definitions saved beside', () => {
    const s = renderRecipe(r, 'trace-cmd');
    const rec = s.split('\n').filter((l) => l.startsWith('trace-cmd record'));
    expect(rec).toEqual([`trace-cmd record -C perf -b 16384 ${[...r.events.map((e) => e.name), 'reaplay'].map((e) => `-e ${e}`).join(' ')} -o trace.dat`]);
    expect(s).toMatch(/dmesg > dmesg\.txt/);
    expect(s).toMatch(/kprobe_events > kprobe_events\.txt/);
  });
  it('perf: exactly one record line, systems as globs', () => {
    const s = renderRecipe(r, 'perf');
    const rec = s.split('\n').filter((l) => l.startsWith('perf record'));
    expect(rec).toHaveLength(1);
    expect(rec[0]).toContain("-e 'oom:*' -e 'kmem:rss_stat'");
    expect(rec[0]).toContain("-e 'reaplay:*' -o perf.data");
  });
});

describe('what a kernel cannot show', () => {
  it('5.10: no exit_mmap tracepoint, no x86 kvm_unmap_hva_range; check\'s consequence named', () => {
    const r = recipeFor('5.10');
    expect(r.events.map((e) => e.name)).not.toContain('mmap:exit_mmap');
    expect(r.limitations.map((l) => l.what)).toEqual(['no mmap:exit_mmap tracepoint (before 6.1)', 'no kvm:kvm_unmap_hva_range on x86 before 5.13']);
    expect(renderRecipe(r, 'kprobe-events')).toMatch(/check: the victim's own teardown is seen through the __mmu_notifier_release kprobe/);
  });
  it('4.19 (table): the blockable argument, no range struct, no rss_stat', () => {
    const r = buildRecipe(offlineFacts('4.19.0', undefined), { notifiers: ['kvm'] });
    const start = r.probes.find((p) => p.event === 'inv_start')!;
    expect(probeLine(start)).toBe('p:reaplay/inv_start __mmu_notifier_invalidate_range_start mm=%di:x64 start=%si:x64 end=%dx:x64 blockable=%cx:u8');
    expect(probeLine(r.probes.find((p) => p.event === 'kvm_inv_start')!)).toContain('blockable=%r8:u8');
    expect(r.limitations.map((l) => l.what)).toContain('no kmem:rss_stat (before 5.5)');
    expect(r.limitations.map((l) => l.what).join('\n')).toMatch(/4\.19: .*blockable/);
  });
  it('4.14 (table): start returns nothing, so no return probe and a limitation saying there is nothing to pair', () => {
    const r = buildRecipe(offlineFacts('4.14', undefined), { notifiers: [] });
    expect(r.probes.some((p) => p.role === 'core_start_ret')).toBe(false);
    expect(r.limitations.some((l) => /returns nothing before 4.19/.test(l.what))).toBe(true);
  });
  it('5.4 (table): range with flags at 32; amdgpu still hlist, 5.10 interval (kept, not judged)', () => {
    expect(tableLayout([5, 4]).fields.map((f) => `${f.name}@${f.offset}`)).toEqual(['mm@8', 'start@16', 'end@24', 'flags@32', 'event@36']);
    const r54 = buildRecipe(offlineFacts('5.4', undefined), { notifiers: ['amdgpu'] });
    expect(r54.probes.filter((p) => p.notifier).map((p) => p.role)).toEqual(['cb_start', 'cb_start_ret']);
    const r510 = buildRecipe(offlineFacts('5.10', undefined), { notifiers: ['amdgpu'] });
    expect(r510.probes.filter((p) => p.notifier).map((p) => `${p.module}:${p.symbol}`)).toEqual(['amdgpu:amdgpu_mn_invalidate_gfx', 'amdgpu:amdgpu_mn_invalidate_gfx']);
    expect(r510.limitations.at(-1)?.checkSays).toMatch(/kept but not judged/);
  });
  it('an unknown notifier is refused with the list of known ones', () => {
    expect(() => buildRecipe(offlineFacts('6.1', undefined), { notifiers: ['nvidia'] })).toThrow(/--notifiers nvidia: unknown notifier; one of kvm, amdgpu/);
  });
});

describe('the running kernel (a fake /proc and tracefs)', () => {
  const root = mkdtempSync(join(tmpdir(), 'recipe-sys-'));
  afterAll(() => rmSync(root, { recursive: true }));
  const proc = join(root, 'proc');
  const tracefs = join(root, 'tracing');
  mkdirSync(proc);
  mkdirSync(tracefs);
  writeFileSync(join(proc, 'kallsyms'), [
    'ffffffffb3d20eb0 T __mmu_notifier_invalidate_range_start',
    'ffffffffb3d21040 T __mmu_notifier_invalidate_range_end',
    'ffffffffb3d21240 T __mmu_notifier_release',
    'ffffffffc02b8d60 t kvm_mmu_notifier_invalidate_range_start\t[kvm]',
    'ffffffffc02b8e60 t kvm_mmu_notifier_invalidate_range_end\t[kvm]',
    'ffffffffc02b8f60 t kvm_mmu_notifier_release\t[kvm]',
    '',
  ].join('\n'));
  writeFileSync(join(proc, 'modules'), 'kvm_amd 135168 0 - Live 0x0\nkvm 1114112 1 kvm_amd, Live 0x0\n');
  writeFileSync(join(tracefs, 'available_events'), 'oom:mark_victim\noom:wake_reaper\nkmem:rss_stat\nsched:sched_process_exit\nsched:sched_process_fork\nprintk:console\n');
  const facts = systemFacts({ proc, tracefs, btf: btfFile('6.1'), release: '6.1.0-56-amd64' });
  const r = buildRecipe(facts);

  it('reads uname, kallsyms, modules, available_events and the BTF', () => {
    expect(facts.version).toEqual([6, 1]);
    expect(facts.kallsyms?.get('kvm_mmu_notifier_release')).toBe('kvm');
    expect(r.offsets).toMatch(/^BTF/);
  });
  it('default notifiers: those whose modules are loaded', () => {
    expect(r.notifiers).toEqual(['kvm']);
  });
  it('only tracepoints that exist; the missing ones become limitations', () => {
    expect(r.events.map((e) => e.name)).toEqual(['oom', 'kmem:rss_stat', 'sched:sched_process_fork', 'sched:sched_process_exit', 'printk:console']);
    expect(r.limitations.map((l) => l.what)).toContain('no mmap:exit_mmap tracepoint (before 6.1)');
  });
  it('__oom_reap_task_mm not in kallsyms (inlined): not probed, and check falls back to the reaper tracepoints', () => {
    expect(r.probes.some((p) => p.role === 'reap')).toBe(false);
    expect(r.limitations.map((l) => l.checkSays).join('\n')).toMatch(/start\/finish\/skip_task_reaping/);
  });
});
