// signal:signal_generate (include/trace/events/signal.h).
import type { Decoder } from './decoder.ts';
import type { Fields } from '../types/event.ts';
import { int, onText } from './fields.ts';
import { type RecordDecoder, fromRecord } from './record.ts';

// sig=9 errno=0 code=128 comm=stress pid=4242 grp=1 res=0
const GENERATE = /^sig=(-?\d+) errno=(-?\d+) code=(-?\d+) comm=(.*) pid=(-?\d+) grp=(-?\d+) res=(-?\d+)$/s;

function signalGenerate(text: string): Fields | undefined {
  const m = GENERATE.exec(text);
  if (!m) return undefined;
  return {
    sig: int(m[1]!),
    errno: int(m[2]!),
    code: int(m[3]!),
    comm: m[4]!,
    pid: int(m[5]!),
    grp: int(m[6]!),
    res: int(m[7]!),
  };
}

export const SIGNAL_DECODERS: Record<string, Decoder> = {
  'signal:signal_generate': onText(signalGenerate),
};

export const SIGNAL_RECORD_DECODERS: Record<string, RecordDecoder> = {
  'signal:signal_generate': fromRecord('sig=%d errno=%d code=%d comm=%s pid=%d grp=%d res=%d', (a) => ({
    sig: a.d(0), errno: a.d(1), code: a.d(2), comm: a.s(3), pid: a.d(4), grp: a.d(5), res: a.d(6),
  })),
};
