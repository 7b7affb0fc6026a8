// TraceEvents from binary records (trace.dat pages, perf.data RAW samples), shared by
// both readers. Each event type is resolved once, at its first record: its name, whether
// it is wanted, and for a kprobe its definition (probed function from the file's
// kallsyms, argument types from the format). A wanted record's fields are read by the
// compiled layout; its text (the print fmt) is rendered only when asked for.
import type { ParseContext } from '../importer.ts';
import type { RecordArgs, SourceRef, TraceEvent } from '../../src/types/event.ts';
import type { KprobeArg, KprobeDef } from '../../src/types/kprobe.ts';
import type { NameEntry } from './event-names.ts';
import { type EventFormat, readField } from './format-file.ts';
import { type Lookups, type Renderer, compilePrintFmt } from './print-fmt.ts';
import { type Symbols, parseKallsyms, parsePrintkFormats } from './kallsyms.ts';
import type { TracingData } from './tracing-data.ts';

/** A record's event: the text (print fmt) is rendered from the payload on first read. */
export class BinaryEvent implements TraceEvent, RecordArgs {
  fields?: TraceEvent['fields'];
  private rendered?: string;

  constructor(
    readonly ts: bigint,
    readonly cpu: number,
    readonly pid: number,
    readonly comm: string,
    readonly name: string,
    readonly src: SourceRef,
    /** The payload is `len` bytes at `at` in `bytes` (a slab shared by many events; `view` over it). */
    private readonly bytes: Uint8Array,
    private readonly view: DataView,
    private readonly at: number,
    private readonly len: number,
    private readonly type: TypeState,
    private readonly look: Lookups,
  ) {}

  get text(): string {
    if (this.rendered === undefined) {
      const { fmt, renderer } = this.type;
      // Without the print fmt's own closing newline (exit_mmap's "..., DESTROY\n"): a text
      // format's line cannot hold it, and `trace-cmd report` drops it too.
      this.rendered = fmt && renderer ? withoutNewlines(renderer.render(this.bytes, this.view, this.at, this.len, this.look)) : '';
    }
    return this.rendered;
  }

  set text(v: string) {
    this.rendered = v;
  }

  /** The print arguments, read from the payload by the compiled format (none when the print fmt did not compile). */
  get record(): RecordArgs | undefined {
    return this.type.renderer?.args ? this : undefined;
  }

  get printf(): string {
    return this.type.renderer!.printf!;
  }

  arg(i: number): ReturnType<RecordArgs['arg']> {
    const r = this.type.renderer!.args![i];
    if (!r) return undefined;
    return r(this.bytes, this.view, this.at, this.len);
  }

  /** A kprobe or kretprobe record (its site is decoded from the text like any kprobe's). */
  get isProbe(): boolean {
    return this.type.fmt?.field('__probe_ip') !== undefined || this.type.fmt?.field('__probe_func') !== undefined;
  }
}

interface TypeState {
  fmt?: EventFormat;
  entry: NameEntry;
  renderer?: Renderer;
}

const isProbeFormat = (f: EventFormat): boolean => f.field('__probe_ip') !== undefined || f.field('__probe_func') !== undefined;

const SLAB = 64 << 10;

export class BinaryEvents {
  private readonly types = new Map<number, TypeState>();
  /** Records seen per type id, added to the name entries at the end. */
  readonly counts = new Uint32Array(65536);
  /**
   * Per type id (read inline by the hot loops): 0 not yet seen, 1 skipped, 2 wanted, 3 selected
   * but only counted (`parse --stats`, when the reader keeps the span of such records itself).
   */
  // Shared memory: walker threads read the states this thread resolves.
  readonly state = new Uint8Array(new SharedArrayBuffer(65536));
  private symbols?: Symbols;
  private printk?: Map<bigint, string>;
  private readonly look: Lookups;

  /** `countSelected`: the reader counts selected records and times their span without events (state 3). */
  constructor(private readonly ctx: ParseContext, private readonly file: string, private readonly data: TracingData, private readonly countSelected = false) {
    const self = this;
    this.look = {
      get symbols() { return self.syms(); },
      get printk() { return (self.printk ??= parsePrintkFormats(self.data.printk)); },
    };
  }

  private syms(): Symbols | undefined {
    if (this.data.kallsyms.length === 0) return undefined;
    return (this.symbols ??= parseKallsyms(this.data.kallsyms));
  }

  /** Reads the kallsyms now if a kprobe's site will need them (called while this thread would wait anyway). */
  prepare(): void {
    if (this.probeUnresolved()) this.syms();
  }

  /**
   * Whether the file's kallsyms and printk formats can be read at all: an event's text or a
   * kprobe's site. Not when records are only counted (`parse --stats`) and every kprobe's
   * type is resolved already (`presolve`).
   */
  needsSymbols(): boolean {
    return !(this.countSelected && this.ctx.names.countOnly) || this.probeUnresolved();
  }

  private probeUnresolved(): boolean {
    for (const [type, f] of this.data.formats) if (this.state[type] === 0 && isProbeFormat(f)) return true;
    return false;
  }

  /**
   * Resolves every type its format alone decides, as its first record would: a walk then
   * stops at no type's first record, and other threads can walk before kallsyms and
   * cmdlines are read. A kprobe's definition is built from its first record (the probed
   * function, from the kallsyms): left to it when its events are built, or when whether
   * it is wanted depends on its being a kprobe.
   */
  presolve(): void {
    const names = this.ctx.names;
    for (const [type, fmt] of this.data.formats) {
      if (this.state[type] !== 0 || names.kprobe(fmt.full)) continue;
      if (isProbeFormat(fmt)) {
        const wanted = names.wants(fmt.full, true);
        if (wanted !== names.wants(fmt.full, false) || (wanted && !this.counted(fmt.full))) continue;
      }
      this.decide(type, this.typeOf(type, fmt));
    }
  }

  /** Selected records of this name are only counted, not built (`parse --stats`). */
  private counted(full: string): boolean {
    // Console text is still built when only counting: it names the kernel release.
    return this.countSelected && this.ctx.names.countOnly && full !== 'printk:console';
  }

  /** Whether records of `type` are wanted; resolves the type at its first record (`b[base…]`). */
  wanted(type: number, b: Uint8Array, base: number, len: number): boolean {
    this.counts[type]!++;
    const s = this.state[type]!;
    if (s !== 0) return s === 2;
    return this.decide(type, this.resolve(type, b, base, len));
  }

  private decide(type: number, st: TypeState): boolean {
    const counted = this.counted(st.entry.full);
    this.state[type] = st.entry.wanted ? (counted ? 3 : 2) : 1;
    return st.entry.wanted && !counted;
  }

  /** A tracepoint's state (its print fmt compiled when a record is built or rendered). */
  private typeOf(type: number, fmt: EventFormat): TypeState {
    const st: TypeState = { fmt, entry: this.ctx.names.byFull(fmt.full) };
    this.types.set(type, st);
    return st;
  }

  private resolve(type: number, b: Uint8Array, base: number, len: number): TypeState {
    const fmt = this.data.formats.get(type);
    let st: TypeState;
    if (!fmt) st = { entry: this.ctx.names.byFull(`?:type_${type}`) };
    else {
      const renderer = compilePrintFmt(fmt);
      if (!this.ctx.names.kprobe(fmt.full)) {
        const def = this.kprobeDef(fmt, renderer, b, base, len);
        if (def) this.ctx.names.addKprobe(def);
      }
      st = { fmt, renderer, entry: this.ctx.names.byFull(fmt.full) };
    }
    this.types.set(type, st);
    return st;
  }

  /** A kprobe's definition rebuilt from its format and the file's kallsyms (none without kallsyms). */
  private kprobeDef(fmt: EventFormat, r: Renderer, b: Uint8Array, base: number, len: number): KprobeDef | undefined {
    const ipField = fmt.field('__probe_ip') ?? fmt.field('__probe_func');
    if (!ipField) return undefined;
    const isReturn = fmt.field('__probe_ret_ip') !== undefined;
    const ip = readField(ipField, b, base, len);
    const syms = this.syms();
    if (typeof ip !== 'bigint' || !syms) return undefined;
    const sym = syms.lookup(BigInt.asUintN(64, ip));
    if (!sym) return undefined;
    const args: KprobeArg[] = fmt.fields.filter((f) => !f.name.startsWith('__probe_')).map((f) => {
      if (f.kind === 'dataloc' || f.kind === 'relloc') return { name: f.name, fetch: '', type: 'string' };
      const conv = r.convOf.get(f.name);
      const bits = f.size * 8;
      const type = conv === 'd' || conv === 'i' ? `s${bits}` : conv === 'u' ? `u${bits}` : conv === 's' ? 'string' : `x${bits}`;
      return { name: f.name, fetch: '', type };
    });
    const src: SourceRef = { file: this.file, line: 0, offset: 0 };
    return { group: fmt.system, event: fmt.name, isReturn, func: sym.name, module: sym.module, offset: isReturn ? 0 : Number(sym.offset), args, src };
  }

  /** Payloads are copied into slabs: one buffer per event costs more, in memory and in GC, than its bytes. */
  private slab = new Uint8Array(0);
  private slabView = new DataView(this.slab.buffer);
  private slabPos = 0;

  /**
   * The event for a wanted record. Its payload is copied out of `b` (which is reused), unless
   * `held` is given: a view of `b`, which is never written again, and the event keeps it.
   */
  event(type: number, b: Uint8Array, base: number, len: number, ts: bigint, cpu: number, pid: number, comm: string, src: SourceRef, held?: DataView): TraceEvent {
    const st = this.types.get(type)!;
    if (st.fmt && !st.renderer) st.renderer = compilePrintFmt(st.fmt);
    // A walker's batch: its payloads are only the wanted records', so keeping it costs what a copy would.
    if (held) return new BinaryEvent(ts, cpu, pid, comm, st.entry.full, src, b, held, base, len, st, this.look);
    if (this.slabPos + len > this.slab.length) {
      this.slab = new Uint8Array(Math.max(SLAB, len));
      this.slabView = new DataView(this.slab.buffer);
      this.slabPos = 0;
    }
    const at = this.slabPos;
    this.slab.set(b.subarray(base, base + len), at);
    this.slabPos = at + len;
    return new BinaryEvent(ts, cpu, pid, comm, st.entry.full, src, this.slab, this.slabView, at, len, st, this.look);
  }

  /** Adds the per-type counts to the name entries (call once, at the end). */
  finish(): void {
    for (const [type, st] of this.types) st.entry.count += this.counts[type]!;
    this.counts.fill(0);
  }

  /** pid → comm the way trace-cmd names it. */
  commOf(pid: number): string {
    if (pid === 0) return '<idle>';
    return this.data.cmdlines.get(pid) ?? '<...>';
  }
}

/** `s` without its trailing newlines (by index: `/\n+$/` backtracks quadratically on a run of them). */
function withoutNewlines(s: string): string {
  let e = s.length;
  while (e > 0 && s.charCodeAt(e - 1) === 10) e--;
  return e === s.length ? s : s.slice(0, e);
}
