import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../testing/cli.ts';
import { SAMPLES_DIR } from '../testing/captures.ts';


const files = (id: string, trace = 'ftrace.txt.gz') => [trace, 'dmesg.txt.gz', 'kprobe_events.txt'].map((f) => join(SAMPLES_DIR, id, f));

describe('reaplay check', () => {
  it('premature capture: story, proven premature finding with its lines, exit 1', async () => {
    const r = await cli('check', ...files('6.1/premature'));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/replayed as family 6\.1-6\.8/);
    expect(r.out).toMatch(/victim 440 \(victim\), memcg:\/oomlab, mm 0xffff898a41102880/);
    expect(r.out).toMatch(/10 reap attempt\(s\), 140 of 140 invalidate calls inside the reaper's attempts failed \(-11\), 141 over the mm's lifetime/);
    expect(r.out).toMatch(/\[proven\] premature_victim PVS-PREMATURE \(victim 386\)/);
    expect(r.out).toMatch(/memory of 440 released only now \(mm_release\)\s+ftrace\.txt\.gz:10840/);
  });
  it('expected behaviour only: exit 0, and --json carries kernel, victims and findings', async () => {
    const r = await cli('check', '--json', ...files('6.1/kvm_mn_eagain', 'perf-script.txt.gz'));
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.kernel).toMatchObject({ release: '6.1.0-56-amd64', upstream: '6.1.192', family: '6.1-6.8' });
    expect(doc.victims).toHaveLength(1);
    expect(doc.victims[0]).toMatchObject({ pid: 385, comm: 'victim', mm: '0xffff8de141060480', reap: 'gave_up', attempts: 10 });
    expect(doc.findings.map((f: { rule: string; level: string; expected: boolean }) => [f.rule, f.level, f.expected])).toEqual([['UPI-CORE-FAILED-START', 'proven', true]]);
    expect(doc.findings[0].evidence[0].src.file).toMatch(/perf-script\.txt\.gz$/);
  });
  it('a damaged input: the first errors shown under the diagnostics line, each with its place', async () => {
    // A trace.dat whose KALLSYMS section is corrupt (its zstd frame, after the 16-byte section
    // header and the two size words, at s + 24): read without it.
    const b = Buffer.from(readFileSync(join(SAMPLES_DIR, 'binary/6.1/kvm_mn_eagain/trace.dat')));
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    let s = 37;
    while (v.getUint16(s, true) !== 19) s += 16 + Number(v.getBigUint64(s + 8, true));
    for (let i = 40; i < 72; i++) b[s + i] ^= 0xff;
    const f = join(mkdtempSync(join(tmpdir(), 'reaplay-check-')), 'trace.dat');
    writeFileSync(f, b);
    const [, dmesg, kprobes] = files('6.1/kvm_mn_eagain');
    const r = await cli('check', f, dmesg!, kprobes!);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/diagnostics: 1 error \(damaged_binary 1\)\n  trace\.dat @0x[0-9a-f]+: damaged_binary: .*in the KALLSYMS section \(the events are read without it/);
    expect(r.out).toMatch(/\[proven, expected on this kernel\] unpaired_invalidate UPI-CORE-FAILED-START/);
    const doc = JSON.parse((await cli('check', '--json', f, dmesg!, kprobes!)).out);
    expect(doc.diagnostics.errors).toEqual([expect.objectContaining({ code: 'damaged_binary', src: expect.objectContaining({ offset: s + 24 }) })]);
  });
  it('--kernel and --capability change the profile; bad values are usage errors', async () => {
    const r = await cli('check', '--json', '--kernel', '5.4', '--capability', 'hlistEndOnFailure=false', ...files('6.1/kvm_mn_eagain'));
    const doc = JSON.parse(r.out);
    expect(doc.kernel.family).toBe('5.2-5.4');
    expect(doc.kernel.reasons).toContain('override: hlistEndOnFailure=false');
    expect(doc.findings.some((f: { rule: string; notifier?: string }) => f.rule === 'UPI-HLIST-LEAK' && f.notifier === 'kvm')).toBe(true);
    expect((await cli('check', '--kernel', 'banana', ...files('6.1/kvm_mn_eagain'))).code).toBe(2);
    expect((await cli('check', '--capability', 'nope=1', ...files('6.1/kvm_mn_eagain'))).code).toBe(2);
  });
});

describe('reaplay timeline and replay', () => {
  it('timeline --pid prints the address space with lines', async () => {
    const r = await cli('timeline', '--pid', '440', ...files('6.1/premature'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^address space of victim 440 \(victim\), mm 0xffff898a41102880, rss mm_id 3629428702: \d+ events/);
    expect(r.out).toMatch(/oom:mark_victim pid=440 .*ftrace\.txt\.gz:3236/);
    expect(r.out).toMatch(/mn:mn_release .*ftrace\.txt\.gz:10840/);
    // The invalidate calls on its mm (the model keeps references to them; the printer finds their lines).
    const count = (name: string) => r.out.split('\n').filter((l) => l.split(/\s+/)[3] === name).length;
    expect([count('mn:mn_inv_start'), count('mn:mn_inv_start_ret'), count('mn:mntest_inv_start'), count('mn:mntest_inv_start_ret')]).toEqual([141, 141, 140, 140]);
    expect((await cli('timeline', '--pid', '1', ...files('6.1/premature'))).code).toBe(2);
  });
  it('replay --as-kernel 4.19 says what that kernel would have done', async () => {
    const r = await cli('replay', '--as-kernel', '4.19', ...files('6.1/kvm_mn_eagain'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/recorded on 6\.1-6\.8 \(6\.1\.0-56-amd64\); replayed as 4\.19-5\.1/);
    expect(r.out).toMatch(/kvm: 140 invalidate_range_start\(s\) that succeeded inside failed non-blocking calls would never get their invalidate_range_end/);
    expect(r.out).toMatch(/\[proven, expected on this kernel\] unpaired_invalidate UPI-HLIST-LEAK \(victim 385, notifier kvm\)/);
  });
});
