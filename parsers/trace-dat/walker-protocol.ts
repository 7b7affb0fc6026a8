// Messages between the trace.dat reader and its walker threads. A walker decodes and
// walks the chunks of some CPUs and sends only what the main thread needs: the wanted
// records (payload bytes packed), losses and damage, in each CPU's order, in batches.
import type { PageLayout } from '../common/tracing-data.ts';
import type { Compression, CpuData } from './header.ts';

/** Numbers per packed item: kind, raw time, a, at, b, record, page, file offset. */
export const ROW = 8;

/** Item kinds. */
export const EVENT = 0; // a wanted record, counted by the walker: a = type, at/b = payload place and length
export const RESOLVE = 1; // a record of a type not resolved yet: the main thread resolves (and counts) it
export const LOST = 2; // a page's missed-events flag: a = count (-1: not stored)
export const DAMAGE = 3; // a = index into notes (what was expected), at = 1 when the stream ends there, b = 1 when the time is known

export interface WalkerStream {
  /** Index of the stream in the reader's merge. */
  id: number;
  data: CpuData;
  pageSize: number;
  compression: Compression | undefined;
}

export interface WalkerStart {
  path: string;
  size: number;
  page: PageLayout;
  /** Per type id state, shared with the main thread, which resolves types as their first records arrive. */
  state: SharedArrayBuffer;
  streams: WalkerStream[];
  /**
   * Batches of each stream (by id) the main thread has taken, and at [streams] a counter it
   * bumps and notifies at each take: a walker ahead by MAX_OUT batches waits on it.
   */
  taken: SharedArrayBuffer;
}

export interface WalkerBatch {
  id: number;
  items: Float64Array;
  n: number;
  payload: Uint8Array;
  notes: string[];
  /** Last batch of the stream: its counted span and the per-type counts not sent before ([type, count] pairs). */
  done?: { spanFirst: number; spanLast: number; counts: number[] };
}

/** Batches of one stream that may wait unread at the main thread. */
export const MAX_OUT = 8;
