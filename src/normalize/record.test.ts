// Record decoders (fields read from a binary record's bytes) against the text decoders on
// the same record's rendered text: for every record of every event that has one, in the
// bundled trace.dat and perf.data (6.1) and, when present, a 5.10 trace.dat (rss_stat's
// `member=` form). A record decoder that declined a record would fall back to text
// silently: the test requires that none does.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseAll } from '../testing/binary-compare.ts';
import { HAVE_SHARED, SAMPLES_DIR, SHARED_TRACES } from '../testing/captures.ts';
import type { TraceEvent } from '../types/event.ts';
import { DECODERS, RECORD_DECODERS } from './index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'reaplay-record-'));

/** Per event name: records decoded from their bytes, each compared with its text's decoding. */
function compare(events: TraceEvent[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const ev of events) {
    if (!Object.hasOwn(RECORD_DECODERS, ev.name)) continue;
    expect(ev.record, ev.name).toBeDefined();
    const fromBytes = RECORD_DECODERS[ev.name]!(ev.record!);
    const fromText = DECODERS[ev.name]!({ ...ev, text: ev.text, record: undefined }, { kprobe: () => undefined });
    expect(fromBytes, `${ev.name} declined ${JSON.stringify(ev.text)}`).toBeDefined();
    expect(fromBytes, `${ev.name} ${JSON.stringify(ev.text)}`).toEqual(fromText);
    seen.set(ev.name, (seen.get(ev.name) ?? 0) + 1);
  }
  return seen;
}

describe('record decoders give the text decoders\' fields', () => {
  it('bundled 6.1 trace.dat: rss_stat by type, the sched and signal events, exit_mmap, the oom events', async () => {
    const { events } = await parseAll([join(SAMPLES_DIR, 'binary/6.1/kvm_mn_eagain/trace.dat')]);
    const seen = compare(events);
    for (const name of ['kmem:rss_stat', 'sched:sched_process_exit', 'sched:sched_process_fork', 'signal:signal_generate', 'mmap:exit_mmap', 'oom:mark_victim', 'oom:wake_reaper']) {
      expect(seen.get(name) ?? 0, name).toBeGreaterThan(0);
    }
  });

  it('bundled 6.1 perf.data', async () => {
    const data = join(tmp, 'perf.data');
    writeFileSync(data, gunzipSync(readFileSync(join(SAMPLES_DIR, 'binary/6.1/kvm_mn_eagain/perf.data.gz'))));
    const seen = compare((await parseAll([data])).events);
    expect(seen.get('kmem:rss_stat') ?? 0).toBeGreaterThan(0);
  });

  it.runIf(HAVE_SHARED)('5.10 trace.dat: rss_stat by member, mark_victim by pid', async () => {
    const seen = compare((await parseAll([join(SHARED_TRACES, '5.10/premature/trace.dat')])).events);
    expect(seen.get('kmem:rss_stat') ?? 0).toBeGreaterThan(0);
    expect(seen.get('oom:mark_victim') ?? 0).toBeGreaterThan(0);
  });
});
