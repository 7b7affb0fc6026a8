// print fmt rendering of an array element (`REC->args[0]`) and of C's integer operators,
// on format files as Debian's 6.1 kernel wrote them (../shared/traces/6.1/haystack-dat/formats),
// against the text `trace-cmd report` printed for raw_syscalls:sys_enter in that capture and
// the text `perf script` printed for sched_switch records recorded on this machine kind.
import { describe, expect, it } from 'vitest';
import { type EventFormat, parseFormatFile } from './format-file.ts';
import { compilePrintFmt, type Renderer } from './print-fmt.ts';

type Value = string | number | bigint | bigint[];

/** A record laid out as `fmt` says, its fields set from `values` (the bytes a reader would find). */
function recordOf(fmt: EventFormat, values: Map<string, Value>): [Uint8Array, DataView, number, number] {
  const size = Math.max(...[...fmt.common, ...fmt.fields].map((f) => f.offset + f.size));
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  const put = (at: number, n: number, x: bigint): void => {
    if (n === 1) v.setUint8(at, Number(BigInt.asUintN(8, x)));
    else if (n === 2) v.setUint16(at, Number(BigInt.asUintN(16, x)), true);
    else if (n === 4) v.setUint32(at, Number(BigInt.asUintN(32, x)), true);
    else v.setBigUint64(at, BigInt.asUintN(64, x), true);
  };
  for (const f of fmt.fields) {
    const x = values.get(f.name);
    if (x === undefined) continue;
    if (typeof x === 'string') b.set(new TextEncoder().encode(x).subarray(0, f.size - 1), f.offset);
    else if (Array.isArray(x)) x.forEach((e, i) => put(f.offset + i * f.elemSize, f.elemSize, e));
    else put(f.offset, f.size, BigInt(x));
  }
  return [b, v, 0, b.length];
}

const rendered = (r: Renderer, fmt: EventFormat, values: Map<string, Value>): string => r.render(...recordOf(fmt, values), {});

/** The fields every event of that kernel starts with. */
const COMMON = `\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;
`;

const SYS_ENTER = `name: sys_enter
ID: 351
format:
${COMMON}
\tfield:long id;\toffset:8;\tsize:8;\tsigned:1;
\tfield:unsigned long args[6];\toffset:16;\tsize:48;\tsigned:0;

print fmt: "NR %ld (%lx, %lx, %lx, %lx, %lx, %lx)", REC->id, REC->args[0], REC->args[1], REC->args[2], REC->args[3], REC->args[4], REC->args[5]
`;

// The haystack's 5th record: `cat-520 [001] 16.055729: sys_enter: NR 1 (1, 7f32dfe69000, de8, 22, ffffffff, 0)`.
const ID = 1n;
const ARGS = [1n, 0x7f32dfe69000n, 0xde8n, 0x22n, 0xffffffffn, 0n];
const TEXT = 'NR 1 (1, 7f32dfe69000, de8, 22, ffffffff, 0)';
const SYS_VALUES = new Map<string, Value>([['id', ID], ['args', ARGS]]);

describe('print fmt', () => {
  const fmt = parseFormatFile(SYS_ENTER, 'raw_syscalls')!;
  const r = compilePrintFmt(fmt);

  it('renders array elements as trace-cmd report does', () => {
    expect(r.printf).toBe('NR %ld (%lx, %lx, %lx, %lx, %lx, %lx)');
    expect(rendered(r, fmt, SYS_VALUES)).toBe(TEXT);
  });

  it("reads array elements from the record's bytes (the compiled arguments)", () => {
    const rec = new Uint8Array(64);
    const v = new DataView(rec.buffer);
    v.setUint16(0, 351, true);
    v.setInt32(4, 520, true);
    v.setBigInt64(8, ID, true);
    ARGS.forEach((a, i) => v.setBigUint64(16 + 8 * i, a, true));
    const got = r.args!.map((read) => read(rec, v, 0, rec.length));
    expect(got.map((x) => BigInt(x as number | bigint))).toEqual([ID, ...ARGS]);
  });

  it('an index past the array, or into a field that is not one, renders nothing rather than a wrong value', () => {
    const pastFmt = parseFormatFile(SYS_ENTER.replace('REC->args[5]', 'REC->args[6]'), 'raw_syscalls')!;
    expect(rendered(compilePrintFmt(pastFmt), pastFmt, SYS_VALUES)).toBe('NR 1 (1, 7f32dfe69000, de8, 22, ffffffff, )');
    const scalarFmt = parseFormatFile(SYS_ENTER.replace('REC->args[0]', 'REC->id[0]'), 'raw_syscalls')!;
    expect(rendered(compilePrintFmt(scalarFmt), scalarFmt, SYS_VALUES)).toBe('NR 1 (, 7f32dfe69000, de8, 22, ffffffff, 0)');
  });
});

const SCHED_SWITCH = `name: sched_switch
ID: 319
format:
${COMMON}
\tfield:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:1;
\tfield:pid_t prev_pid;\toffset:24;\tsize:4;\tsigned:1;
\tfield:int prev_prio;\toffset:28;\tsize:4;\tsigned:1;
\tfield:long prev_state;\toffset:32;\tsize:8;\tsigned:1;
\tfield:char next_comm[16];\toffset:40;\tsize:16;\tsigned:1;
\tfield:pid_t next_pid;\toffset:56;\tsize:4;\tsigned:1;
\tfield:int next_prio;\toffset:60;\tsize:4;\tsigned:1;

print fmt: "prev_comm=%s prev_pid=%d prev_prio=%d prev_state=%s%s ==> next_comm=%s next_pid=%d next_prio=%d", REC->prev_comm, REC->prev_pid, REC->prev_prio, (REC->prev_state & ((((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) - 1)) ? __print_flags(REC->prev_state & ((((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) - 1), "|", { 0x00000001, "S" }, { 0x00000002, "D" }, { 0x00000004, "T" }, { 0x00000008, "t" }, { 0x00000010, "X" }, { 0x00000020, "Z" }, { 0x00000040, "P" }, { 0x00000080, "I" }) : "R", REC->prev_state & (((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) ? "+" : "", REC->next_comm, REC->next_pid, REC->next_prio
`;

describe('print fmt with integer operators (sched_switch prev_state)', () => {
  const fmt = parseFormatFile(SCHED_SWITCH, 'sched')!;
  const r = compilePrintFmt(fmt);
  const text = (state: bigint): string => rendered(r, fmt, values(state));
  const values = (state: bigint) => new Map<string, Value>([
    ['prev_comm', 'perf'], ['prev_pid', 2045], ['prev_prio', 120], ['prev_state', state], ['next_comm', 'migration/0'], ['next_pid', 18], ['next_prio', 0],
  ]);

  it('renders as perf script prints it', () => {
    expect(r.printf).toBeDefined();
    // perf script: `prev_comm=perf prev_pid=2045 prev_prio=120 prev_state=D ==> next_comm=migration/0 next_pid=18 next_prio=0`
    expect(text(2n)).toBe('prev_comm=perf prev_pid=2045 prev_prio=120 prev_state=D ==> next_comm=migration/0 next_pid=18 next_prio=0');
    expect(text(0n)).toContain('prev_state=R ==>');
    // TASK_REPORT_MAX (0x100): preempted while running.
    expect(text(0x100n)).toContain('prev_state=R+ ==>');
    expect(text(0x81n)).toContain('prev_state=S|I ==>');
  });

  it('leaves formats with what it does not evaluate (a kernel function call) to field=value pairs', () => {
    const fmt2 = parseFormatFile(SYS_ENTER.replace('REC->id,', 'jiffies_to_msecs(REC->id),'), 'raw_syscalls')!;
    const r2 = compilePrintFmt(fmt2);
    expect(r2.printf).toBeUndefined();
    expect(rendered(r2, fmt2, SYS_VALUES)).toBe('id=0x1 args={1,139856481521664,3560,34,4294967295,0}');
  });
});

describe('print fmt over the common fields', () => {
  it('reads `REC->common_pid` from the record as libtraceevent does', () => {
    const fmt = parseFormatFile(SYS_ENTER.replace('"NR %ld (', '"pid %d NR %ld (').replace('", REC->id,', '", REC->common_pid, REC->id,'), 'raw_syscalls')!;
    const [b, v, base, len] = recordOf(fmt, SYS_VALUES);
    v.setInt32(4, 520, true);
    expect(compilePrintFmt(fmt).render(b, v, base, len, {})).toBe(`pid 520 ${TEXT}`);
  });
});

const OPS = `name: ops
ID: 900
format:
${COMMON}
\tfield:int a;\toffset:8;\tsize:4;\tsigned:1;
\tfield:unsigned int b;\toffset:12;\tsize:4;\tsigned:0;
\tfield:long c;\toffset:16;\tsize:8;\tsigned:1;

print fmt: "or=%d and=%d eq=%d ne=%d lt=%d ge=%d div=%ld mod=%ld not=%d neg=%d inv=%lx prec=%d guarded=%ld", REC->a || REC->b, REC->a && REC->b, REC->a == 3, REC->b != 3, REC->a < REC->b, REC->a >= REC->b, REC->c / REC->a, REC->c % REC->a, !REC->b, -REC->a, ~REC->c, REC->a + REC->b * 2 == 7 && !0, REC->a && REC->c / REC->a
`;

describe("print fmt with C's logical, comparison, division and unary operators", () => {
  const fmt = parseFormatFile(OPS, 'test')!;
  const r = compilePrintFmt(fmt);
  const text = (a: number, b: number, c: bigint): string => rendered(r, fmt, new Map<string, Value>([['a', a], ['b', b], ['c', c]]));

  it('compiles (no field=value fallback)', () => {
    expect(r.printf).toBeDefined();
  });

  it('evaluates them as C does, with C precedence', () => {
    expect(text(3, 2, 17n)).toBe('or=1 and=1 eq=1 ne=1 lt=0 ge=1 div=5 mod=2 not=0 neg=-3 inv=ffffffffffffffee prec=1 guarded=1');
    // `&&` gives 1 or 0, and does not divide by a zero `a` (C evaluates its right side only when needed).
    expect(text(0, 0, -17n)).toBe('or=0 and=0 eq=0 ne=1 lt=0 ge=1 div= mod= not=1 neg=0 inv=10 prec=0 guarded=0');
    // C's division truncates toward zero, its remainder takes the dividend's sign.
    expect(text(-5, 9, 17n)).toContain('div=-3 mod=2 ');
    expect(text(5, 9, -17n)).toContain('div=-3 mod=-2 ');
  });
});
