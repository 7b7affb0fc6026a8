// Importer for trace.dat (trace-cmd record, file versions 6 and 7): metadata from the
// header and sections, then every CPU's pages merged the way `trace-cmd report` prints
// them: smallest time first, ties to the earlier buffer (instance), then the lower CPU (as trace-cmd report merges them).
import type { BinaryImporter, ByteSource, ParseContext, ReaderSink } from '../importer.ts';
import type { DataLoss, StreamMeta } from '../../src/types/event.ts';
import { InputError } from '../common/input.ts';
import { Damage } from '../common/cursor.ts';
import { BinaryEvents } from '../common/binary-events.ts';
import { CpuStream, type Item, type RecordTarget, type StreamEnv } from './cpu-stream.ts';
import { type TraceDatHeader, UnsupportedTraceDat, openTraceDat } from './header.ts';
import { type ItemStream, type RemoteEnv, startWalkers, useWalkers, warmWalkers } from './walker-pool.ts';
import { sniffTraceDat } from './sniff.ts';

function releaseOf(uname: string | undefined): string | undefined {
  // "Linux host 6.1.0-27-amd64 #1 SMP …"
  return uname?.split(' ')[2];
}

/** Metadata read errors as the input's error: nothing can be read without it. */
async function metadata<T>(file: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof UnsupportedTraceDat) throw new InputError(file, e.message, 'not_a_trace');
    if (e instanceof Damage) throw new InputError(file, `trace.dat metadata is ${e.message}; no events could be read`, 'not_a_trace');
    throw e;
  }
}

async function read(src: ByteSource, ctx: ParseContext, meta: StreamMeta, sink: ReaderSink, pace?: () => Promise<void> | undefined): Promise<void> {
  const file = meta.file;
  const { header: h, rest } = await metadata(file, () => openTraceDat(src));
  meta.bytes = src.size;
  meta.cpus = h.cpuCount ?? Math.max(0, ...h.buffers.flatMap((b) => b.cpus.map((c) => c.cpu + 1)));
  meta.traceClock = h.buffers[0]?.clock || h.traceClock;
  const withData = h.buffers.filter((b) => b.cpus.length > 0);
  meta.buffers = withData.map((b) => b.name);
  meta.kernelRelease = releaseOf(h.uname);
  if (h.latency) throw new InputError(file, 'a latency-format trace.dat (text data) is not supported: give the text of `trace-cmd report`', 'not_a_trace');
  // Damage the metadata's reading went past: that of the layout now, that of the sections read later (rest) then.
  let noted = 0;
  const noteDamages = (): void => {
    for (const d of h.damages.slice(noted)) ctx.diag.add('damaged_binary', { file, line: 0, offset: d.offset }, d.message);
    noted = h.damages.length;
  };
  noteDamages();
  const events = new BinaryEvents(ctx, file, h.data, true);
  // Known from the formats alone: the walk need not stop at each type's first record.
  events.presolve();
  const loss = (l: DataLoss): void => {
    meta.losses.push(l);
    sink.loss(l);
  };
  const { offsetNs, tsc2nsec } = h;
  // As trace-cmd prints them: TSC2NSEC's multiply and shift (in 64 bits), then DATE and OFFSET.
  const time = tsc2nsec
    ? (ts: number): bigint => BigInt.asUintN(64, ((BigInt(ts) * tsc2nsec.mult) >> tsc2nsec.shift) + offsetNs)
    : offsetNs !== 0n ? (ts: number): bigint => BigInt.asUintN(64, BigInt(ts) + offsetNs) : (ts: number): bigint => BigInt(ts);
  // Records built into events in this thread (pages walked here, or records sent by walker
  // threads); one target per buffer, so an instance's records name it in their source.
  const targetOf = (instance: string): RecordTarget => ({
    state: events.state,
    counts: events.counts,
    wanted: (type, b, base, len) => events.wanted(type, b, base, len),
    item(type, b, view, base, len, ts, cpu, offset, record, page, held) {
      const pid = view.getInt32(base + 4, true);
      const src = instance ? { file, line: 0, offset, cpu, record, page, instance } : { file, line: 0, offset, cpu, record, page };
      const ev = events.event(type, b, base, len, time(ts), cpu, pid, events.commOf(pid), src, held ? view : undefined);
      return { ts, ev };
    },
    lost(ts, cpu, offset, record, page, count) {
      const loss: DataLoss = {
        kind: 'lost_events', cpu, ts: time(ts),
        src: { file, line: 0, offset, cpu, record, page, ...(instance ? { instance } : {}) },
        ...(count >= 0 ? { count } : {}),
      };
      return { ts, loss };
    },
  });
  const targets = new Map(h.buffers.map((b) => [b, targetOf(b.name)]));
  // Every buffer's CPUs in one merge, as `trace-cmd report` prints several buffers
  // (instances): smallest time first, ties to the earlier buffer, then the lower CPU.
  // A consumer that replays one buffer gets the first with data; the others are not walked.
  const walked = ctx.oneBuffer && withData.length > 1 ? [withData[0]!] : h.buffers;
  if (walked !== h.buffers) meta.unreadBuffers = withData.slice(1).map((b) => ({ name: b.name, bytes: b.cpus.reduce((n, c) => n + c.size, 0) }));
  const cpus = walked.flatMap((buffer) => [...buffer.cpus].sort((a, b) => a.cpu - b.cpu).map((data) => ({ buffer, data })));
  const dataBytes = cpus.reduce((n, c) => n + c.data.size, 0);
  const damage = (buffer: TraceDatHeader['buffers'][number]) => (cpu: number, offset: number, expected: string, ts: number | undefined, ends: boolean): DataLoss => {
    const what = `CPU ${cpu}${buffer.name ? ` of instance ${buffer.name}` : ''}: expected ${expected}`;
    ctx.diag.add('damaged_binary', { file, line: 0, offset, cpu }, `at offset ${offset} (0x${offset.toString(16)}), ${what}`);
    return { kind: 'events_dropped', cpu, ...(ts !== undefined ? { ts: time(ts) } : {}), ...(ends ? { tail: true } : {}), src: { file, line: 0, offset, cpu, ...(buffer.name ? { instance: buffer.name } : {}) } };
  };
  const pageSize = (buffer: TraceDatHeader['buffers'][number]): number => buffer.pageSize || h.pageSize;
  const compression = (buffer: TraceDatHeader['buffers'][number]) => (buffer.compressed ? h.compression : undefined);
  if (src.path !== undefined && useWalkers(dataBytes)) {
    // A large file: other threads decode and walk the pages; this one builds and merges what they send.
    const walkers = startWalkers({
      path: src.path, size: src.size, page: h.data.page, onlyCounts: ctx.names.countOnly,
      streams: cpus.map(({ buffer, data }) => {
        const env: RemoteEnv = { target: targets.get(buffer)!, damage: damage(buffer) };
        return { data, pageSize: pageSize(buffer), compression: compression(buffer), env };
      }),
    }, events.state);
    try {
      // While the threads start and walk.
      await metadata(file, () => rest(events.needsSymbols()));
      noteDamages();
      events.prepare();
      await merge(walkers.streams);
    } finally {
      await walkers.close();
    }
  } else {
    await metadata(file, () => rest(events.needsSymbols()));
    noteDamages();
    await merge(cpus.map(({ buffer, data }) => {
      const env: StreamEnv = {
        src, file, target: targets.get(buffer)!, page: h.data.page, pageSize: pageSize(buffer), compression: compression(buffer), time, damage: damage(buffer),
      };
      return new CpuStream(env, data);
    }));
  }
  events.finish();

  async function merge(streams: ItemStream[]): Promise<void> {
    const heads: (Item | undefined)[] = await Promise.all(streams.map((s) => s.next()));
    let n = 0;
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const it = heads[i];
        if (it && (best < 0 || it.ts < heads[best]!.ts)) best = i;
      }
      if (best < 0) break;
      const it = heads[best]!;
      if (it.ev) sink.event(it.ev);
      else if (it.loss) {
        loss(it.loss);
        if (it.loss.kind === 'lost_events') ctx.diag.add('lost_events', it.loss.src, `CPU ${it.loss.cpu}${it.loss.count !== undefined ? `, ${it.loss.count} events` : ''}`);
      }
      const h = streams[best]!.next();
      heads[best] = h instanceof Promise ? await h : h;
      if ((++n & 1023) === 0) {
        const wait = pace?.();
        if (wait) await wait;
      }
    }
    // Records only counted (`parse --stats`) still give the span of what was selected.
    for (const s of streams) {
      if (s.spanFirst < 0) continue;
      const first = time(s.spanFirst);
      const last = time(s.spanLast);
      if (meta.firstTs === undefined || first < meta.firstTs) meta.firstTs = first;
      if (meta.lastTs === undefined || last > meta.lastTs) meta.lastTs = last;
    }
  }
}

export const traceDatImporter: BinaryImporter = {
  name: 'trace-dat',
  binary: true,
  sniffBytes: sniffTraceDat,
  warm(src, ctx) {
    if (src.path !== undefined) warmWalkers(src.size, ctx.names.countOnly);
  },
  read,
};
