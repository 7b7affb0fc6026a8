// kmem:rss_stat (include/trace/events/kmem.h). 5.5–5.12 print the counter as an index
// (`member=%d`), later kernels by name (`type=%s`); both forms yield `type`.
import type { Decoder } from './decoder.ts';
import type { Fields } from '../types/event.ts';
import { int, onText, wide } from './fields.ts';
import { type RecordDecoder, fromRecord } from './record.ts';

/** enum mm_counter order, as in the 5.5–5.12 kernels that print `member=`. */
export const MM_COUNTERS = ['MM_FILEPAGES', 'MM_ANONPAGES', 'MM_SWAPENTS', 'MM_SHMEMPAGES'] as const;

// mm_id=2717296521 curr=0 type=MM_ANONPAGES size=7516192768B
// mm_id=2717296521 curr=0 member=1 size=7516192768B
const RSS_STAT = /^mm_id=(\d+) curr=(-?\d+) (?:member=(-?\d+)|type=(\w+)) size=(-?\d+)B$/;

function rssStat(text: string): Fields | undefined {
  const m = RSS_STAT.exec(text);
  if (!m) return undefined;
  const f: Fields = { mm_id: int(m[1]!), curr: m[2] !== '0' };
  if (m[3] !== undefined) {
    const member = int(m[3]);
    f.member = member;
    f.type = MM_COUNTERS[member] ?? null;
  } else {
    f.type = m[4]!;
  }
  f.size = wide(m[5]!);
  return f;
}

export const KMEM_DECODERS: Record<string, Decoder> = {
  'kmem:rss_stat': onText(rssStat),
};

/** The two print fmts of kmem:rss_stat, as binary records carry them. */
export const RSS_PRINTF_BY_TYPE = 'mm_id=%u curr=%d type=%s size=%ldB';
export const RSS_PRINTF_BY_MEMBER = 'mm_id=%u curr=%d member=%d size=%ldB';

// The same fields from a binary record, for each of the two print formats.
const rssByType = fromRecord(RSS_PRINTF_BY_TYPE, (a) => ({ mm_id: a.u(0), curr: a.d(1) !== 0, type: a.s(2), size: a.ld(3) }));
const rssByMember = fromRecord(RSS_PRINTF_BY_MEMBER, (a) => {
  const member = a.d(2);
  return { mm_id: a.u(0), curr: a.d(1) !== 0, member, type: MM_COUNTERS[member] ?? null, size: a.ld(3) };
});

export const KMEM_RECORD_DECODERS: Record<string, RecordDecoder> = {
  'kmem:rss_stat': (r) => rssByType(r) ?? rssByMember(r),
};
