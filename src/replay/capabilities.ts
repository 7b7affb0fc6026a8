// What a kernel does, as a set of capabilities (docs/model.md#capabilities). A version
// family only supplies defaults; backports, trace evidence and the user refine them.
//
// The closed table CAPABILITIES is the one place a capability is described: its
// default, the section of docs/model.md that explains it, the words `compare` prints
// when two profiles differ in it, the metrics the model then expects to move, and what
// the counterfactual replay (`replay --as-kernel`) does with it. Its type is mapped
// over `Capabilities`, so a new field fails tsc until all of that is written.
import { ReaplayError } from '../types/errors.ts';
import type { ModelAnchor } from '../types/model-doc.ts';
import { formatDuration } from '../types/time.ts';
import type { Finding } from '../findings/finding.ts';

export type NotifierPolicy = 'IGNORE' | 'SKIP_ANY' | 'SKIP_BLOCKABLE' | 'NONBLOCK';
export type ExitSkip = 'AFTER_TEARDOWN' | 'AFTER_UNMAP_ALL' | 'AFTER_UNMAP_VICTIM' | 'SELF_REAP_THEN_SKIP';

export interface Capabilities {
  /** mark_victim, wake_reaper, start/finish/skip_task_reaping exist (4.13+). */
  reaperTracepoints: boolean;
  /** What the reaper does with an mm that has mmu notifiers. */
  reaperNotifierPolicy: NotifierPolicy;
  /** Delay between queueing a victim and waking the reaper (2 s from 5.18 and LTS backports). */
  reaperDelayMs: number;
  /** A failed non-blocking start calls every hlist notifier's end inside the start (c2655835). */
  hlistEndOnFailure: boolean;
  /** Interval-tree notifiers run first; a failure there ends the itree part itself (5.5+). */
  itree: boolean;
  /** When exit sets MMF_OOM_SKIP (docs/model.md#state-victim). */
  exitMmapSetsSkip: ExitSkip;
  /** exit_mmap of a victim runs the reap routine itself (4.17-6.0). */
  exitMmapSelfReap: boolean;
  /** finish_task_reaping is emitted after a failed attempt too (4.19+). */
  finishOnFailure: boolean;
  /** "unable to reap" is not printed if MMF_OOM_SKIP got set meanwhile (4.17+). */
  unableToReapSuppressedOnSkip: boolean;
  /** mark_victim prints comm, RSS, uid and oom_score_adj (6.9 and 2025 stable backports). */
  markVictimExtended: boolean;
  /** The kmem:rss_stat tracepoint exists. */
  rssStat: boolean;
  /** The mmap:exit_mmap tracepoint exists (6.1+). */
  exitMmapTracepoint: boolean;
  /** process_mrelease(2) exists (5.15+). */
  processMrelease: boolean;
  /** The reaper's attempts before it gives up. */
  maxReapRetries: number;
  /** The reaper's sleep between attempts. */
  retrySleepMs: number;
}

export type CapabilityName = keyof Capabilities;

/**
 * What the counterfactual replay does with a difference in a capability:
 * - `resimulated`: the recorded events are rewritten, event by event, into those the
 *   other kernel would have produced (src/replay/counterfactual.ts), then replayed;
 * - `judged`: the same events are settled and judged under the other value;
 * - `printed`: only what the kernel prints differs; the recorded events are kept;
 * - `described`: the model does not simulate it; the difference is only stated.
 */
export type ReplayHandling = 'resimulated' | 'judged' | 'printed' | 'described';

/** One change the re-simulation made to the recorded events, for one victim. */
export interface ResimChange {
  capability: CapabilityName;
  pid: number;
  text: string;
}

/** What the notes read of a victim of a replay (a VictimState of state.ts is one). */
export interface VictimView {
  pid: number;
  outcome: string;
  mark: { ts: bigint };
  wake?: { ts: bigint };
  oomSkip?: { ts: bigint; cause: string };
  release?: { ts: bigint; how: string };
}

/** One replay, as the counterfactual notes read it. */
export interface ReplayView {
  victims: readonly VictimView[];
  findings: readonly Finding[];
}

export interface CounterfactualDiff<V> {
  /** The recorded value and the value of the family replayed as. */
  a: V;
  b: V;
  /** Label of the family replayed as. */
  label: string;
  actual: ReplayView;
  as: ReplayView;
  /** What the re-simulation changed for this capability. */
  changes: readonly ResimChange[];
}

export interface CapabilityDescriptor<V> {
  default: V;
  /** Values `--capability NAME=VALUE` accepts, for an enumerated capability. */
  values?: readonly V[];
  /** The section of docs/model.md that explains it. */
  doc: ModelAnchor;
  /** The difference in words, as `compare` prints it: A/B the group labels, a/b their values. */
  differs: (A: string, B: string, a: V, b: V) => string;
  /** Metrics the model expects to move when the groups differ, and which way (+1: up on B). */
  predicts?: (a: V, b: V) => { metric: string; sign: number }[];
  counterfactual: {
    how: ReplayHandling;
    /** What the replay does with the difference, in words (printed when `notes` has nothing to say). */
    does: string;
    /** What differs for this trace's victims. */
    notes?: (d: CounterfactualDiff<V>) => string[];
  };
}

/** For booleans: the side that has it first. */
const has = (A: string, B: string, a: boolean, yes: string, no: string): string => (a ? `${A} ${yes}; ${B} ${no}` : `${B} ${yes}; ${A} ${no}`);

const SKIP_WORDS: Record<ExitSkip, string> = {
  AFTER_TEARDOWN: 'only after the whole teardown',
  AFTER_UNMAP_ALL: 'in every exit_mmap, after unmapping all VMAs and before freeing the page tables',
  AFTER_UNMAP_VICTIM: 'for a victim, after unmapping its VMAs',
  SELF_REAP_THEN_SKIP: "after the victim's own reap in exit_mmap, before unmapping",
};

const POLICY_WORDS: Record<NotifierPolicy, string> = {
  IGNORE: 'the reaper unmaps without calling the mmu notifiers',
  SKIP_ANY: 'the reaper skips an mm with any mmu notifier (it sleeps 1 s and gives up without a tracepoint)',
  SKIP_BLOCKABLE: 'the reaper skips an mm with a blockable notifier and reaps the others with blocking start/end',
  NONBLOCK: 'the reaper calls the notifiers non-blocking per VMA and retries failed VMAs',
};

/** A victim's outcome in the re-simulated replay, in words. */
function outcomeWords(v: VictimView | undefined): string {
  if (!v) return 'no such victim';
  const parts = [`outcome ${v.outcome.replace('_', ' ')}`];
  const from = v.wake ?? v.mark;
  if (v.oomSkip) parts.push(`MMF_OOM_SKIP (${v.oomSkip.cause}) ${formatDuration(v.oomSkip.ts - from.ts)} after the ${v.wake ? 'wake' : 'selection'}`);
  if (v.oomSkip && v.release && v.release.ts > v.oomSkip.ts) {
    parts.push(`${v.outcome === 'gave_up' ? 'its memory still there until' : 'the mm released'} ${formatDuration(v.release.ts - v.oomSkip.ts)} later (${v.release.how})`);
  }
  return parts.join(', ');
}

const asRecorded = (d: CounterfactualDiff<unknown>): string[] => d.changes.map((c) => c.text);

const ruleCount = (fs: readonly Finding[], rule: string) => fs.filter((f) => f.rule === rule);

// The table, in the order differences are listed (the ones that change behaviour most first).
export const CAPABILITIES: { readonly [K in CapabilityName]: CapabilityDescriptor<Capabilities[K]> } = {
  reaperDelayMs: {
    default: 0,
    doc: 'capabilities',
    differs: (A, B, a, b) => {
      const d = (ms: number) => (ms ? `${ms / 1000} s after the kill` : 'right after the kill');
      return `${A} wakes the oom_reaper ${d(a)}, ${B} ${d(b)}: selection → wake and → first attempt should come about ${Math.abs(b - a) / 1000} s ${b > a ? 'later' : 'earlier'} on ${B}, and ${b > a ? 'more' : 'fewer'} victims exit before the reaper runs`;
    },
    predicts: (a, b) => [{ metric: 'wake', sign: Math.sign(b - a) }, { metric: 'firstAttempt', sign: Math.sign(b - a) }],
    counterfactual: {
      how: 'resimulated',
      does: "each wake_reaper is moved to the selection plus the other family's delay; the attempts stay where they were",
      notes: (d) => [
        ...asRecorded(d),
        ...(d.b
          ? []
          : d.actual.victims
              .filter((v) => !v.wake && v.outcome === 'not_run' && v.release)
              .map((v) => `victim ${v.pid}: exited ${formatDuration(v.release!.ts - v.mark.ts)} after the kill with no reaper attempt; without the delay the reaper would have run at once`)),
      ],
    },
  },
  hlistEndOnFailure: {
    default: false,
    doc: 'rules-unpaired',
    differs: (A, B, a) =>
      has(A, B, a, 'ends every hlist notifier inside a failed non-blocking invalidate_range_start (the pairing fix c2655835)', 'does not: a notifier with invalidate_range_end (KVM) whose start succeeded inside a failed call is never ended there'),
    predicts: (a) => [{ metric: 'leak:*', sign: a ? 1 : -1 }],
    counterfactual: {
      how: 'judged',
      does: 'the same notifier calls are judged by the other pairing rule (UPI-HLIST-LEAK without the fix, UPI-HLIST-PAIRED with it)',
      notes: (d) =>
        d.a && !d.b
          ? ruleCount(d.as.findings, 'UPI-HLIST-LEAK').map((f) => `${f.notifier}: ${f.count} invalidate_range_start(s) that succeeded inside failed non-blocking calls would never get their invalidate_range_end on ${d.label} (this trace shows each ended inside the failed start, by the pairing fix); victim ${f.victim?.pid}`)
          : !d.a && d.b
            ? ruleCount(d.actual.findings, 'UPI-HLIST-LEAK').map((f) => `${f.notifier}: the ${f.count} start(s) left unpaired here would be ended inside the failed start on ${d.label}`)
            : [],
    },
  },
  markVictimExtended: {
    default: false,
    doc: 'capabilities',
    differs: (A, B, a) => has(A, B, a, 'prints the extended oom:mark_victim (comm, RSS, uid, oom_score_adj)', 'prints only the pid: a trace format difference, not a change of behaviour'),
    counterfactual: { how: 'printed', does: 'a format: the recorded mark_victim lines are kept' },
  },
  exitMmapSelfReap: {
    default: true,
    doc: 'capabilities',
    differs: (A, B, a) => has(A, B, a, "self-reaps a victim's mm in exit_mmap (the reap routine runs in the exiting victim, with non-blocking invalidates of its own)", 'does not'),
    counterfactual: { how: 'described', does: "not simulated: the victims' own exits are replayed as recorded" },
  },
  exitMmapSetsSkip: {
    default: 'SELF_REAP_THEN_SKIP',
    values: ['AFTER_TEARDOWN', 'AFTER_UNMAP_ALL', 'AFTER_UNMAP_VICTIM', 'SELF_REAP_THEN_SKIP'],
    doc: 'state-victim',
    differs: (A, B, a, b) => `${A} sets MMF_OOM_SKIP on exit ${SKIP_WORDS[a]}; ${B} ${SKIP_WORDS[b]}`,
    counterfactual: { how: 'described', does: 'not simulated: MMF_OOM_SKIP on exit is taken at the release either way' },
  },
  rssStat: {
    default: false,
    doc: 'mm',
    differs: (A, B, a) => has(A, B, a, 'emits kmem:rss_stat', 'does not: there the memory going is seen only from exit events or probes'),
    counterfactual: { how: 'printed', does: 'a tracepoint: the recorded rss_stat samples are kept' },
  },
  exitMmapTracepoint: {
    default: false,
    doc: 'state-victim',
    differs: (A, B, a) => has(A, B, a, 'has the mmap:exit_mmap tracepoint', "does not: there an mm's end is seen from probes, rss_stat or its tasks' exit"),
    counterfactual: { how: 'printed', does: 'a tracepoint: the recorded exit_mmap events are kept' },
  },
  reaperNotifierPolicy: {
    default: 'NONBLOCK',
    values: ['IGNORE', 'SKIP_ANY', 'SKIP_BLOCKABLE', 'NONBLOCK'],
    doc: 'counterfactual',
    differs: (A, B, a, b) => `${A}: ${POLICY_WORDS[a]}; ${B}: ${POLICY_WORDS[b]}`,
    counterfactual: {
      how: 'resimulated',
      does: 'from a trace of the non-blocking reaper: for a victim whose mm shows notifiers, SKIP_ANY and SKIP_BLOCKABLE drop every reaper event of its attempts (the give-up 1 s after the wake follows from the silence); IGNORE drops the notifier calls and every attempt after the first',
      notes: (d) =>
        [...new Set(d.changes.map((c) => c.pid))].map((pid) => {
          const said = d.changes.filter((c) => c.pid === pid).map((c) => c.text.replace(`victim ${pid}: `, ''));
          return `victim ${pid}: ${said.join('; ')}; replayed as ${d.label}: ${outcomeWords(d.as.victims.find((v) => v.pid === pid))}`;
        }),
    },
  },
  processMrelease: {
    default: false,
    doc: 'capabilities',
    differs: (A, B, a) => has(A, B, a, "has process_mrelease(2) (user space can free a killed process's memory itself)", 'does not'),
    counterfactual: { how: 'described', does: 'not simulated: a process_mrelease call is not traced' },
  },
  itree: {
    default: false,
    doc: 'rules-unpaired',
    differs: (A, B, a) => has(A, B, a, 'runs interval-tree notifiers first (a failing one ends the itree part itself)', 'has hlist notifiers only'),
    counterfactual: { how: 'described', does: 'not simulated: the recorded notifier calls keep their order' },
  },
  finishOnFailure: {
    default: true,
    doc: 'state-victim',
    differs: (A, B, a) => has(A, B, a, 'emits finish_task_reaping after a failed attempt too', 'only after a successful one'),
    counterfactual: { how: 'judged', does: "an attempt's finish_task_reaping is read as the other family emits it (after a failure too, or only on success)" },
  },
  unableToReapSuppressedOnSkip: {
    default: true,
    doc: 'state-victim',
    differs: (A, B, a) => has(A, B, a, 'does not print "unable to reap" once MMF_OOM_SKIP got set meanwhile', 'prints it anyway'),
    counterfactual: { how: 'printed', does: 'a log line: the recorded "unable to reap" lines are kept' },
  },
  reaperTracepoints: {
    default: true,
    doc: 'state-victim',
    differs: (A, B, a) => has(A, B, a, 'has the oom reaper tracepoints (mark_victim, wake_reaper, start/finish/skip_task_reaping)', 'does not'),
    counterfactual: { how: 'printed', does: 'tracepoints: the recorded oom events are kept (the other family would show only its log lines)' },
  },
  maxReapRetries: {
    default: 10,
    doc: 'state-victim',
    differs: (A, B, a, b) => `${A} tries to reap ${a} times before giving up, ${B} ${b} times`,
    predicts: (a, b) => [{ metric: 'attempts', sign: Math.sign(b - a) }],
    counterfactual: { how: 'resimulated', does: "attempts past the other family's last are dropped (fewer retries); more retries than recorded cannot be invented", notes: asRecorded },
  },
  retrySleepMs: {
    default: 100,
    doc: 'state-victim',
    differs: (A, B, a, b) => `${A} sleeps ${a} ms between reap attempts, ${B} ${b} ms`,
    counterfactual: { how: 'described', does: 'not simulated: the recorded attempts keep their times' },
  },
};

/** The capabilities in the table's order. */
export const CAPABILITY_NAMES = Object.keys(CAPABILITIES) as CapabilityName[];

/** The defaults every family starts from. */
export const BASE: Capabilities = Object.fromEntries(CAPABILITY_NAMES.map((k) => [k, CAPABILITIES[k].default])) as unknown as Capabilities;

/** Parse `NAME=VALUE` (from --capability) into a typed override; throws with a clear message. */
export function parseCapability(spec: string): Partial<Capabilities> {
  const eq = spec.indexOf('=');
  if (eq < 0) throw new ReaplayError('bad_capability', `--capability ${spec}: expected NAME=VALUE`);
  const name = spec.slice(0, eq) as CapabilityName;
  const raw = spec.slice(eq + 1);
  if (!Object.hasOwn(CAPABILITIES, name)) throw new ReaplayError('bad_capability', `--capability ${spec}: unknown capability; one of ${CAPABILITY_NAMES.join(', ')}`);
  const d = CAPABILITIES[name] as CapabilityDescriptor<unknown>;
  const kind = typeof d.default;
  if (kind === 'boolean') {
    if (raw !== 'true' && raw !== 'false') throw new ReaplayError('bad_capability', `--capability ${spec}: expected true or false`);
    return { [name]: raw === 'true' };
  }
  if (kind === 'number') {
    if (!/^\d+$/.test(raw)) throw new ReaplayError('bad_capability', `--capability ${spec}: expected a whole number`);
    return { [name]: Number(raw) };
  }
  if (d.values && !d.values.includes(raw)) throw new ReaplayError('bad_capability', `--capability ${spec}: expected one of ${d.values.join(', ')}`);
  return { [name]: raw } as Partial<Capabilities>;
}
