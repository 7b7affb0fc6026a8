// A walk over made-up pages holding every kind of record, run by a walker thread
// while it waits for its plan. V8 optimizes the page walk within the first chunk; each
// branch first taken after that (the first long record, the first wanted one, the first
// padding, the first time beyond 2^31) threw the optimized code away, and the walk was
// compiled again: 7 times, 96 ms of compiling on the 6.1 haystack (`node --trace-opt`).
// Walked here first, the branches are known when the walk is first optimized: 2 compiles.
import type { DataLoss } from '../../src/types/event.ts';
import { MemorySource } from '../common/byte-source.ts';
import { CpuStream, type RecordTarget } from './cpu-stream.ts';

const PAGE = 4096;
const LAYOUT = { commitOffset: 8, commitSize: 8, dataOffset: 16 };
/** Type ids of the made-up records, one per state a real type can have (see RecordTarget.state). */
const SKIPPED = 1;
const WANTED = 2;
const COUNTED = 3;
const UNRESOLVED = 4;

/**
 * Pairs of pages: every record kind on the first, the missed-events flag on the second.
 * Several: V8 keeps no feedback for a function until it has run for a while.
 */
const PAIRS = 8;

function pages(): Uint8Array {
  const b = new Uint8Array(2 * PAIRS * PAGE);
  const v = new DataView(b.buffer);
  let p = LAYOUT.dataOffset;
  const word = (typeLen: number, delta: number): void => {
    v.setUint32(p, (delta << 5) | typeLen, true);
    p += 4;
  };
  const payload = (type: number, bytes: number): void => {
    v.setUint16(p, type, true);
    p += bytes;
  };
  // Times as large as real ones (beyond 2^31): V8's feedback then says doubles, as a real walk's does.
  v.setBigUint64(0, 1n << 40n, true);
  v.setBigUint64(PAGE, 1n << 40n, true);
  word(31, 1); // absolute time
  v.setUint32(p, 1 << 14, true);
  p += 4;
  word(30, 1); // time extend
  v.setUint32(p, 1, true);
  p += 4;
  for (const type of [SKIPPED, WANTED, COUNTED, UNRESOLVED, SKIPPED, WANTED]) {
    word(4, 1); // 16-byte payload, its length in the type field
    payload(type, 16);
    word(0, 1); // 200-byte payload, its length in the next word
    v.setUint32(p, 204, true);
    p += 4;
    payload(type, 200);
  }
  word(29, 1); // padding: its length word counts itself
  v.setUint32(p, 8, true);
  p += 8;
  word(29, 0); // padding to the page's end
  v.setBigUint64(LAYOUT.commitOffset, BigInt(p - LAYOUT.dataOffset), true);
  // The second page: events were lost before it (no data; the count stored where it begins).
  v.setBigUint64(PAGE + LAYOUT.commitOffset, 0xc0000000n, true);
  for (let i = 1; i < PAIRS; i++) b.copyWithin(i * 2 * PAGE, 0, 2 * PAGE);
  return b;
}

/**
 * Walks the made-up pages into `target` (a thread's own, of the same class as the real
 * one, whose state and counts this sets and leaves dirty: it is thrown away after).
 */
export async function warmWalk(target: RecordTarget): Promise<void> {
  const state = target.state;
  state[SKIPPED] = 1;
  state[WANTED] = 2;
  state[COUNTED] = 3;
  state[UNRESOLVED] = 0;
  const b = pages();
  const stream = new CpuStream({
    src: new MemorySource(b), file: '', target, page: LAYOUT, pageSize: PAGE, compression: undefined,
    time: () => 0n,
    damage: (cpu, offset): DataLoss => ({ kind: 'events_dropped', cpu, src: { file: '', line: 0, offset, cpu } }),
  }, { cpu: 0, offset: 0, size: b.length });
  for (;;) {
    const n = stream.next();
    if (!(n instanceof Promise ? await n : n)) break;
  }
}
