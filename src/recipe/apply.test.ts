// --apply / --remove against a fake tracefs in a temp folder (never this machine's own): files
// behave as tracefs's do (kprobe_events appends define events, a new instance comes populated,
// files cannot be created), and remove must leave the tree exactly as it was.
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recipeCommand, type RecipeArgs } from '../cli/commands/recipe.ts';
import { UserError } from '../types/errors.ts';
import { SAMPLES_DIR } from '../testing/captures.ts';
import type { TracefsOps } from './apply.ts';

function io() {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (s: string) => ((out += s), true) } as never, stderr: { write: (s: string) => ((err += s), true) } as never },
    out: () => out,
    err: () => err,
  };
}

const EVENTS = ['oom/mark_victim', 'oom/wake_reaper', 'kmem/rss_stat', 'mmap/exit_mmap', 'sched/sched_process_exit', 'sched/sched_process_fork', 'signal/signal_generate', 'printk/console'];

function makeTracefs(root: string): void {
  writeFileSync(join(root, 'kprobe_events'), 'p:other/keep do_exit code=%di:s32\n');
  writeFileSync(join(root, 'trace_clock'), '[local] global counter uptime perf mono mono_raw boot\n');
  for (const e of EVENTS) {
    mkdirSync(join(root, 'events', e), { recursive: true });
    writeFileSync(join(root, 'events', e, 'enable'), '0\n');
    writeFileSync(join(root, 'events', dirname(e), 'enable'), '0\n');
  }
  mkdirSync(join(root, 'events', 'other', 'keep'), { recursive: true });
  writeFileSync(join(root, 'events', 'other', 'keep', 'enable'), '0\n');
  writeFileSync(join(root, 'events', 'other', 'enable'), '0\n');
  mkdirSync(join(root, 'instances'));
}

/** File operations with tracefs's behaviour; `refuse` makes one definition fail as the kernel would. */
function fakeOps(root: string, refuse?: RegExp): TracefsOps {
  const kev = join(root, 'kprobe_events');
  return {
    read: (p) => (existsSync(p) ? readFileSync(p, 'utf8') : undefined),
    exists: (p) => existsSync(p),
    write: (p, d) => {
      if (!existsSync(p)) throw new Error(`ENOENT: ${p}`);
      writeFileSync(p, d);
    },
    append: (p, d) => {
      if (p !== kev) throw new Error(`append to ${p}`);
      const line = d.trim();
      const del = /^-:(\w+)\/(\w+)$/.exec(line);
      if (del) {
        const [, g, e] = del;
        for (const inst of readdirSync(join(root, 'instances'))) {
          const en = join(root, 'instances', inst, 'events', g!, e!, 'enable');
          if (existsSync(en) && readFileSync(en, 'utf8').trim() === '1') throw new Error('EBUSY');
        }
        const kept = readFileSync(kev, 'utf8').split('\n').filter((l) => l && !l.startsWith(`p:${g}/${e} `) && !l.startsWith(`r:${g}/${e} `));
        writeFileSync(kev, kept.map((l) => `${l}\n`).join(''));
        rmSync(join(root, 'events', g!, e!), { recursive: true });
        if (readdirSync(join(root, 'events', g!)).every((x) => x === 'enable')) rmSync(join(root, 'events', g!), { recursive: true });
        return;
      }
      if (refuse?.test(line)) throw new Error('EINVAL');
      const m = /^[pr]\d*:(\w+)\/(\w+) /.exec(line)!;
      appendFileSync(kev, `${line}\n`);
      mkdirSync(join(root, 'events', m[1]!, m[2]!), { recursive: true });
      writeFileSync(join(root, 'events', m[1]!, m[2]!, 'enable'), '0\n');
      writeFileSync(join(root, 'events', m[1]!, 'enable'), '0\n');
    },
    mkdir: (p) => {
      mkdirSync(p);
      if (basename(dirname(p)) === 'instances') {
        cpSync(join(root, 'events'), join(p, 'events'), { recursive: true });
        for (const f of ['buffer_size_kb', 'tracing_on']) writeFileSync(join(p, f), f === 'tracing_on' ? '1\n' : '1410\n');
        writeFileSync(join(p, 'trace_clock'), readFileSync(join(root, 'trace_clock')));
      }
    },
    rmdir: (p) => rmSync(p, { recursive: true }),
  };
}

function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) {
        out[`${p.slice(root.length)}/`] = '';
        walk(p);
      } else out[p.slice(root.length)] = readFileSync(p, 'utf8');
    }
  };
  walk(root);
  return out;
}

let dir: string;
let root: string;
let state: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fake-tracefs-'));
  root = join(dir, 'tracing');
  mkdirSync(root);
  makeTracefs(root);
  state = join(dir, 'state.json');
});
afterEach(() => rmSync(dir, { recursive: true }));

const base = (): RecipeArgs => ({ kernel: '6.1', btf: join(SAMPLES_DIR, 'btf', 'vmlinux-6.1.btf.zst'), notifiers: ['kvm'], format: 'tracefs', tracefs: root, state });

describe('--apply / --remove on a fake tracefs', () => {
  it('a dry run by default: names every file it would write and writes none', async () => {
    const before = snapshot(root);
    const t = io();
    expect(await recipeCommand({ ...base(), apply: true, ops: fakeOps(root) }, t.io)).toBe(0);
    expect(snapshot(root)).toEqual(before);
    expect(existsSync(state)).toBe(false);
    expect(t.out()).toMatch(/^dry run \(apply\): these \d+ writes would be made; add --yes/);
    expect(t.out()).toContain(`append to ${root}/kprobe_events: p:reaplay/inv_start __mmu_notifier_invalidate_range_start range=%di:x64 mm=+8(%di):x64`);
    expect(t.out()).toContain(`mkdir ${root}/instances/reaplay`);
    expect(t.out()).toContain(`write ${root}/instances/reaplay/buffer_size_kb: 16384`);
    expect(t.out()).toContain(`write ${root}/instances/reaplay/events/reaplay/enable: 1`);
  });

  it('apply sets the instance up; remove leaves the tree exactly as it was (the other kprobe kept)', async () => {
    const before = snapshot(root);
    const t = io();
    expect(await recipeCommand({ ...base(), apply: true, yes: true, ops: fakeOps(root) }, t.io)).toBe(0);
    const I = join(root, 'instances', 'reaplay');
    expect(readFileSync(join(I, 'buffer_size_kb'), 'utf8')).toBe('16384\n');
    expect(readFileSync(join(I, 'trace_clock'), 'utf8')).toBe('perf\n');
    expect(readFileSync(join(I, 'tracing_on'), 'utf8')).toBe('1\n');
    for (const e of ['oom', 'kmem/rss_stat', 'mmap/exit_mmap', 'reaplay']) expect(readFileSync(join(I, 'events', e, 'enable'), 'utf8')).toBe('1\n');
    const defs = readFileSync(join(root, 'kprobe_events'), 'utf8');
    expect(defs.startsWith('p:other/keep do_exit')).toBe(true);
    expect(defs).toContain('p:reaplay/kvm_inv_start kvm:kvm_mmu_notifier_invalidate_range_start sub=%di:x64 mm=+8(%si):x64');
    const saved = JSON.parse(readFileSync(state, 'utf8'));
    expect(saved).toMatchObject({ format: 'reaplay-recipe-state/1', tracefs: root, instance: 'reaplay', createdInstance: true });
    expect(saved.addedProbes).toContain('reaplay/inv_start');
    expect(t.out()).toContain(`write ${state}: what was set, for --remove`);

    const r = io();
    expect(await recipeCommand({ ...base(), remove: true, yes: true, ops: fakeOps(root) }, r.io)).toBe(0);
    expect(snapshot(root)).toEqual(before);
    expect(r.out()).toContain(`rmdir ${I}`);
    expect(r.out()).toContain(`append to ${root}/kprobe_events: -:reaplay/inv_start`);
  });

  it('remove is a dry run too without --yes', async () => {
    await recipeCommand({ ...base(), apply: true, yes: true, ops: fakeOps(root) }, io().io);
    const during = snapshot(root);
    const r = io();
    expect(await recipeCommand({ ...base(), remove: true, ops: fakeOps(root) }, r.io)).toBe(0);
    expect(snapshot(root)).toEqual(during);
    expect(r.out()).toMatch(/^dry run \(remove\)/);
  });

  it('an identical definition already there is kept and not removed later; a different one is refused', async () => {
    appendFileSync(join(root, 'kprobe_events'), 'p:reaplay/mm_release __mmu_notifier_release mm=%di:x64\n');
    mkdirSync(join(root, 'events', 'reaplay', 'mm_release'), { recursive: true });
    writeFileSync(join(root, 'events', 'reaplay', 'mm_release', 'enable'), '0\n');
    writeFileSync(join(root, 'events', 'reaplay', 'enable'), '0\n');
    const before = snapshot(root);
    const t = io();
    expect(await recipeCommand({ ...base(), apply: true, yes: true, ops: fakeOps(root) }, t.io)).toBe(0);
    expect(t.out()).toContain('kept reaplay/mm_release: already defined with the same text (will not be removed)');
    await recipeCommand({ ...base(), remove: true, yes: true, ops: fakeOps(root) }, io().io);
    expect(snapshot(root)).toEqual(before);

    writeFileSync(join(root, 'kprobe_events'), 'p:reaplay/inv_start do_exit\n');
    await expect(recipeCommand({ ...base(), apply: true, ops: fakeOps(root) }, io().io)).rejects.toThrow(
      new UserError(`${root}/kprobe_events: reaplay/inv_start is already defined differently ("do_exit"); remove it or choose another --group`),
    );
  });

  it('a definition the kernel refuses stops apply; the state holds what was set and remove undoes just that', async () => {
    const before = snapshot(root);
    const t = io();
    expect(await recipeCommand({ ...base(), apply: true, yes: true, ops: fakeOps(root, /kvm_mmu_notifier_release/) }, t.io)).toBe(1);
    expect(t.err()).toContain(`apply stopped at "append to ${root}/kprobe_events: p:reaplay/kvm_release kvm:kvm_mmu_notifier_release`);
    expect(t.err()).toContain('EINVAL');
    const saved = JSON.parse(readFileSync(state, 'utf8'));
    expect(saved.createdInstance).toBe(false);
    expect(saved.addedProbes.at(-1)).toBe('reaplay/kvm_inv_end');
    expect(await recipeCommand({ ...base(), remove: true, yes: true, ops: fakeOps(root) }, io().io)).toBe(0);
    expect(snapshot(root)).toEqual(before);
  });

  it('refuses an existing instance, a name that is not a tracefs name, a tracefs that is not one, and a bad state file', async () => {
    mkdirSync(join(root, 'instances', 'reaplay'));
    await expect(recipeCommand({ ...base(), apply: true, ops: fakeOps(root) }, io().io)).rejects.toThrow(/instances\/reaplay exists already/);
    await expect(recipeCommand({ ...base(), apply: true, instance: '../x', ops: fakeOps(root) }, io().io)).rejects.toThrow(/--instance "..\/x": expected letters, digits and _/);
    await expect(recipeCommand({ ...base(), apply: true, tracefs: dir, ops: fakeOps(dir) }, io().io)).rejects.toThrow(/kprobe_events: not readable; is .* a mounted tracefs/);
    writeFileSync(state, '{"format":"something else"}');
    await expect(recipeCommand({ ...base(), remove: true, ops: fakeOps(root) }, io().io)).rejects.toThrow(/state\.json: not a reaplay recipe state/);
  });
});
