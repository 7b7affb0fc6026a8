// An invalidate call and its notifier callbacks as the model keeps them to the end of the
// trace: their lines as rows of the state's RefTable (ref-table.ts), read back as EventRefs.
import type { EventRef, TraceEvent } from '../types/event.ts';
import type { Callback, OpenCall, OpenCallback, VictimState } from './state.ts';
import type { RefTable } from './ref-table.ts';

const NO_ROW = -1;

export class KeptCall implements OpenCall {
  readonly callbacks: Callback[] = [];
  retval?: number;
  private readonly entryRow: number;
  private retRow = NO_ROW;
  private endRow = NO_ROW;

  constructor(
    private readonly refs: RefTable,
    entry: TraceEvent,
    readonly pid: number,
    readonly mm: string | undefined,
    readonly range: string | undefined,
    readonly start: string | undefined,
    readonly end: string | undefined,
    readonly blockable: boolean | undefined,
    readonly victim: VictimState | undefined,
  ) {
    this.entryRow = refs.add(entry);
  }

  get entry(): EventRef {
    return this.refs.ref(this.entryRow);
  }

  get ret(): EventRef | undefined {
    return this.retRow === NO_ROW ? undefined : this.refs.ref(this.retRow);
  }

  get endCall(): EventRef | undefined {
    return this.endRow === NO_ROW ? undefined : this.refs.ref(this.endRow);
  }

  returned(ev: TraceEvent, retval: number | undefined): void {
    this.retRow = this.refs.add(ev);
    this.retval = retval;
  }

  ended(ev: TraceEvent): void {
    this.endRow = this.refs.add(ev);
  }
}

export class KeptCallback implements OpenCallback {
  retval?: number;
  private readonly entryRow: number;
  private retRow = NO_ROW;

  constructor(
    private readonly refs: RefTable,
    entry: TraceEvent,
    readonly instance: string,
    readonly phase: 'start' | 'end',
    /** A start's range and mm (an end pairs with the start of the same range). */
    readonly start?: string,
    readonly end?: string,
    readonly mm?: string,
  ) {
    this.entryRow = refs.add(entry);
  }

  get entry(): EventRef {
    return this.refs.ref(this.entryRow);
  }

  get ret(): EventRef | undefined {
    return this.retRow === NO_ROW ? undefined : this.refs.ref(this.retRow);
  }

  returned(ev: TraceEvent, retval: number | undefined): void {
    this.retRow = this.refs.add(ev);
    this.retval = retval;
  }
}
