// The made-up pages a walker thread walks before its plan are well formed: every kind of
// record is met (a malformed page would end the walk at its damage, and warm nothing).
import { describe, expect, it } from 'vitest';
import type { Item, RecordTarget } from './cpu-stream.ts';
import { warmWalk } from './walk-warmup.ts';

class Recording implements RecordTarget {
  readonly state = new Uint8Array(new SharedArrayBuffer(65536));
  readonly counts = new Uint32Array(65536);
  readonly items: { type: number; len: number; ts: number }[] = [];
  readonly losses: { count: number; ts: number }[] = [];
  resolved = 0;

  wanted(): boolean {
    this.resolved++;
    return true;
  }

  item(type: number, _b: Uint8Array, _v: DataView, _base: number, len: number, ts: number): Item {
    this.items.push({ type, len, ts });
    return { ts };
  }

  lost(ts: number, _cpu: number, _offset: number, _record: number, _page: number, count: number): Item {
    this.losses.push({ count, ts });
    return { ts };
  }
}

describe('walk warm-up', () => {
  it('meets short and long records of every state, times beyond 2^31, and a lost-events page in each pair', async () => {
    const t = new Recording();
    await warmWalk(t);
    const pairs = t.losses.length;
    expect(pairs).toBe(8);
    expect(t.losses.every((l) => l.count === 0)).toBe(true);
    // Per pair: type 2 (wanted) twice short and twice long, type 4 (unresolved) once each.
    expect(t.items.filter((i) => i.type === 2)).toHaveLength(4 * pairs);
    expect(t.items.filter((i) => i.type === 4)).toHaveLength(2 * pairs);
    expect(t.resolved).toBe(2 * pairs);
    expect(new Set(t.items.map((i) => i.len))).toEqual(new Set([16, 200]));
    // Skipped (1) and counted-only (3) records are walked past, and counted.
    expect(t.counts[1]).toBe(4 * pairs);
    expect(t.counts[3]).toBe(2 * pairs);
    expect(t.items.every((i) => i.ts > 2 ** 31)).toBe(true);
  });
});
