// Test helpers: events of a binary trace side by side with those of its text rendering.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DataLoss, TraceEvent } from '../types/event.ts';
import { HAVE_SHARED, SHARED_TRACES, type Capture } from './captures.ts';
import { newContext, parseInputs } from '../ingest/parse-inputs.ts';

export interface Parsed {
  events: TraceEvent[];
  diag: Record<string, number>;
  losses: DataLoss[];
}

export async function parseAll(files: string[], events?: readonly string[]): Promise<Parsed> {
  const out: TraceEvent[] = [];
  const losses: DataLoss[] = [];
  const ctx = newContext(events);
  await parseInputs(files, { context: ctx, onEvent: (e) => out.push(e), onLoss: (l) => losses.push(l) });
  return { events: out, diag: Object.fromEntries(ctx.diag.counts), losses };
}

/** ns → the µs `trace-cmd report` prints (6 decimals, rounded half up). */
export function reportMicros(ns: bigint): bigint {
  return (ns + 500n) / 1000n;
}

/** ns → the µs `perf script` prints (truncated). */
export function perfMicros(ns: bigint): bigint {
  return ns / 1000n;
}

/** What must agree between the two readings of one record. */
export function key(e: TraceEvent, micros: (ns: bigint) => bigint): string {
  return JSON.stringify({ name: e.name, cpu: e.cpu, pid: e.pid, comm: e.comm, us: String(micros(e.ts)), fields: e.fields ?? null },
    (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
}

/** The first place two event lists differ, or undefined when they agree. */
export function firstDifference(a: TraceEvent[], b: TraceEvent[], micros: (ns: bigint) => bigint): string | undefined {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ? key(a[i]!, micros) : 'none';
    const y = b[i] ? key(b[i]!, micros) : 'none';
    if (x !== y) return `#${i}: ${x} | ${a[i]?.text}\n   vs ${y} | ${b[i]?.text}`;
    if (a[i]!.text !== b[i]!.text) return `#${i} text: ${JSON.stringify(a[i]!.text)}\n   vs ${JSON.stringify(b[i]!.text)}`;
  }
  if (a.length !== b.length) return `lengths ${a.length} vs ${b.length}`;
  return undefined;
}

/**
 * What `check` concluded, without what depends on how the input cites or rounds time:
 * sources (file:line vs cpu/record) and times (µs text vs ns records) are dropped.
 */
export function verdicts(a: { victims: unknown; findings: unknown }): unknown {
  const strip = (v: unknown, key = ''): unknown => {
    if (Array.isArray(v)) return v.map((x) => strip(x));
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if ('file' in o && 'offset' in o) return 'src';
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(o)) {
        if (/(?:^|[a-z])(?:At|at|ts)$|^latency$/.test(k)) continue;
        out[k] = strip(x, k);
      }
      return out;
    }
    if (typeof v === 'bigint') return /(?:At|at|ts)$/.test(key) ? 'time' : String(v);
    return v;
  };
  return strip({ victims: a.victims, findings: a.findings });
}

/** Every capture of ../shared/traces (the haystack-dat included) that has all of `files`. */
export function sharedWith(...files: string[]): Capture[] {
  if (!HAVE_SHARED) return [];
  const out: Capture[] = [];
  for (const k of readdirSync(SHARED_TRACES, { withFileTypes: true })) {
    if (!k.isDirectory()) continue;
    for (const s of readdirSync(join(SHARED_TRACES, k.name), { withFileTypes: true })) {
      const dir = join(SHARED_TRACES, k.name, s.name);
      if (s.isDirectory() && files.every((f) => existsSync(join(dir, f)))) out.push({ id: `${k.name}/${s.name}`, dir, bundled: false });
    }
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}
