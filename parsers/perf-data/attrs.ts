// perf_event_attr and the sample layouts it implies (include/uapi/linux/perf_event.h; tools/perf/Documentation/perf.data-file-format.txt).
export const SAMPLE = {
  IP: 1n << 0n, TID: 1n << 1n, TIME: 1n << 2n, ADDR: 1n << 3n, READ: 1n << 4n, CALLCHAIN: 1n << 5n, ID: 1n << 6n,
  CPU: 1n << 7n, PERIOD: 1n << 8n, STREAM_ID: 1n << 9n, RAW: 1n << 10n, IDENTIFIER: 1n << 16n,
};

export const READ_FORMAT = { ENABLED: 1n, RUNNING: 2n, ID: 4n, GROUP: 8n, LOST: 16n };

export interface Attr {
  type: number;
  config: bigint;
  sampleType: bigint;
  readFormat: bigint;
  sampleIdAll: boolean;
  ids: bigint[];
  name?: string;
  /** Offset of the RAW size word from the record start when fixed (no READ/CALLCHAIN before it), else -1. */
  rawOff: number;
}

export function parseAttr(b: Uint8Array): Attr {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const flags = b.length >= 48 ? v.getBigUint64(40, true) : 0n;
  return {
    type: v.getUint32(0, true),
    config: v.getBigUint64(8, true),
    sampleType: v.getBigUint64(24, true),
    readFormat: v.getBigUint64(32, true),
    sampleIdAll: (flags & (1n << 18n)) !== 0n,
    ids: [],
    rawOff: -1,
  };
}

/** Where RAW's size word is when every field before it has a fixed size, else -1. */
export function fixedRawOffset(t: bigint): number {
  if (!(t & SAMPLE.RAW) || t & SAMPLE.READ || t & SAMPLE.CALLCHAIN) return -1;
  let n = 8;
  for (const bit of [SAMPLE.IDENTIFIER, SAMPLE.IP, SAMPLE.TID, SAMPLE.TIME, SAMPLE.ADDR, SAMPLE.ID, SAMPLE.STREAM_ID, SAMPLE.CPU, SAMPLE.PERIOD]) if (t & bit) n += 8;
  return n;
}

const has = (t: bigint, bit: bigint): boolean => (t & bit) !== 0n;

/** Bytes of the sample_id trailer non-sample records carry when sample_id_all is set. */
export function trailerSize(t: bigint): number {
  let n = 0;
  if (has(t, SAMPLE.TID)) n += 8;
  if (has(t, SAMPLE.TIME)) n += 8;
  if (has(t, SAMPLE.ID)) n += 8;
  if (has(t, SAMPLE.STREAM_ID)) n += 8;
  if (has(t, SAMPLE.CPU)) n += 8;
  if (has(t, SAMPLE.IDENTIFIER)) n += 8;
  return n;
}

/** Where a SAMPLE record's id is (bytes after the 8-byte header), or -1 when it has none. */
export function sampleIdOffset(t: bigint): number {
  if (has(t, SAMPLE.IDENTIFIER)) return 0;
  if (!has(t, SAMPLE.ID)) return -1;
  let n = 0;
  if (has(t, SAMPLE.IP)) n += 8;
  if (has(t, SAMPLE.TID)) n += 8;
  if (has(t, SAMPLE.TIME)) n += 8;
  if (has(t, SAMPLE.ADDR)) n += 8;
  return n;
}

/** Where a non-sample record's id is, counted back from its end, or -1 when it has none. */
export function trailerIdFromEnd(t: bigint): number {
  if (has(t, SAMPLE.IDENTIFIER)) return 8;
  if (!has(t, SAMPLE.ID)) return -1;
  let n = 8;
  if (has(t, SAMPLE.STREAM_ID)) n += 8;
  if (has(t, SAMPLE.CPU)) n += 8;
  return n;
}

export interface SampleFields {
  pid: number;
  tid: number;
  time: bigint;
  cpu: number;
  /** Offset and length of the RAW payload in the record, or -1. */
  rawAt: number;
  rawLen: number;
}

/** Walks a SAMPLE record (`v` over the record, starting at its header) up to RAW; undefined when it overruns. */
export function readSample(v: DataView, start: number, size: number, a: Attr): SampleFields | undefined {
  const t = a.sampleType;
  const end = start + size;
  let p = start + 8;
  const out: SampleFields = { pid: -1, tid: -1, time: 0n, cpu: -1, rawAt: -1, rawLen: 0 };
  const need = (n: number): boolean => p + n <= end;
  if (has(t, SAMPLE.IDENTIFIER)) p += 8;
  if (has(t, SAMPLE.IP)) p += 8;
  if (has(t, SAMPLE.TID)) {
    if (!need(8)) return undefined;
    out.pid = v.getInt32(p, true);
    out.tid = v.getInt32(p + 4, true);
    p += 8;
  }
  if (has(t, SAMPLE.TIME)) {
    if (!need(8)) return undefined;
    out.time = v.getBigUint64(p, true);
    p += 8;
  }
  if (has(t, SAMPLE.ADDR)) p += 8;
  if (has(t, SAMPLE.ID)) p += 8;
  if (has(t, SAMPLE.STREAM_ID)) p += 8;
  if (has(t, SAMPLE.CPU)) {
    if (!need(8)) return undefined;
    out.cpu = v.getUint32(p, true);
    p += 8;
  }
  if (has(t, SAMPLE.PERIOD)) p += 8;
  if (has(t, SAMPLE.READ)) {
    const rf = a.readFormat;
    const extra = (has(rf, READ_FORMAT.ENABLED) ? 8 : 0) + (has(rf, READ_FORMAT.RUNNING) ? 8 : 0);
    const per = 8 + (has(rf, READ_FORMAT.ID) ? 8 : 0) + (has(rf, READ_FORMAT.LOST) ? 8 : 0);
    if (has(rf, READ_FORMAT.GROUP)) {
      if (!need(8)) return undefined;
      const nr = Number(v.getBigUint64(p, true));
      p += 8 + extra + nr * per;
    } else p += per + extra;
  }
  if (has(t, SAMPLE.CALLCHAIN)) {
    if (!need(8)) return undefined;
    const nr = Number(v.getBigUint64(p, true));
    p += 8 + nr * 8;
  }
  if (has(t, SAMPLE.RAW)) {
    if (!need(4)) return undefined;
    out.rawLen = v.getUint32(p, true);
    out.rawAt = p + 4;
    if (out.rawAt + out.rawLen > end) return undefined;
  }
  if (p > end) return undefined;
  return out;
}
