// The whole analysis of one capture, phase by phase; each phase is a function of the
// previous phase's output:
//
//   files ──ingest──▶ events per input (parse + decode, filtered to the declared needs)
//         ──normalize/timeline──▶ one time-ordered stream: k-way merge of the inputs,
//                                 kernel log joined and deduplicated; coverage per event name
//         ──step (per event)──▶ model state, independent of the kernel's capabilities
//         ──profile──▶ capabilities: release + backports + what the stepped state shows
//                      (2 s delay, end-on-failure pairing, long mark_victim) + overrides
//         ──settle──▶ state judged under the profile (finish: outcomes, MMF_OOM_SKIP, release)
//         ──detect──▶ findings (declared needs checked against delivered events first)
//         ──facts──▶ per victim the numbers every presenter prints (src/facts)
//
// The replay runs once: `step` never reads the capabilities, so what the trace shows of
// the kernel is observed from the stepped state and the profile is resolved before the
// state is settled under it. A live or streaming caller drives the same functions:
// `startReplay` once, `stepEvent` per event as it arrives, then `resolve` + `settle` +
// detectors + facts at a settle point (`judge`). `settle` (finish) judges the state in
// place: a live caller judging a replay that goes on puts back what it decided
// (src/watch/model-adapter.ts); settling per victim while stepping goes on is the next
// step (finish per victim, on a victim whose outcome no later event can change).
//
// `analyze` streams: each event is stepped as the trace is read (StreamingReplay over
// `readCapture`'s sink), and what the later phases read of the timeline is gathered on
// the way (src/replay/retention.ts), so memory holds what the state cites, not the trace.
// `analyzeLoaded` replays a kept timeline (`loadCapture`) through the same phases.
import type { FormatName, TraceEvent } from './types/event.ts';
import type { Finding } from './findings/finding.ts';
import { loadCapture, readCapture, type LoadedCapture } from './timeline/load.ts';
import { Retention } from './replay/retention.ts';
import type { Capabilities } from './replay/capabilities.ts';
import { parseVersion, resolveProfile, upstreamFrom, type KernelVersion, type ResolvedProfile } from './replay/kernel.ts';
import { observeCapabilities } from './replay/observe.ts';
import { initialState, type ModelState } from './replay/state.ts';
import { step, type StepContext } from './replay/step.ts';
import { kprobeRoles } from './replay/kprobe-roles.ts';
import { replayedTimeline } from './replay/replayed.ts';
import { finish } from './replay/finish.ts';
import { settleLog } from './replay/steps/log-victims.ts';
import { detectorNeeds, runDetectors } from './replay/detectors/index.ts';
import { ingestFilter } from './replay/needs.ts';
import type { Coverage } from './replay/coverage.ts';
import { computeFacts } from './facts/index.ts';
import type { Facts, VictimFacts } from './facts/types.ts';
import { BASE, type ResimChange } from './replay/capabilities.ts';
import { Resimulation } from './replay/counterfactual.ts';
import { oneCapture, splitCaptures, type CaptureUnit } from './timeline/units.ts';
import { unreadableLosses } from './timeline/unreadable.ts';
import { ReaplayError } from './types/errors.ts';

export interface AnalyzeOptions {
  /** `--kernel V`: the kernel that recorded the trace, if the inputs do not say or say wrong. */
  kernel?: string;
  /** `--as-kernel V`: replay the observed sequence as that kernel family would have run it. */
  asKernel?: string;
  capabilities?: Partial<Capabilities>;
  format?: FormatName;
  /** Keep every model event (`capture.events`) instead of stepping them as they are read. */
  keepEvents?: boolean;
}

export interface Analysis {
  kernel: { release?: string; upstream?: string };
  profile: ResolvedProfile;
  /** Per victim the facts every presenter prints (same as `facts.victims`). */
  victims: VictimFacts[];
  findings: Finding[];
  facts: Facts;
  inputs: LoadedCapture['inputs'];
  /** The timeline and the model's state: internal to the phases; presenters read `facts`. */
  capture: LoadedCapture;
  state: ModelState;
  coverage: Coverage;
  /** When the inputs hold several captures: which one this is (src/timeline/units.ts). */
  unit?: CaptureUnit;
  /** `asKernel`: what the re-simulation changed in the recorded events (src/replay/counterfactual.ts). */
  resimulated?: ResimChange[];
}

// ── ingest + timeline ──────────────────────────────────────────────────────────────
export function ingest(files: readonly string[], format?: FormatName): Promise<LoadedCapture> {
  return loadCapture(files, format, ingestFilter(detectorNeeds()));
}

/** What the phases after the replay read of a kept timeline (a streamed one gathers it as it goes). */
export function retain(c: LoadedCapture): Retention {
  const k = new Retention();
  for (const e of c.events) k.add(e);
  for (const e of c.untimed) k.addUntimed(e);
  return k;
}

export function detectKernel(c: LoadedCapture, k: Retention = retain(c)): { release?: string; version?: KernelVersion; implied?: string } {
  const release = c.inputs.map((m) => m.kernelRelease).find((r) => r !== undefined);
  // No release printed: the family the line formats imply (said so in the profile's reasons).
  const implied = release === undefined ? c.inputs.map((m) => m.kernelFamily).find((r) => r !== undefined) : undefined;
  for (const e of k.versionLines) {
    const up = upstreamFrom(e.text);
    if (up) return { release, version: up };
  }
  return { release, version: release ? parseVersion(release) : undefined, implied };
}

export function coverageOf(c: LoadedCapture, k: Retention = retain(c)): Coverage {
  return { losses: c.losses, firstTsByCpu: k.firstTsByCpu, firstTs: k.firstTs, lastTs: k.lastTs, present: c.present, delivered: c.delivered };
}

// ── replay: step per event, then settle per profile ────────────────────────────────
export interface Replay {
  state: ModelState;
  ctx: StepContext;
}

// Kill lines stand for selections unless mark_victim events the model can read were delivered.
function markVictimTraced(c: Pick<LoadedCapture, 'delivered'>): boolean {
  const mark = c.delivered.get('oom:mark_victim');
  return mark !== undefined && mark.delivered > mark.undecodable;
}

function newReplay(c: Pick<LoadedCapture, 'ctx'>, markTraced: boolean): Replay {
  return { state: initialState({ ...BASE }), ctx: { markVictimTraced: markTraced, roleOf: kprobeRoles((name) => c.ctx.names.kprobe(name) !== undefined) } };
}

/** A replay before any event: the capabilities are filled in when it settles. */
export function startReplay(c: Pick<LoadedCapture, 'delivered' | 'ctx'>): Replay {
  return newReplay(c, markVictimTraced(c));
}

export const stepEvent = (r: Replay, ev: TraceEvent): void => void step(r.state, ev, r.ctx);

export function stepAll(r: Replay, c: LoadedCapture): Replay {
  for (const ev of c.events) step(r.state, ev, r.ctx);
  for (const ev of c.untimed) step(r.state, ev, r.ctx);
  return r;
}

/** The profile: the release, backports, what the stepped state shows, and the overrides. */
export function resolve(c: LoadedCapture, r: Replay, opts: AnalyzeOptions, k?: Retention): ResolvedProfile {
  const detected = detectKernel(c, k);
  const observed = observeCapabilities(r.state);
  const profile = resolveProfile({ version: opts.asKernel ?? opts.kernel, detected: detected.version, impliedFamily: detected.implied, observed: opts.asKernel ? undefined : observed, overrides: opts.capabilities });
  if (opts.kernel && !opts.asKernel) {
    // An explicit --kernel still learns from the trace: it only replaces the version.
    Object.assign(profile.caps, observed.caps, opts.capabilities ?? {});
    profile.reasons.push(...observed.reasons.map((r) => `observed: ${r}`));
  }
  return profile;
}

/** Judge the stepped state under `caps` (what only the end of the trace decides). */
export function settle(r: Replay, caps: Capabilities): ModelState {
  r.state.caps = caps;
  settleLog(r.state, r.ctx.markVictimTraced);
  return finish(r.state);
}

/** Step a capture's events and settle them under `caps`, in one go (counterfactuals). */
export function replay(c: LoadedCapture, caps: Capabilities): ModelState {
  return settle(stepAll(startReplay(c), c), caps);
}

// ── streaming: step each event as it is read ───────────────────────────────────────
/**
 * The replay of a capture being read. Whether mark_victim was traced (which decides
 * how kill lines step) is known only at the end, so until a readable mark_victim has
 * been delivered the events step through two replays, one for each answer, and the
 * one that matches is kept. Events nothing cites are not kept (src/replay/retention.ts).
 */
export class StreamingReplay {
  private replays: Replay[] = [];
  private c!: Pick<LoadedCapture, 'ctx' | 'delivered'>;
  readonly retained = new Retention();

  /** The sink for `readCapture`. */
  readonly sink = (c: Pick<LoadedCapture, 'ctx' | 'delivered'>): ((ev: TraceEvent) => void) => {
    this.c = c;
    this.replays = [newReplay(c, true), newReplay(c, false)];
    return (ev) => this.step(ev);
  };

  step(ev: TraceEvent): void {
    if (this.replays.length > 1 && markVictimTraced(this.c)) this.replays.length = 1;
    for (const r of this.replays) step(r.state, ev, r.ctx);
    this.retained.add(ev);
  }

  /** After the read: the untimed log lines, then the replay that matches the capture. */
  finish(c: LoadedCapture): Replay {
    for (const ev of c.untimed) {
      for (const r of this.replays) step(r.state, ev, r.ctx);
      this.retained.addUntimed(ev);
    }
    const traced = markVictimTraced(c);
    const r = this.replays.find((x) => x.ctx.markVictimTraced === traced)!;
    this.replays = [r];
    return r;
  }
}

// ── the whole pipeline ─────────────────────────────────────────────────────────────
export function analyzeLoaded(c: LoadedCapture, opts: AnalyzeOptions = {}): Analysis {
  if (opts.asKernel !== undefined) return analyzeAs(c, opts);
  const r = stepAll(startReplay(c), c);
  const k = retain(c);
  return judge(c, r, resolve(c, r, opts, k), k);
}

/**
 * `asKernel`: the recorded events re-simulated, one at a time, as that family would have
 * produced them (src/replay/counterfactual.ts), then stepped and judged under its profile.
 * The recorded replay comes first: what the trace shows of the recording kernel (its
 * reaper delay) is what the re-simulation rewrites.
 */
function analyzeAs(c: LoadedCapture, opts: AnalyzeOptions): Analysis {
  const recorded = stepAll(startReplay(c), c);
  const actual = resolve(c, recorded, { ...opts, asKernel: undefined });
  const profile = resolve(c, recorded, opts);
  const r = startReplay(c);
  const sim = new Resimulation(actual.caps, profile.caps, (ev) => stepEvent(r, ev), r.ctx.roleOf);
  for (const ev of c.events) sim.push(ev);
  for (const ev of c.untimed) sim.push(ev);
  sim.end();
  return { ...judge(c, r, profile, retain(c)), resimulated: sim.changes };
}

/**
 * Settle, detectors and facts over a stepped replay; `k`: what they read of its timeline.
 * `settleWith`: how the state is settled (a live caller judges a replay that goes on).
 */
export function judge(c: LoadedCapture, r: Replay, profile: ResolvedProfile, k: Retention, settleWith: (r: Replay, caps: Capabilities) => ModelState = settle): Analysis {
  const state = settleWith(r, profile.caps);
  const coverage = coverageOf(c, k);
  const findings = runDetectors({ timeline: replayedTimeline(state), coverage, profile });
  const facts = computeFacts({ state, retained: k, findings, inputs: c.inputs, present: c.present, delivered: c.delivered, kprobes: c.kprobes, diag: c.ctx.diag });
  const detected = detectKernel(c, k);
  const v = detected.version;
  return {
    kernel: { release: detected.release, upstream: v?.sublevel !== undefined ? `${v.major}.${v.minor}.${v.sublevel}` : undefined },
    profile,
    victims: facts.victims,
    findings,
    facts,
    inputs: c.inputs,
    capture: c,
    state,
    coverage,
  };
}

/** One Analysis per capture the inputs hold (a verdict never mixes two captures). */
export async function analyzeCaptures(files: readonly string[], opts: AnalyzeOptions = {}): Promise<Analysis[]> {
  // `asKernel` re-simulates the recorded events: it reads the whole timeline.
  if (!opts.keepEvents && opts.asKernel === undefined) {
    const one = await analyzeStreamed(files, opts);
    if (one) return [one];
  }
  return splitCaptures(await ingest(files, opts.format)).map(({ capture, unit }) => ({ ...analyzeLoaded(capture, opts), ...(unit ? { unit } : {}) }));
}

/**
 * The inputs stepped as they are read, when they turn out to be one capture; undefined
 * when they hold several (then read again whole and cut: a file can be read twice).
 */
async function analyzeStreamed(files: readonly string[], opts: AnalyzeOptions): Promise<Analysis | undefined> {
  const s = new StreamingReplay();
  const read = await readCapture(files, opts.format, ingestFilter(detectorNeeds()), s.sink);
  if (!read.streamed) {
    // Read whole after all (several traces, a wall-clock log): cut as usual.
    const parts = splitCaptures(read);
    if (parts.length > 1) return undefined;
    return analyzeLoaded(parts[0]!.capture, opts);
  }
  if (!isOneCapture(read, s.retained)) {
    if (files.includes('-')) throw new ReaplayError('mixed_captures', 'the standard input holds several captures (a second trace header, or a kernel log of another kernel or time): give them as files, which are read again and replayed each on its own');
    return undefined;
  }
  // Lines that did not parse are data loss where they stand (src/timeline/unreadable.ts).
  const c: LoadedCapture = { ...read, losses: [...read.losses, ...unreadableLosses(read, (d) => read.nextAfter?.get(d))] };
  const r = s.finish(c);
  return judge(c, r, resolve(c, r, opts, s.retained), s.retained);
}

/** Whether streamed inputs are one capture: the same cut as `splitCaptures`, on the inputs' spans and the version lines. */
function isOneCapture(c: LoadedCapture, k: Retention): boolean {
  if (c.ctx.diag.count('second_header') > 0) return false;
  // With one trace per file, a piece's span is its input's (StreamMeta firstTs/lastTs) and its
  // kernel the first version line: the version lines stand in for the events.
  const skeleton: LoadedCapture = { ...c, events: k.versionLines.filter((e) => e.ts >= 0n), untimed: k.versionLines.filter((e) => e.ts < 0n) };
  return splitCaptures(skeleton).length <= 1;
}

/** The analysis of inputs that hold one capture; several are refused, never merged. */
export async function analyze(files: readonly string[], opts: AnalyzeOptions = {}): Promise<Analysis> {
  return oneCapture(await analyzeCaptures(files, opts));
}
