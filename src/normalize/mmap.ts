// mmap:exit_mmap (include/trace/events/mmap.h, 6.1+). The maple tree pointer is printed
// with `%p`: tracefs hashes it (32 bits, `00000000aace2428`), trace-cmd and perf print the
// raw pointer (`0xffff8de141061f80`). The value is kept as printed; the two never compare.
import type { Decoder } from './decoder.ts';
import type { Fields } from '../types/event.ts';
import { onText } from './fields.ts';
import { type RecordDecoder, fromRecord } from './record.ts';

// mt_mod 00000000aace2428, DESTROY
// mt_mod 0xffff8de141061f80, DESTROY
// mt_mod (____ptrval____), DESTROY      (hashing not ready yet at early boot)
const EXIT_MMAP = /^mt_mod (\S+), DESTROY$/;
const HASHED = /^(?:0{8}[0-9a-f]{8}|\(_+ptrval_+\))$/;

function exitMmap(text: string): Fields | undefined {
  const m = EXIT_MMAP.exec(text);
  if (!m) return undefined;
  return { mt: m[1]!, mt_hashed: HASHED.test(m[1]!) };
}

export const MMAP_DECODERS: Record<string, Decoder> = {
  'mmap:exit_mmap': onText(exitMmap),
};

export const MMAP_RECORD_DECODERS: Record<string, RecordDecoder> = {
  'mmap:exit_mmap': fromRecord('mt_mod %p, DESTROY\n', (a) => {
    const mt = a.p(0);
    return { mt, mt_hashed: HASHED.test(mt) };
  }),
};
