// The whole replay of one capture:
//
//   inputs ─ parse ─ normalize ─┐                          (src/ingest)
//                               ├─ one time-ordered stream (src/timeline/load.ts)
//   kernel log ─ join, dedupe ──┘
//   stream ─ step() per event ─ finish() ─ state           (src/replay/step.ts, finish.ts)
//   state ─ detectors ─ findings; state ─ victim summaries (src/replay/detectors, victim-summary.ts)
//
// The kernel profile is resolved from the release the inputs print, stable
// backports, and what a first replay observed; the replay then runs under it.
import type { StreamMeta } from '../types/event.ts';
import type { FormatName } from '../types/event.ts';
import type { Finding } from '../findings/finding.ts';
import { loadCapture, type LoadedCapture } from '../timeline/load.ts';
import type { Capabilities } from './capabilities.ts';
import { parseVersion, resolveProfile, upstreamFrom, type KernelVersion, type ResolvedProfile } from './kernel.ts';
import { observeCapabilities } from './observe.ts';
import { initialState, type ModelState } from './state.ts';
import { step, type StepContext } from './step.ts';
import { settleLog } from './steps/log-victims.ts';
import { finish } from './finish.ts';
import { runDetectors } from './detectors/index.ts';
import type { Coverage } from './coverage.ts';
import { summarize, type VictimSummary } from './victim-summary.ts';

export interface AnalyzeOptions {
  /** `--kernel V`: the kernel that recorded the trace, if the inputs do not say or say wrong. */
  kernel?: string;
  /** `--as-kernel V`: replay the observed sequence as that kernel family would have run it. */
  asKernel?: string;
  capabilities?: Partial<Capabilities>;
  format?: FormatName;
}

export interface Analysis {
  kernel: { release?: string; upstream?: string };
  profile: ResolvedProfile;
  victims: VictimSummary[];
  findings: Finding[];
  inputs: StreamMeta[];
  capture: LoadedCapture;
  state: ModelState;
  coverage: Coverage;
}

export function detectKernel(c: LoadedCapture): { release?: string; version?: KernelVersion; implied?: string } {
  const release = c.inputs.map((m) => m.kernelRelease).find((r) => r !== undefined);
  const implied = release === undefined ? c.inputs.map((m) => m.kernelFamily).find((r) => r !== undefined) : undefined;
  for (const e of [...c.events, ...c.untimed]) {
    if (e.fields?.kind !== 'kernel_version') continue;
    const up = upstreamFrom(e.text);
    if (up) return { release, version: up };
  }
  return { release, version: release ? parseVersion(release) : undefined, implied };
}

export function replay(c: LoadedCapture, caps: Capabilities): ModelState {
  const ctx: StepContext = {
    markVictimTraced: c.present.has('oom:mark_victim'),
    isKprobe: (name) => c.ctx.names.kprobe(name) !== undefined,
  };
  const s = initialState(caps);
  for (const ev of c.events) step(s, ev, ctx);
  for (const ev of c.untimed) step(s, ev, ctx);
  settleLog(s, ctx.markVictimTraced);
  return finish(s);
}

function coverageOf(c: LoadedCapture): Coverage {
  const firstTsByCpu = new Map<number, bigint>();
  for (const e of c.events) if (e.cpu >= 0 && !firstTsByCpu.has(e.cpu)) firstTsByCpu.set(e.cpu, e.ts);
  const traced = c.events.filter((e) => e.cpu >= 0);
  return { losses: c.losses, firstTsByCpu, firstTs: traced[0]?.ts, lastTs: traced[traced.length - 1]?.ts, present: c.present };
}

export function analyzeLoaded(c: LoadedCapture, opts: AnalyzeOptions = {}): Analysis {
  const detected = detectKernel(c);
  const base = resolveProfile({ version: opts.kernel, detected: detected.version, impliedFamily: detected.implied });
  const observed = observeCapabilities(replay(c, base.caps));
  const profile = resolveProfile({ version: opts.asKernel ?? opts.kernel, detected: detected.version, impliedFamily: detected.implied, observed: opts.asKernel ? undefined : observed, overrides: opts.capabilities });
  if (opts.kernel && !opts.asKernel) {
    // An explicit --kernel still learns from the trace: it only replaces the version.
    Object.assign(profile.caps, observed.caps, opts.capabilities ?? {});
    profile.reasons.push(...observed.reasons.map((r) => `observed: ${r}`));
  }
  const state = replay(c, profile.caps);
  const coverage = coverageOf(c);
  const findings = runDetectors({ state, coverage });
  return {
    kernel: { release: detected.release, upstream: detected.version?.sublevel !== undefined ? `${detected.version.major}.${detected.version.minor}.${detected.version.sublevel}` : undefined },
    profile,
    victims: state.victims.map((v) => summarize(state, v)),
    findings,
    inputs: c.inputs,
    capture: c,
    state,
    coverage,
  };
}

export async function analyze(files: readonly string[], opts: AnalyzeOptions = {}): Promise<Analysis> {
  return analyzeLoaded(await loadCapture(files, opts.format), opts);
}
