// Importer for trace.dat (trace-cmd record, file versions 6 and 7): metadata from the
// header and sections, then every CPU's pages merged the way `trace-cmd report` prints
// them: smallest time first, ties to the earlier buffer (instance), then the lower CPU (as trace-cmd report merges them).
import type { BinaryImporter, ByteSource, ParseContext, ReaderSink } from '../importer.ts';
import type { DataLoss, StreamMeta } from '../../src/types/event.ts';
import { InputError } from '../common/input.ts';
import { Damage } from '../common/cursor.ts';
import { BinaryEvents } from '../common/binary-events.ts';
import { CpuStream, type Item, type StreamEnv } from './cpu-stream.ts';
import { chunkDecoder, inlineDecoder } from './chunk-decoder.ts';
import { type TraceDatHeader, UnsupportedTraceDat, readTraceDatHeader } from './header.ts';
import { sniffTraceDat } from './sniff.ts';

function releaseOf(uname: string | undefined): string | undefined {
  // "Linux host 6.1.0-27-amd64 #1 SMP …"
  return uname?.split(' ')[2];
}

async function readHeader(src: ByteSource, file: string): Promise<TraceDatHeader> {
  try {
    return await readTraceDatHeader(src);
  } catch (e) {
    if (e instanceof UnsupportedTraceDat) throw new InputError(file, e.message, 'not_a_trace');
    if (e instanceof Damage) throw new InputError(file, `trace.dat metadata is ${e.message}; no events could be read`, 'not_a_trace');
    throw e;
  }
}

async function read(src: ByteSource, ctx: ParseContext, meta: StreamMeta, sink: ReaderSink, pace?: () => Promise<void> | undefined): Promise<void> {
  const file = meta.file;
  const h = await readHeader(src, file);
  meta.bytes = src.size;
  meta.cpus = h.cpuCount ?? Math.max(0, ...h.buffers.flatMap((b) => b.cpus.map((c) => c.cpu + 1)));
  meta.traceClock = h.buffers[0]?.clock || h.traceClock;
  meta.kernelRelease = releaseOf(h.uname);
  if (h.latency) throw new InputError(file, 'a latency-format trace.dat (text data) is not supported: give the text of `trace-cmd report`', 'not_a_trace');
  for (const d of h.damages) ctx.diag.add('damaged_binary', { file, line: 0, offset: d.offset }, d.message);
  const events = new BinaryEvents(ctx, file, h.data, true);
  const loss = (l: DataLoss): void => {
    meta.losses.push(l);
    sink.loss(l);
  };
  const { offsetNs, tsc2nsec } = h;
  // As trace-cmd prints them: TSC2NSEC's multiply and shift (in 64 bits), then DATE and OFFSET.
  const time = tsc2nsec
    ? (ts: number): bigint => BigInt.asUintN(64, ((BigInt(ts) * tsc2nsec.mult) >> tsc2nsec.shift) + offsetNs)
    : offsetNs !== 0n ? (ts: number): bigint => BigInt.asUintN(64, BigInt(ts) + offsetNs) : (ts: number): bigint => BigInt(ts);
  const compressed = h.buffers.filter((b) => b.compressed).flatMap((b) => b.cpus).reduce((n, c) => n + c.size, 0);
  const decoder = chunkDecoder(h.compression, compressed);
  try {
    // Every buffer's CPUs in one merge, as `trace-cmd report` prints several buffers
    // (instances): smallest time first, ties to the earlier buffer, then the lower CPU.
    await merge(h.buffers.flatMap(streamsOf));
  } finally {
    await decoder.close();
  }
  events.finish();

  function streamsOf(buffer: TraceDatHeader['buffers'][number]): CpuStream[] {
    const env: StreamEnv = {
      src, file, events, page: h.data.page, pageSize: buffer.pageSize || h.pageSize,
      compression: buffer.compressed ? h.compression : undefined,
      // A worker decodes ahead while this thread walks; in this thread, one chunk at a time.
      decoder, ahead: decoder === inlineDecoder ? 1 : 16,
      time,
      damage(cpu, offset, expected, ts) {
        const what = `CPU ${cpu}${buffer.name ? ` of instance ${buffer.name}` : ''}: expected ${expected}`;
        ctx.diag.add('damaged_binary', { file, line: 0, offset, cpu }, `at offset ${offset} (0x${offset.toString(16)}), ${what}`);
        return { kind: 'events_dropped', cpu, ...(ts !== undefined ? { ts: time(ts) } : {}), src: { file, line: 0, offset, cpu } };
      },
    };
    return [...buffer.cpus].sort((a, b) => a.cpu - b.cpu).map((c) => new CpuStream(env, c));
  }

  async function merge(streams: CpuStream[]): Promise<void> {
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
      heads[best] = await streams[best]!.next();
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
  read,
};
