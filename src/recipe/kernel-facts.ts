// What is known about the kernel a recipe is for: its version, its BTF, which symbols are out
// of line (/proc/kallsyms), which tracepoints exist (available_events), which modules are loaded.
// Read from the running system (paths injectable for tests) or given offline (--kernel, --btf).
import { existsSync, readFileSync } from 'node:fs';
import { release as osRelease } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { compressionOf } from '../../parsers/common/input.ts';
import { readBtf, type Btf } from '../../parsers/btf/read.ts';
import { findType, funcParams, structMembers } from '../../parsers/btf/query.ts';
import type { Version } from './what-to-record.ts';

export interface KernelFacts {
  release?: string;
  version: Version;
  btf?: Btf;
  /** Out-of-line symbols: name -> module ('' for vmlinux). */
  kallsyms?: Map<string, string>;
  /** `system:name` of every tracepoint (available_events). */
  events?: Set<string>;
  modules?: Set<string>;
  /** How each fact was learned, for the recipe's header. */
  sources: string[];
}

export interface SystemPaths {
  release?: string;
  proc: string;
  tracefs: string;
  btf: string;
}

export const LIVE_PATHS: SystemPaths = { proc: '/proc', tracefs: '/sys/kernel/tracing', btf: '/sys/kernel/btf/vmlinux' };

// "6.1.0-56-amd64", "5.10.223", "6.12.95+deb12-amd64"
export function versionOf(release: string): Version {
  const m = /^(\d+)\.(\d+)/.exec(release.trim());
  if (!m) throw new Error(`kernel release "${release}": expected MAJOR.MINOR at its start, e.g. 6.1 or 6.1.0-56-amd64`);
  return [Number(m[1]), Number(m[2])];
}

// ffffffffc02b8d60 t kvm_mmu_notifier_invalidate_range_start	[kvm]
export function parseKallsyms(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^[0-9a-f]+\s+[tTwW]\s+(\S+)(?:\s+\[(\S+)\])?/.exec(line);
    if (m && !out.has(m[1]!)) out.set(m[1]!, m[2] ?? '');
  }
  return out;
}

export function parseAvailableEvents(text: string): Set<string> {
  return new Set(text.split('\n').map((l) => l.trim()).filter((l) => l.includes(':')));
}

// kvm_amd 135168 0 - Live 0x0000000000000000
export function parseModules(text: string): Set<string> {
  return new Set(text.split('\n').map((l) => l.split(' ')[0]!).filter(Boolean));
}

/** A BTF file, plain or compressed with zstd or gzip. */
export function loadBtf(file: string): Btf {
  let data: Uint8Array = readFileSync(file);
  const c = compressionOf(data);
  if (c === 'zstd') data = zstdDecompress(data);
  else if (c === 'gzip') data = gunzipSync(data);
  return readBtf(data, file);
}

/** Facts of the running kernel (or of a fake system under `paths`). Missing files are skipped and said. */
export function systemFacts(paths: SystemPaths = LIVE_PATHS, opts: { btf?: string } = {}): KernelFacts {
  const release = paths.release ?? osRelease();
  const facts: KernelFacts = { release, version: versionOf(release), sources: [`release ${release} (uname)`] };
  const tryRead = (f: string): string | undefined => {
    try {
      return readFileSync(f, 'utf8');
    } catch {
      facts.sources.push(`${f}: not readable`);
      return undefined;
    }
  };
  const ks = tryRead(join(paths.proc, 'kallsyms'));
  if (ks !== undefined) {
    facts.kallsyms = parseKallsyms(ks);
    facts.sources.push(`${join(paths.proc, 'kallsyms')}: ${facts.kallsyms.size} functions`);
  }
  const mods = tryRead(join(paths.proc, 'modules'));
  if (mods !== undefined) facts.modules = parseModules(mods);
  const ev = tryRead(join(paths.tracefs, 'available_events'));
  if (ev !== undefined) {
    facts.events = parseAvailableEvents(ev);
    facts.sources.push(`${join(paths.tracefs, 'available_events')}: ${facts.events.size} tracepoints`);
  }
  const btfFile = opts.btf ?? paths.btf;
  if (opts.btf || existsSync(btfFile)) {
    facts.btf = loadBtf(btfFile);
    facts.sources.push(`BTF ${btfFile}: ${facts.btf.types.length - 1} types`);
  } else {
    facts.sources.push(`${btfFile}: absent (offsets from the version table)`);
  }
  return facts;
}

/** Facts for a kernel that is not running here: `--kernel RELEASE` and/or `--btf FILE`. */
export function offlineFacts(release: string | undefined, btfFile: string | undefined): KernelFacts {
  const btf = btfFile ? loadBtf(btfFile) : undefined;
  let facts: KernelFacts;
  if (release) facts = { release, version: versionOf(release), sources: [`release ${release} (--kernel)`] };
  else if (btf) {
    const inferred = versionFromBtf(btf);
    facts = { version: inferred.version, sources: [`version >= ${inferred.version.join('.')} inferred from BTF (${inferred.why}); give --kernel for module callbacks`] };
  } else throw new Error('give --kernel RELEASE or --btf FILE');
  if (btf) {
    facts.btf = btf;
    facts.sources.push(`BTF ${btfFile}: ${btf.types.length - 1} types`);
  }
  return facts;
}

/**
 * BTF holds no release string; its types still date it. The latest of these markers present is
 * a lower bound of the version (upstream x86-64), enough to choose tracepoints and layouts.
 */
export function versionFromBtf(btf: Btf): { version: Version; why: string } {
  const range = structMembers(btf, 'mmu_notifier_range');
  const endParams = funcParams(btf, '__mmu_notifier_invalidate_range_end');
  const markers: [Version, string, boolean][] = [
    [[5, 0], 'struct mmu_notifier_range', range !== undefined],
    [[5, 2], 'mmu_notifier_range.flags', range?.some((m) => m.name === 'flags') === true],
    [[5, 5], 'trace_event_raw_rss_stat', findType(btf, 'STRUCT', 'trace_event_raw_rss_stat') !== undefined],
    [[5, 6], 'struct mmu_notifier_subscriptions', findType(btf, 'STRUCT', 'mmu_notifier_subscriptions') !== undefined],
    [[6, 1], 'trace_event_raw_exit_mmap', findType(btf, 'STRUCT', 'trace_event_raw_exit_mmap') !== undefined],
    [[6, 3], 'mmu_notifier_range without vma', range !== undefined && !range.some((m) => m.name === 'vma')],
    [[6, 6], '__mmu_notifier_invalidate_range_end without only_end', endParams !== undefined && endParams.length === 1],
  ];
  let best: [Version, string] = [[4, 0], 'no marker'];
  for (const [v, why, ok] of markers) if (ok && (v[0] > best[0][0] || (v[0] === best[0][0] && v[1] > best[0][1]))) best = [v, why];
  return { version: best[0], why: best[1] };
}
