// print fmt rendering of an array element (`REC->args[0]`), on raw_syscalls:sys_enter's
// format file as Debian's 6.1 kernel wrote it (../shared/traces/6.1/haystack-dat/formats),
// and the text `trace-cmd report` printed for that record in the same capture.
import { describe, expect, it } from 'vitest';
import { parseFormatFile } from './format-file.ts';
import { compilePrintFmt } from './print-fmt.ts';

const SYS_ENTER = `name: sys_enter
ID: 351
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

\tfield:long id;\toffset:8;\tsize:8;\tsigned:1;
\tfield:unsigned long args[6];\toffset:16;\tsize:48;\tsigned:0;

print fmt: "NR %ld (%lx, %lx, %lx, %lx, %lx, %lx)", REC->id, REC->args[0], REC->args[1], REC->args[2], REC->args[3], REC->args[4], REC->args[5]
`;

// The haystack's 5th record: `cat-520 [001] 16.055729: sys_enter: NR 1 (1, 7f32dfe69000, de8, 22, ffffffff, 0)`.
const ID = 1n;
const ARGS = [1n, 0x7f32dfe69000n, 0xde8n, 0x22n, 0xffffffffn, 0n];
const TEXT = 'NR 1 (1, 7f32dfe69000, de8, 22, ffffffff, 0)';

describe('print fmt', () => {
  const fmt = parseFormatFile(SYS_ENTER, 'raw_syscalls')!;
  const r = compilePrintFmt(fmt);

  it('renders array elements as trace-cmd report does', () => {
    expect(r.printf).toBe('NR %ld (%lx, %lx, %lx, %lx, %lx, %lx)');
    expect(r.render(new Map<string, bigint | bigint[]>([['id', ID], ['args', ARGS]]), {})).toBe(TEXT);
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
    const past = compilePrintFmt(parseFormatFile(SYS_ENTER.replace('REC->args[5]', 'REC->args[6]'), 'raw_syscalls')!);
    expect(past.render(new Map<string, bigint | bigint[]>([['id', ID], ['args', ARGS]]), {})).toBe('NR 1 (1, 7f32dfe69000, de8, 22, ffffffff, )');
    const scalar = compilePrintFmt(parseFormatFile(SYS_ENTER.replace('REC->args[0]', 'REC->id[0]'), 'raw_syscalls')!);
    expect(scalar.render(new Map<string, bigint | bigint[]>([['id', ID], ['args', ARGS]]), {})).toBe('NR 1 (, 7f32dfe69000, de8, 22, ffffffff, 0)');
  });
});
