// The columns of a normalized event table. Every exporter writes them and the CSV
// importer reads them back by name, so an exported table replays without a mapping.
import type { TraceEvent } from '../types/event.ts';

export const EVENT_COLUMNS = [
  'ts_ns', 'cpu', 'pid', 'tgid', 'comm', 'name', 'flags', 'text', 'file', 'line', 'offset',
] as const;

export type EventColumn = (typeof EVENT_COLUMNS)[number];

/** Columns holding text taken from a trace (attacker-controlled), as opposed to numbers we print. */
export const TEXT_COLUMNS: ReadonlySet<EventColumn> = new Set<EventColumn>(['comm', 'name', 'flags', 'text', 'file']);

/** One event as a table row; `undefined` where the event does not say (tgid, flags). */
export interface EventRow {
  /** Integer nanoseconds in decimal digits: exact beyond 2^53. */
  ts_ns: string;
  cpu: number;
  pid: number;
  tgid: number | undefined;
  comm: string;
  name: string;
  flags: string | undefined;
  text: string;
  file: string;
  line: number;
  offset: number;
}

export function eventRow(ev: TraceEvent): EventRow {
  return {
    ts_ns: ev.ts.toString(),
    cpu: ev.cpu,
    pid: ev.pid,
    tgid: ev.tgid,
    comm: ev.comm,
    name: ev.name,
    flags: ev.flags,
    text: ev.text,
    file: ev.src.file,
    line: ev.src.line,
    offset: ev.src.offset,
  };
}
