// A page's missed-events flags (RB_MISSED_EVENTS, RB_MISSED_STORED) become lost_events
// markers with the CPU, the page's time and the stored count. No lab capture lost events,
// so the flags are set on a page of the bundled v6 file.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MemorySource } from '../common/byte-source.ts';
import { readTraceDatHeader } from './header.ts';
import { newContext, parseInputs } from '../../src/ingest/parse-inputs.ts';
import type { DataLoss } from '../../src/types/event.ts';
import { SAMPLES_DIR } from '../../src/testing/captures.ts';

const V6 = gunzipSync(readFileSync(join(SAMPLES_DIR, 'binary/6.1/kvm_mn_eagain/trace-v6.dat.gz')));
const tmp = mkdtempSync(join(tmpdir(), 'reaplay-dat-loss-'));

async function losses(bytes: Uint8Array): Promise<{ losses: DataLoss[]; diag: Record<string, number> }> {
  const f = join(tmp, `l${Math.random().toString(36).slice(2)}.dat`);
  writeFileSync(f, bytes);
  const out: DataLoss[] = [];
  const ctx = newContext();
  await parseInputs([f], { context: ctx, onEvent: () => {}, onLoss: (l) => out.push(l) });
  return { losses: out, diag: Object.fromEntries(ctx.diag.counts) };
}

describe('missed events on a page', () => {
  it('RB_MISSED_EVENTS alone: a marker with the CPU and time, count unknown; RB_MISSED_STORED: with the count', async () => {
    const h = await readTraceDatHeader(new MemorySource(V6));
    const cpu1 = h.buffers[0]!.cpus.find((c) => c.cpu === 1)!;
    const v = new DataView(V6.buffer, V6.byteOffset, V6.byteLength);
    // The first page of CPU 1 after its first with room for a stored count after its data.
    let index = 1;
    while ((v.getUint32(cpu1.offset + index * 4096 + 8, true) & 0x7ffffff) > 4096 - 16 - 8) index++;
    const page = cpu1.offset + index * 4096;
    const ts = v.getBigUint64(page, true);
    const commit = v.getUint32(page + 8, true);

    const a = Buffer.from(V6);
    a.writeUInt32LE((commit | 0x80000000) >>> 0, page + 8);
    const r = await losses(a);
    expect(r.losses).toHaveLength(1);
    expect(r.losses[0]).toMatchObject({ kind: 'lost_events', cpu: 1, ts, src: { cpu: 1, page: index } });
    expect(r.losses[0]!.count).toBeUndefined();
    expect(r.diag.lost_events).toBe(1);

    const b = Buffer.from(V6);
    b.writeUInt32LE((commit | 0xc0000000) >>> 0, page + 8);
    b.writeBigUInt64LE(1234n, page + 16 + (commit & 0x7ffffff));
    const r2 = await losses(b);
    expect(r2.losses[0]).toMatchObject({ kind: 'lost_events', cpu: 1, count: 1234 });
  });
});
