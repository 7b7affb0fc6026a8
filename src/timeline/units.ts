// Captures are units: the events of one capture share one clock and one kernel; a
// verdict never mixes two captures. The parsers mark where a file starts a new trace
// (a second header, a new boot's banner: the `second_header` diagnostic); this file
// cuts the loaded inputs into pieces (input x segment) and groups the pieces that
// share a clock into captures, each replayed on its own.
//
// Grouping (docs/malformed-input.md#captures):
// - two segments of one file are never one capture (the header restarted the clock);
// - two traces are one capture when they sit in the same folder, name no different
//   kernels and their spans overlap; two traces in one folder that name different
//   kernels claim one capture but conflict: refused;
// - a kernel log joins the trace capture with the same kernel whose span it overlaps
//   (the one in its own folder first); a log naming another kernel than the trace in
//   its folder is refused; a log no trace claims is a capture of its own;
// - kprobe definitions are names, not events: every capture gets them.
import { dirname, resolve } from 'node:path';
import type { DataLoss, SourceRef, StreamMeta, TraceEvent } from '../types/event.ts';
import type { EventTally } from '../types/coverage.ts';
import type { LoadedCapture } from './load.ts';
import { ReaplayError } from '../types/errors.ts';
import { unreadableLosses } from './unreadable.ts';

/** One piece of one input: the whole input, or one of the traces a file holds. */
export interface CapturePart {
  file: string;
  format: StreamMeta['format'];
  /** When the file holds several traces: which one (1-based), of how many, from which line. */
  segment?: { index: number; of: number; line: number };
  kernelRelease?: string;
}

/** What a capture is made of, and why the inputs were cut (empty when they were not). */
export interface CaptureUnit {
  /** 1-based. */
  index: number;
  of: number;
  parts: CapturePart[];
}

interface Piece {
  meta: StreamMeta;
  seg: number;
  /** Segments of its file. */
  of: number;
  /** Line and offset where the segment starts (segment 0: the file's start). */
  start: { line: number; offset: number };
  role: 'trace' | 'log' | 'defs';
  release?: string;
  first?: bigint;
  last?: bigint;
  dir: string;
  events: TraceEvent[];
  untimed: TraceEvent[];
  losses: DataLoss[];
  group?: Group;
}

interface Group {
  pieces: Piece[];
  release?: string;
  first?: bigint;
  last?: bigint;
  dir: string;
}

const roleOf = (m: StreamMeta): Piece['role'] => (m.format === 'kernel-log' ? 'log' : m.format === 'kprobe-events' ? 'defs' : 'trace');
const dirOf = (file: string): string => (file === '-' ? '' : dirname(resolve(file)));

/** Where each file starts a new trace, from the parsers' `second_header` diagnostics. */
function segmentStarts(c: LoadedCapture): Map<string, SourceRef[]> {
  const starts = new Map<string, SourceRef[]>();
  const kept = c.ctx.diag.kept.filter((d) => d.code === 'second_header' && d.src);
  if (kept.length < c.ctx.diag.count('second_header')) {
    throw new ReaplayError('mixed_captures', `the inputs hold more than ${kept.length + 1} concatenated traces: split them into files of one trace each (at each '# tracer:' header or boot banner)`);
  }
  for (const d of kept) {
    const l = starts.get(d.src!.file) ?? [];
    l.push(d.src!);
    starts.set(d.src!.file, l);
  }
  for (const l of starts.values()) l.sort((a, b) => a.offset - b.offset);
  return starts;
}

function overlap(a: { first?: bigint; last?: bigint }, b: { first?: bigint; last?: bigint }): bigint | undefined {
  if (a.first === undefined || a.last === undefined || b.first === undefined || b.last === undefined) return undefined;
  const lo = a.first > b.first ? a.first : b.first;
  const hi = a.last < b.last ? a.last : b.last;
  return hi - lo;
}

const sameKernel = (a?: string, b?: string): boolean => a === undefined || b === undefined || a === b;

function widen(g: Group, p: Piece): void {
  g.pieces.push(p);
  p.group = g;
  g.release ??= p.release;
  if (p.first !== undefined && (g.first === undefined || p.first < g.first)) g.first = p.first;
  if (p.last !== undefined && (g.last === undefined || p.last > g.last)) g.last = p.last;
}

const name = (p: Piece): string => `${p.meta.file}${p.of > 1 ? ` (trace ${p.seg + 1} of ${p.of}, from line ${p.start.line})` : ''}`;
const kernelOf = (p: { release?: string }): string => (p.release ? `kernel ${p.release}` : 'an unnamed kernel');

function pieces(c: LoadedCapture): Piece[] {
  const starts = segmentStarts(c);
  const byFile = new Map<string, Piece[]>();
  const out: Piece[] = [];
  for (const meta of c.inputs) {
    const s = starts.get(meta.file) ?? [];
    const list: Piece[] = [];
    for (let seg = 0; seg <= s.length; seg++) {
      const at = seg === 0 ? { line: 1, offset: 0 } : { line: s[seg - 1]!.line, offset: s[seg - 1]!.offset };
      list.push({ meta, seg, of: s.length + 1, start: at, role: roleOf(meta), dir: dirOf(meta.file), events: [], untimed: [], losses: [] });
    }
    byFile.set(meta.file, list);
    out.push(...list);
  }
  const pieceOf = (src: SourceRef): Piece | undefined => {
    const list = byFile.get(src.file);
    if (!list) return undefined;
    let k = 0;
    while (k + 1 < list.length && list[k + 1]!.start.offset <= src.offset) k++;
    return list[k];
  };
  // Events whose source is no input (none expected) stay with the first piece.
  const fallback = out[0]!;
  for (const ev of c.events) {
    const p = pieceOf(ev.src) ?? fallback;
    p.events.push(ev);
    if (ev.ts >= 0n) {
      if (p.first === undefined || ev.ts < p.first) p.first = ev.ts;
      if (p.last === undefined || ev.ts > p.last) p.last = ev.ts;
    }
    if (ev.fields?.kind === 'kernel_version' && typeof ev.fields.release === 'string') p.release ??= ev.fields.release;
  }
  for (const ev of c.untimed) {
    const p = pieceOf(ev.src) ?? fallback;
    p.untimed.push(ev);
    if (ev.fields?.kind === 'kernel_version' && typeof ev.fields.release === 'string') p.release ??= ev.fields.release;
  }
  for (const l of c.losses) (pieceOf(l.src) ?? fallback).losses.push(l);
  // A one-trace input's release may come from its header (trace.dat, perf.data) rather than an event.
  // The input's own span counts too: its log lines the trace also holds were dropped as copies.
  for (const p of out) {
    if (p.of !== 1) continue;
    p.release ??= p.meta.kernelRelease;
    const { firstTs, lastTs } = p.meta;
    if (firstTs !== undefined && (p.first === undefined || firstTs < p.first)) p.first = firstTs;
    if (lastTs !== undefined && (p.last === undefined || lastTs > p.last)) p.last = lastTs;
  }
  return out;
}

/** Group the pieces into captures; throws `mixed_captures` when inputs that claim one capture conflict. */
function group(all: Piece[]): Group[] {
  // A segment of a multi-trace file with nothing in it (a trailing header) is no capture.
  const live = all.filter((p) => p.role === 'defs' || p.seg === 0 || p.events.length + p.untimed.length + p.losses.length > 0);
  const groups: Group[] = [];
  for (const p of live.filter((x) => x.role === 'trace')) {
    const g = groups.find((x) => !x.pieces.some((q) => q.meta === p.meta) && x.dir === p.dir && sameKernel(x.release, p.release) && (overlap(x, p) ?? 0n) >= 0n);
    const clash = groups.find((x) => !x.pieces.some((q) => q.meta === p.meta) && x.dir === p.dir && !sameKernel(x.release, p.release));
    if (!g && clash && p.of === 1 && clash.pieces.every((q) => q.of === 1)) {
      throw new ReaplayError('mixed_captures', `${name(p)} (${kernelOf(p)}) and ${name(clash.pieces[0]!)} (${kernelOf(clash)}) sit in one folder as one capture but name different kernels: not merged; pass each capture's inputs on their own`);
    }
    if (g) widen(g, p);
    else {
      const ng: Group = { pieces: [], dir: p.dir };
      widen(ng, p);
      groups.push(ng);
    }
  }
  const traceGroups = [...groups];
  for (const p of live.filter((x) => x.role === 'log')) {
    const fits = traceGroups.filter((g) => sameKernel(g.release, p.release) && (overlap(g, p) ?? 0n) >= 0n);
    const own = fits.filter((g) => g.dir === p.dir);
    const pick = own.length ? own : fits;
    if (pick.length === 1) {
      widen(pick[0]!, p);
      continue;
    }
    if (pick.length > 1) {
      // Equal claims: the largest overlap decides only when it is unique.
      const span = pick.map((g) => overlap(g, p));
      const best = span.reduce<bigint | undefined>((m, s) => (s !== undefined && (m === undefined || s > m) ? s : m), undefined);
      const top = pick.filter((_, i) => best !== undefined && span[i] === best);
      if (top.length === 1) {
        widen(top[0]!, p);
        continue;
      }
      throw new ReaplayError('mixed_captures', `${name(p)} could be the kernel log of ${pick.map((g) => name(g.pieces[0]!)).join(' or of ')}: the captures share a kernel and a clock range; pass each capture's inputs on their own`);
    }
    const mine = traceGroups.find((g) => g.dir === p.dir && !sameKernel(g.release, p.release));
    if (mine && traceGroups.length === 1) {
      throw new ReaplayError('mixed_captures', `${name(p)} (${kernelOf(p)}) and ${name(mine.pieces[0]!)} (${kernelOf(mine)}) name different kernels: not one capture; pass each capture's inputs on their own`);
    }
    const ng: Group = { pieces: [], dir: p.dir };
    widen(ng, p);
    groups.push(ng);
  }
  const defs = live.filter((x) => x.role === 'defs');
  if (groups.length === 0) {
    const ng: Group = { pieces: [], dir: '' };
    for (const d of defs) widen(ng, d);
    return [ng];
  }
  for (const g of groups) for (const d of defs) g.pieces.push(d);
  return groups;
}

/** The capture a group of pieces makes: its events, losses and coverage only. */
function loaded(c: LoadedCapture, g: Group): LoadedCapture {
  const inPieces = (list: (p: Piece) => TraceEvent[]): TraceEvent[] => g.pieces.flatMap(list);
  // Keep the merged order: a time sort of the pieces' events (stable: ties keep input order).
  const order = new Map<TraceEvent, number>();
  c.events.forEach((ev, i) => order.set(ev, i));
  const timed = inPieces((p) => p.events).sort((a, b) => order.get(a)! - order.get(b)!);
  const untimedOrder = new Map<TraceEvent, number>();
  c.untimed.forEach((ev, i) => untimedOrder.set(ev, i));
  const untimed = inPieces((p) => p.untimed).sort((a, b) => untimedOrder.get(a)! - untimedOrder.get(b)!);
  const losses = g.pieces.flatMap((p) => p.losses);
  const inputs = g.pieces.map((p): StreamMeta => {
    if (p.of === 1) return p.meta;
    return { ...p.meta, segments: 1, losses: p.losses, kernelRelease: p.release, firstTs: p.first, lastTs: p.last };
  });
  // Coverage per event name, counted again over this capture's events; a name that
  // never failed to decode has no undecodable event here either.
  const delivered = new Map<string, EventTally>();
  for (const ev of [...timed, ...untimed]) {
    const all = c.delivered.get(ev.name);
    if (!all) continue;
    let t = delivered.get(ev.name);
    if (!t) delivered.set(ev.name, (t = { delivered: 0, undecodable: 0 }));
    t.delivered++;
    if (all.undecodable > 0 && ev.fields === undefined && t.undecodable++ === 0) t.firstUndecodable = ev.src;
  }
  // Names present but not selected cannot be told apart per piece: they stay.
  const present = new Set([...c.present].filter((n) => !c.delivered.has(n) || delivered.has(n)));
  return { ...c, events: timed, untimed, inputs, losses, present, delivered };
}

/** The captures the loaded inputs hold: `[c]` itself when they are one. */
export function splitCaptures(loadedInputs: LoadedCapture): { capture: LoadedCapture; unit?: CaptureUnit }[] {
  // Lines that did not parse are data loss where they stand (src/timeline/unreadable.ts).
  const c = { ...loadedInputs, losses: [...loadedInputs.losses, ...unreadableLosses(loadedInputs)] };
  if (c.inputs.length === 0) return [{ capture: c }];
  const groups = group(pieces(c));
  if (groups.length <= 1) return [{ capture: c }];
  return groups.map((g, i) => ({
    capture: loaded(c, g),
    unit: {
      index: i + 1,
      of: groups.length,
      parts: g.pieces.map((p) => ({
        file: p.meta.file,
        format: p.meta.format,
        ...(p.of > 1 ? { segment: { index: p.seg + 1, of: p.of, line: p.start.line } } : {}),
        ...(p.release ? { kernelRelease: p.release } : {}),
      })),
    },
  }));
}

/** `capture 2 of 3: p_k.txt (trace 2 of 2, from line 16035), dmesg.txt`. */
export function captureLabel(u: CaptureUnit): string {
  const parts = u.parts.filter((p) => p.format !== 'kprobe-events').map((p) => `${p.file}${p.segment ? ` (trace ${p.segment.index} of ${p.segment.of}, from line ${p.segment.line})` : ''}`);
  return `capture ${u.index} of ${u.of}: ${parts.join(', ')}`;
}

/** The one capture of inputs a command takes whole; several are refused, never merged. */
export function oneCapture<T extends { unit?: CaptureUnit }>(all: readonly T[]): T {
  if (all.length > 1) throw new ReaplayError('mixed_captures', `the inputs hold ${all.length} captures that do not share a clock (${all.map((a) => captureLabel(a.unit!)).join('; ')}): this command takes one; 'reaplay check' replays each`);
  return all[0]!;
}
