// A notifier on a victim's mm, shown by its own tasks before its OOM (docs/model.md#rules-notifier-evidence):
// it proves the 4.14-4.18 silent give-up and, without kprobes, backs the suggested KVM leak of
// "callback failed" lines. Asserted by rule code on the synthetic traces.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, type Analysis } from '../pipeline.ts';
import { SAMPLES_DIR } from '../testing/captures.ts';

const DIR = join(SAMPLES_DIR, 'synthetic');
const tmp = mkdtempSync(join(tmpdir(), 'reaplay-notifier-'));

function files(name: string, edit: Record<string, (text: string) => string> = {}): string[] {
  const names = name.startsWith('4.19') ? ['trace.txt', 'dmesg.txt', 'kprobe_events.txt'] : ['trace.txt', 'dmesg.txt'];
  return names
    .filter((f) => f !== 'kprobe_events.txt' || !name.includes('log-only'))
    .map((f) => {
      const src = join(DIR, name, f);
      if (!edit[f]) return src;
      const out = join(tmp, `${name}-${Object.keys(edit).join('-')}-${basename(f)}`);
      writeFileSync(out, edit[f](readFileSync(src, 'latin1')));
      return out;
    });
}

const rule = (a: Analysis, code: string) => a.findings.filter((f) => f.rule === code);

describe('the 4.14-4.18 silent give-up, proven by a notifier from the victim\'s own tasks', () => {
  it('record-tgid ties the vCPU thread 3104 to 3100: proven, citing its kvm_age_hva line', async () => {
    const a = await analyze(files('4.14-notifier-skip-record-tgid'), { kernel: '4.14' });
    const [f, ...more] = rule(a, 'PVS-PREMATURE');
    expect(more).toEqual([]);
    expect(f?.level).toBe('proven');
    const cited = f!.evidence.find((e) => /KVM notifier on 3100's mm/.test(e.what));
    expect(cited?.src?.line).toBe(23);
    expect(readFileSync(join(DIR, '4.14-notifier-skip-record-tgid', 'trace.txt'), 'latin1').split('\n')[22]).toMatch(/CPU 0\/KVM-3104 .* kvm_age_hva: /);
  });

  it('kswapd\'s lines and an untied thread are no evidence: suggested, and says why', async () => {
    const a = await analyze(files('4.14-notifier-skip'), { kernel: '4.14' });
    const [f] = rule(a, 'PVS-PREMATURE');
    expect(f?.level).toBe('suggested');
    expect(f?.why).toContain("no line from 3100's own tasks before its OOM shows a notifier on its mm");
    expect(f?.evidence.some((e) => /KVM notifier/.test(e.what))).toBe(false);
  });

  it('the same lines after the OOM are no evidence either', async () => {
    // Move the vCPU thread's aging after 3100's selection (100.000190).
    const late = (t: string) => t.replace(/ 99\.(?:871|953)(\d{3}): kvm_age_hva/g, '100.001$1: kvm_age_hva');
    const input = files('4.14-notifier-skip-record-tgid', { 'trace.txt': late });
    const kept = await analyze(input, { kernel: '4.14', keepEvents: true });
    expect(kept.capture.events.filter((e) => e.name === 'kvm:kvm_age_hva' && e.pid === 3104).map((e) => e.ts > 100_000_190_000n)).toEqual([true, true, true]);
    const a = await analyze(input, { kernel: '4.14' });
    const [f] = rule(a, 'PVS-PREMATURE');
    expect(f?.level).toBe('suggested');
    expect(f?.why).toContain("no line from 3100's own tasks before its OOM");
  });
});

describe('"callback failed" lines and KVM on the mm without kprobes: the suggested KVM leak', () => {
  it('cites the log lines and qemu\'s own kvm_age_hva line', async () => {
    const a = await analyze(files('4.19-kvm-leak-log-only'), { kernel: '4.19' });
    const [f, ...more] = rule(a, 'UPI-HLIST-LEAK');
    expect(more).toEqual([]);
    expect(f).toMatchObject({ level: 'suggested', notifier: 'kvm', count: 20, victim: { pid: 4100 } });
    const log = f!.evidence.filter((e) => e.src?.file?.endsWith('dmesg.txt'));
    expect(log.length).toBeGreaterThan(0);
    expect(log.every((e) => /amdgpu_mn_invalidate_range_start_gfx/.test(e.what))).toBe(true);
    expect(f!.evidence.some((e) => e.src?.file?.endsWith('trace.txt') && /kvm_age_hva in its task 4100/.test(e.what))).toBe(true);
  });

  it('not on a family with the pairing fix (5.10.89 backport, 5.12+)', async () => {
    for (const kernel of ['5.10.89', '5.15']) {
      const a = await analyze(files('4.19-kvm-leak-log-only'), { kernel });
      expect(rule(a, 'UPI-HLIST-LEAK'), kernel).toEqual([]);
    }
  });

  it('not when the failing callback is KVM\'s own', async () => {
    const kvmFails = (t: string) => t.replaceAll('amdgpu_mn_invalidate_range_start_gfx+0x0/0x140 [amdgpu]', 'kvm_mmu_notifier_invalidate_range_start+0x0/0x1a0 [kvm]');
    const a = await analyze(files('4.19-kvm-leak-log-only', { 'dmesg.txt': kvmFails }), { kernel: '4.19' });
    expect(rule(a, 'UPI-HLIST-LEAK')).toEqual([]);
    expect(rule(a, 'UPI-NO-PROBES').map((f) => f.level)).toEqual(['inconclusive']);
  });

  it('not when only kswapd shows KVM', async () => {
    const a = await analyze(files('4.19-kvm-leak-log-only-no-evidence'), { kernel: '4.19' });
    expect(rule(a, 'UPI-HLIST-LEAK')).toEqual([]);
    expect(rule(a, 'UPI-NO-PROBES').map((f) => f.level)).toEqual(['inconclusive']);
  });
});
