// Lazy key=value reader for events without a decoder (sched_switch, irq, syscalls, …).
// Millions of such events are kept raw; the text is only read when a field is asked for.
import type { Fields, FieldValue } from '../types/event.ts';
import { normHex } from './decoder.ts';
import { isDecimal, unquote, wide } from './fields.ts';

const HEX_VALUE = /^0x[0-9a-f]+$/i;

/** A printed value by its look: `0x…` → normalized hex, decimal → number, else the text. */
export function guessValue(v: string): FieldValue {
  if (HEX_VALUE.test(v)) return normHex(v);
  if (isDecimal(v)) return wide(v);
  return unquote(v);
}

// prev_comm=bash prev_pid=4100 prev_prio=120 prev_state=S ==> next_comm=swapper/1 next_pid=0
// file-rss:4kB      (a few formats separate with `:`)
const PAIR = /(?:^|\s)([A-Za-z_][\w.-]*)(?:=("[^"]*"|\S*)|:(\S+))/g;

/** Every `key=value` / `key:value` pair of `text`; task names stay text. */
export function readKeyValues(text: string, into: Fields = {}): Fields {
  for (const m of text.matchAll(PAIR)) {
    const key = m[1]!;
    if (key === '__proto__') continue;
    const raw = m[2] ?? m[3]!;
    into[key] = key.endsWith('comm') ? raw : guessValue(raw);
  }
  return into;
}

/** Fields of any event's text, read on first access. */
export function decodeGeneric(text: string): Fields {
  const store: Fields = {};
  let read = false;
  const load = (): Fields => {
    if (!read) {
      read = true;
      readKeyValues(text, store);
    }
    return store;
  };
  return new Proxy(store, {
    get: (_t, k, receiver) => Reflect.get(load(), k, receiver),
    has: (_t, k) => Reflect.has(load(), k),
    ownKeys: () => Reflect.ownKeys(load()),
    getOwnPropertyDescriptor: (_t, k) => Reflect.getOwnPropertyDescriptor(load(), k),
    set: (_t, k, v) => Reflect.set(load(), k, v),
    deleteProperty: (_t, k) => Reflect.deleteProperty(load(), k),
    defineProperty: (_t, k, d) => Reflect.defineProperty(load(), k, d),
  });
}
