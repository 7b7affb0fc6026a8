// journalctl `-o json` (one JSON object a line) and `-o export` (`KEY=value` lines,
// records separated by a blank line): the kernel's records become messages with the
// printk time (`_SOURCE_MONOTONIC_TIMESTAMP`, µs) or else the wall time
// (`__REALTIME_TIMESTAMP`, µs since the epoch). Other programs' records are skipped.

export interface JournalRecord {
  /** Message text; undefined when the record is not the kernel's. */
  message?: string;
  /** printk time in ns, or -1n. */
  mono: bigint;
  /** Wall time in ns, or -1n. */
  wall: bigint;
}

function usToNs(v: unknown): bigint {
  if (typeof v !== 'string' && typeof v !== 'number') return -1n;
  const s = String(v);
  return /^\d{1,20}$/.test(s) ? BigInt(s) * 1000n : -1n;
}

/** MESSAGE as a string, or as the byte array journalctl prints for non-UTF-8 text. */
function messageOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((b) => typeof b === 'number' && b >= 0 && b < 256)) return Buffer.from(v as number[]).toString('utf8');
  return undefined;
}

function isKernel(f: Record<string, unknown>): boolean {
  return f._TRANSPORT === 'kernel' || (f._TRANSPORT === undefined && f.SYSLOG_IDENTIFIER === 'kernel');
}

export function fromFields(f: Record<string, unknown>): JournalRecord {
  const r: JournalRecord = { mono: usToNs(f._SOURCE_MONOTONIC_TIMESTAMP), wall: usToNs(f.__REALTIME_TIMESTAMP) };
  if (isKernel(f)) r.message = messageOf(f.MESSAGE);
  return r;
}

/** One `-o json` line; undefined when it is not a JSON object. */
export function parseJsonLine(s: string): JournalRecord | undefined {
  try {
    const v: unknown = JSON.parse(s);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    return fromFields(v as Record<string, unknown>);
  } catch {
    return undefined;
  }
}

/** `-o json` line: `{"__CURSOR" : …` or any object naming the journal's fields. */
export const JSON_RECORD = /^\{\s*"(?:__CURSOR|__REALTIME_TIMESTAMP|_TRANSPORT|MESSAGE|PRIORITY|_BOOT_ID)"\s*:/;
/** `-o export` field line. */
export const EXPORT_FIELD = /^(?<k>__CURSOR|__REALTIME_TIMESTAMP|__MONOTONIC_TIMESTAMP|__SEQNUM|__SEQNUM_ID|_[A-Z0-9_]+|[A-Z][A-Z0-9_]*)=(?<v>.*)$/;
