// The counterfactual replay (docs/model.md#counterfactual): the recorded events
// rewritten, one at a time, into those another kernel family would have produced, then
// stepped and judged like any trace; and what differs, as a loop over the capability
// table (src/replay/capabilities.ts), where each capability says what is done with it.
//
// What is re-simulated (from a trace of a non-blocking reaper, 4.19+):
// - reaperNotifierPolicy SKIP_ANY / SKIP_BLOCKABLE (4.14-4.18): the reaper meets an mm
//   with notifiers, sleeps 1 s and gives up without a tracepoint. An attempt's events
//   are held until it ends; if the reaper called into the notifiers there (or the
//   victim's own tasks showed a notifier on its mm before), every reaper event of that
//   victim is dropped, and finish.ts infers the silent give-up 1 s after the wake.
// - IGNORE (<=4.13): the reaper unmaps without calling the notifiers: their calls in the
//   reaper are dropped, and so is every attempt after the first.
// - reaperDelayMs: wake_reaper moves to the selection plus the other family's delay.
// - maxReapRetries: attempts past the other family's last are dropped.
// Held events are released in their recorded order, so the stream stays ordered except
// for a moved wake_reaper (its own time is what the model reads from it).
import type { TraceEvent } from '../types/event.ts';
import { formatDuration } from '../types/time.ts';
import { formatSourceRef } from '../types/source-ref.ts';
import type { Finding } from '../findings/finding.ts';
import { CAPABILITIES, CAPABILITY_NAMES, type Capabilities, type CapabilityDescriptor, type CapabilityName, type ReplayView, type ResimChange } from './capabilities.ts';
import type { RoleOf } from './kprobe-roles.ts';

/** At most this many events are held while an attempt is open (a trace cut inside one). */
const MAX_HELD = 200_000;

const pidOf = (ev: TraceEvent): number | undefined => (typeof ev.fields?.pid === 'number' ? ev.fields.pid : undefined);

const KVM_NOTIFIER = new Set(['kvm:kvm_unmap_hva_range', 'kvm:kvm_age_hva', 'kvm:kvm_test_age_hva', 'kvm:kvm_set_spte_hva', 'kvm:kvm_unmap_hva']);

export class Resimulation {
  readonly changes: ResimChange[] = [];
  private readonly policy: 'keep' | 'skip' | 'ignore';
  private readonly moveWake: boolean;
  private reaper?: number;
  /** Victim whose attempt the reaper is in, and whether its events are dropped. */
  private current?: { pid: number; dropped: boolean };
  private readonly marks = new Map<number, TraceEvent>();
  private readonly attempts = new Map<number, number>();
  /** Victims whose reap the other family skips, and the line that shows the notifier. */
  private readonly skipped = new Map<number, TraceEvent>();
  /** Victims whose notifier calls IGNORE dropped. */
  private readonly ignored = new Set<number>();
  /** Victims decided to be reaped (the other family reaps them as recorded, or once). */
  private readonly decided = new Set<number>();
  /** Tasks (pid and tgid) that showed a notifier on their mm: KVM lines, core invalidate calls. */
  private readonly notifierTasks = new Map<number, TraceEvent>();
  private held?: { pid: number; events: TraceEvent[]; notifier?: TraceEvent };

  constructor(
    recorded: Capabilities,
    private readonly target: Capabilities,
    private readonly emit: (ev: TraceEvent) => void,
    private readonly roleOf: RoleOf,
  ) {
    const rewrite = recorded.reaperNotifierPolicy === 'NONBLOCK' && target.reaperNotifierPolicy !== 'NONBLOCK';
    this.policy = !rewrite ? 'keep' : target.reaperNotifierPolicy === 'IGNORE' ? 'ignore' : 'skip';
    this.moveWake = recorded.reaperDelayMs !== target.reaperDelayMs;
  }

  push(ev: TraceEvent): void {
    this.learn(ev);
    if (!this.held) return this.pass(ev);
    this.held.events.push(ev);
    if (this.inReaper(ev) && this.callsNotifier(ev)) this.held.notifier ??= ev;
    const pid = pidOf(ev);
    const ends = (ev.name === 'oom:finish_task_reaping' && pid === this.held.pid) || ev.name === 'oom:start_task_reaping' || ev.name === 'oom:skip_task_reaping';
    if (ends || this.held.events.length >= MAX_HELD) this.release();
  }

  /** The trace is over: release what is held. */
  end(): void {
    if (this.held) this.release();
  }

  private learn(ev: TraceEvent): void {
    if (ev.name === 'oom:mark_victim') {
      const pid = pidOf(ev);
      if (pid !== undefined && !this.marks.has(pid)) this.marks.set(pid, ev);
    }
    if (ev.name === 'oom:start_task_reaping' || ev.name === 'oom:skip_task_reaping') this.reaper ??= ev.pid;
    // A notifier shown on a task's mm outside the reaper: KVM's tracepoints, a core invalidate call.
    if (ev.pid !== this.reaper && ev.pid > 0 && this.callsNotifier(ev)) {
      if (!this.notifierTasks.has(ev.pid)) this.notifierTasks.set(ev.pid, ev);
      if (ev.tgid !== undefined && ev.tgid > 0 && !this.notifierTasks.has(ev.tgid)) this.notifierTasks.set(ev.tgid, ev);
    }
  }

  private inReaper = (ev: TraceEvent): boolean => this.reaper !== undefined && ev.pid === this.reaper;

  /** A call into the mmu notifiers, or KVM's notifier at work: what IGNORE does not do. */
  private isNotifierEvent(ev: TraceEvent): boolean {
    if (KVM_NOTIFIER.has(ev.name)) return true;
    const r = this.roleOf(ev)?.role;
    return r !== undefined && r !== 'reap' && r !== 'reap_ret' && r !== 'mm_release' && r !== 'cb_release';
  }

  /** The event shows the mm it runs on has an mmu notifier. */
  private callsNotifier(ev: TraceEvent): boolean {
    if (KVM_NOTIFIER.has(ev.name)) return true;
    const r = this.roleOf(ev)?.role;
    return r === 'core_start' || r === 'cb_start' || r === 'cb_end';
  }

  private change(capability: CapabilityName, pid: number, text: string): void {
    this.changes.push({ capability, pid, text });
  }

  /** Decide the held attempt, then let its events through (or not). */
  private release(): void {
    const h = this.held!;
    this.held = undefined;
    const [start, ...rest] = h.events;
    const shown = h.notifier ?? this.notifierTasks.get(h.pid);
    if (shown) {
      this.skipped.set(h.pid, shown);
      this.current = { pid: h.pid, dropped: true };
      const n = this.attempts.get(h.pid) ?? 1;
      this.change('reaperNotifierPolicy', h.pid, `victim ${h.pid}: its mm has an mmu notifier (${shown.name} at ${formatSourceRef(shown.src)}): under ${this.target.reaperNotifierPolicy} the reaper sleeps 1 s and gives up without any tracepoint; its recorded reaper events from attempt ${n} on are dropped`);
    } else {
      this.decided.add(h.pid);
      this.change('reaperNotifierPolicy', h.pid, `victim ${h.pid}: the trace does not show whether its mm has an mmu notifier (no invalidate call in the reaper, no KVM line from its tasks): replayed as recorded`);
      this.emit(start!);
    }
    for (const ev of rest) this.pass(ev);
  }

  /** One event, as the other family would have produced it (or nothing). */
  private pass(ev: TraceEvent): void {
    const pid = pidOf(ev);
    switch (ev.name) {
      case 'oom:wake_reaper':
        return this.emit(this.moveWake ? this.movedWake(ev, pid) : ev);
      case 'oom:start_task_reaping':
      case 'oom:skip_task_reaping': {
        if (pid === undefined || !this.marks.has(pid)) {
          this.current = undefined;
          return this.emit(ev);
        }
        const n = (this.attempts.get(pid) ?? 0) + 1;
        this.attempts.set(pid, n);
        const dropped = this.dropsAttempt(pid, n);
        this.current = { pid, dropped };
        if (dropped) return;
        // Held from the start until the attempt ends: its notifier calls decide whether the other family skips it.
        if (this.policy === 'skip' && ev.name === 'oom:start_task_reaping' && !this.decided.has(pid)) {
          this.held = { pid, events: [ev] };
          return;
        }
        return this.emit(ev);
      }
      case 'oom:finish_task_reaping':
        if (this.current?.dropped && pid === this.current.pid) return;
        return this.emit(ev);
      case 'printk:console': {
        const kind = ev.fields?.kind;
        if ((kind === 'oom_reaped' || kind === 'oom_unable_to_reap') && pid !== undefined && this.dropsLog(pid, kind)) return;
        return this.emit(ev);
      }
    }
    if (this.inReaper(ev) && this.current?.dropped) return;
    if (this.policy === 'ignore' && this.inReaper(ev) && this.current && this.isNotifierEvent(ev)) {
      if (!this.ignored.has(this.current.pid)) {
        this.ignored.add(this.current.pid);
        this.change('reaperNotifierPolicy', this.current.pid, `victim ${this.current.pid}: under IGNORE the reaper unmaps without calling the notifiers (the secondary MMUs are not told): its notifier calls (${ev.name} at ${formatSourceRef(ev.src)} the first) are dropped, so its first attempt succeeds`);
      }
      return;
    }
    // Without notifier calls nothing can fail them: the reap routine returns true.
    if (this.policy === 'ignore' && this.inReaper(ev) && this.current && this.ignored.has(this.current.pid)) {
      if (ev.fields?.kind === 'notifier_failed') return;
      if (this.roleOf(ev)?.role === 'reap_ret' && ev.fields?.ret !== 1) return this.emit({ ...ev, fields: { ...ev.fields, ret: 1 } });
    }
    this.emit(ev);
  }

  private dropsAttempt(pid: number, n: number): boolean {
    if (this.skipped.has(pid)) return true;
    if (this.policy === 'ignore' && n > 1) {
      if (n === 2) this.change('reaperNotifierPolicy', pid, `victim ${pid}: the attempts after its first are dropped`);
      return true;
    }
    if (n > this.target.maxReapRetries) {
      if (n === this.target.maxReapRetries + 1) this.change('maxReapRetries', pid, `victim ${pid}: attempts after the ${this.target.maxReapRetries}th are dropped (the other family gives up there)`);
      return true;
    }
    return false;
  }

  private dropsLog(pid: number, kind: unknown): boolean {
    if (this.skipped.has(pid)) return true;
    return this.policy === 'ignore' && kind === 'oom_unable_to_reap' && this.marks.has(pid);
  }

  private movedWake(ev: TraceEvent, pid: number | undefined): TraceEvent {
    const mark = pid === undefined ? undefined : this.marks.get(pid);
    if (!mark) return ev;
    const ts = mark.ts + BigInt(this.target.reaperDelayMs) * 1_000_000n;
    const was = formatDuration(ev.ts - mark.ts);
    this.change('reaperDelayMs', pid!, `victim ${pid}: the reaper would be woken ${this.target.reaperDelayMs ? `${this.target.reaperDelayMs / 1000} s after the kill` : 'right after the kill'} (here after ${was})`);
    return { ...ev, ts };
  }
}

/** One replay as the notes read it (an Analysis of src/pipeline.ts is one). */
export interface CounterfactualSide {
  profile: { caps: Capabilities; profile: { label: string } };
  findings: readonly Finding[];
  state: { victims: ReplayView['victims'] };
  /** The re-simulation's changes (on the side replayed as another family). */
  resimulated?: readonly ResimChange[];
}

function ruleCounts(fs: readonly Finding[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of fs) {
    const k = `${f.rule}${f.notifier ? ` (${f.notifier})` : ''}`;
    m.set(k, (m.get(k) ?? 0) + (f.count ?? 1));
  }
  return m;
}

/** What differs between the recorded replay and the one as another family, capability by capability. */
export function counterfactualNotes(actual: CounterfactualSide, as: CounterfactualSide): string[] {
  const notes: string[] = [];
  const printed: string[] = [];
  const described: string[] = [];
  const label = as.profile.profile.label;
  const view = (x: CounterfactualSide): ReplayView => ({ victims: x.state.victims, findings: x.findings });
  for (const name of CAPABILITY_NAMES) {
    const a = actual.profile.caps[name];
    const b = as.profile.caps[name];
    if (a === b) continue;
    const d = CAPABILITIES[name] as CapabilityDescriptor<unknown>;
    const what = `${name} ${String(a)} → ${String(b)}`;
    if (d.counterfactual.how === 'printed') {
      printed.push(what);
      continue;
    }
    if (d.counterfactual.how === 'described') {
      described.push(what);
      continue;
    }
    const changes = (as.resimulated ?? []).filter((c) => c.capability === name);
    const said = d.counterfactual.notes?.({ a, b, label, actual: view(actual), as: view(as), changes }) ?? [];
    notes.push(...(said.length ? said : [`${what}: ${d.counterfactual.does}`]));
  }
  if (printed.length) notes.push(`what the kernel prints differs (${printed.join(', ')}): the recorded events are kept`);
  if (described.length) notes.push(`not simulated, the recorded events stand (${described.join(', ')}): see docs/model.md#counterfactual`);
  const ra = ruleCounts(actual.findings);
  const rb = ruleCounts(as.findings);
  for (const [rule, n] of rb) if ((ra.get(rule) ?? 0) !== n) notes.push(`finding ${rule}: ${ra.get(rule) ?? 0} here, ${n} on ${label}`);
  for (const [rule, n] of ra) if (!rb.has(rule)) notes.push(`finding ${rule}: ${n} here, none on ${label}`);
  // The same rule on the same victim at another level: say why the other replay is lower or higher.
  for (const f of as.findings) {
    const here = actual.findings.find((x) => x.rule === f.rule && x.victim?.pid === f.victim?.pid && x.notifier === f.notifier);
    if (here && here.level !== f.level) notes.push(`finding ${f.rule}${f.victim ? ` (victim ${f.victim.pid})` : ''}: ${here.level} here, ${f.level} on ${label}${f.why ? ` (${f.why})` : ''}`);
  }
  return notes;
}
