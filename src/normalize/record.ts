// Decoders over a binary record's print arguments (trace.dat, perf.data): the fields the
// event's text decoder gives, read from the record's bytes instead of its rendered text.
// Each names the format string its text decoder parses and converts every argument the
// way that conversion prints it, so both readings agree; a record printed through another
// format string (another kernel's), or with an argument of another kind, falls back to text.
import type { Fields, RecordArgs } from '../types/event.ts';

export type RecordDecoder = (r: RecordArgs) => Fields | undefined;

/** Thrown when an argument is not what its conversion prints: the text decoder decides. */
const MISS = Symbol('miss');

type Arg = ReturnType<RecordArgs['arg']>;

function big(v: Arg): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(v);
  throw MISS;
}

/** A 64-bit value: a number while exact, else a bigint (as `wide()` reads printed digits). */
function wide(v: bigint): number | bigint {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
}

const INT64_MIN = -(1n << 63n);
const INT64_END = 1n << 63n;

/** The arguments of one record, converted as printf prints them. */
export class Args {
  /** The record read (one Args serves a decoder's records in turn: nothing keeps it). */
  r!: RecordArgs;

  /** `%d`: 32-bit signed. */
  d(i: number): number {
    const v = this.r.arg(i);
    return typeof v === 'number' ? v | 0 : Number(BigInt.asIntN(32, big(v)));
  }

  /** `%u`: 32-bit unsigned. */
  u(i: number): number {
    const v = this.r.arg(i);
    return typeof v === 'number' ? v >>> 0 : Number(BigInt.asUintN(32, big(v)));
  }

  /** `%hd`: 16-bit signed. */
  hd(i: number): number {
    return Number(BigInt.asIntN(16, big(this.r.arg(i))));
  }

  /** `%ld`: 64-bit signed. */
  ld(i: number): number | bigint {
    const v = this.r.arg(i);
    if (typeof v === 'number') return v;
    const b = big(v);
    // A signed 64-bit field's value already is (comparing allocates nothing; asIntN does).
    return wide(b >= INT64_MIN && b < INT64_END ? b : BigInt.asIntN(64, b));
  }

  /** `%lu`: 64-bit unsigned. */
  lu(i: number): number | bigint {
    const v = this.r.arg(i);
    return typeof v === 'number' && v >= 0 ? v : wide(BigInt.asUintN(64, big(v)));
  }

  /** `%s` of char data or a `__print_symbolic` name. */
  s(i: number): string {
    const v = this.r.arg(i);
    if (typeof v !== 'string') throw MISS;
    return v;
  }

  /** `%p`: the raw pointer as trace-cmd and perf print it. */
  p(i: number): string {
    return `0x${BigInt.asUintN(64, big(this.r.arg(i))).toString(16)}`;
  }
}

/** A decoder for records printed through `printf`; undefined (text decides) for any other. */
export function fromRecord(printf: string, decode: (a: Args) => Fields | undefined): RecordDecoder {
  const a = new Args();
  return (r) => {
    if (r.printf !== printf) return undefined;
    a.r = r;
    try {
      return decode(a);
    } catch (e) {
      if (e === MISS) return undefined;
      throw e;
    }
  };
}
