// Where the real captures are: the ones bundled in samples/ (always there) and the
// full set in ../shared/traces beside the repository (when that folder exists).
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../../', import.meta.url)));
export const SAMPLES_DIR = join(REPO_ROOT, 'samples');
export const SHARED_TRACES = resolve(REPO_ROOT, '../shared/traces');
export const HAVE_SHARED = existsSync(SHARED_TRACES);

export interface Capture {
  /** `<kernel>/<scenario>` */
  id: string;
  dir: string;
  bundled: boolean;
}

function list(root: string, bundled: boolean): Capture[] {
  if (!existsSync(root)) return [];
  const out: Capture[] = [];
  for (const k of readdirSync(root, { withFileTypes: true })) {
    if (!k.isDirectory() || !/^\d+\.\d+/.test(k.name)) continue;
    for (const s of readdirSync(join(root, k.name), { withFileTypes: true })) {
      const dir = join(root, k.name, s.name);
      if (s.isDirectory() && existsSync(join(dir, 'truth.json'))) out.push({ id: `${k.name}/${s.name}`, dir, bundled });
    }
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

export const bundledCaptures = (): Capture[] => list(SAMPLES_DIR, true);

/** Bundled binary captures that carry their truth.json (samples/binary/<kernel>/<scenario>). */
export const bundledBinaryCaptures = (): Capture[] => list(join(SAMPLES_DIR, 'binary'), true);

/**
 * Captures of ../shared/traces that have the text formats (the haystack has only a
 * .zst), less the ones bundled in samples/ (the same bytes, tested there already).
 */
export function sharedCaptures(): Capture[] {
  const bundled = new Set(bundledCaptures().map((c) => c.id));
  return list(SHARED_TRACES, false).filter((c) => !bundled.has(c.id) && existsSync(join(c.dir, 'ftrace.txt.gz')));
}

/** A capture's file, plain or gzipped (`dmesg.txt` is bundled as `dmesg.txt.gz`). */
export function captureFile(c: Capture, name: string): string | undefined {
  for (const n of [name, `${name}.gz`]) if (existsSync(join(c.dir, n))) return join(c.dir, n);
  return undefined;
}
