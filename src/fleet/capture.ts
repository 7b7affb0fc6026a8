// A capture of the fleet: its inputs (found as `reaplay compare` finds them), its id
// (sha256 of the inputs' bytes, so a copy elsewhere is the same capture and a re-run
// skips it) and the labels its path gives.
import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { resolvePath, type CaptureSpec } from '../compare/inputs.ts';
import type { CaptureInfo } from './tables-from-analysis.ts';

export async function contentHash(files: readonly string[]): Promise<string> {
  const h = createHash('sha256');
  for (const f of files) {
    // Each input's length first, so the split between inputs is part of the hash.
    const chunks: Buffer[] = [];
    for await (const c of createReadStream(f)) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    h.update(`${body.length}\n`);
    h.update(body);
  }
  return h.digest('hex');
}

/**
 * Labels from the path: `--label-from 'fleet/{host}/{kernel}/...'` matches the path's
 * last folders (or any, when it ends with `...`), `{name}` takes one folder as a label,
 * `*` skips one, `...` any number. No match: no labels.
 */
export function labelsFrom(pattern: string | undefined, path: string): Record<string, string> {
  if (!pattern) return {};
  const pat = pattern.split('/').filter(Boolean);
  const segs = path.split('/').filter((s) => s && s !== '.');
  const match = (i: number, j: number, got: Record<string, string>): Record<string, string> | undefined => {
    if (i === pat.length) return j === segs.length ? got : undefined;
    const p = pat[i]!;
    if (p === '...') {
      for (let k = j; k <= segs.length; k++) {
        const m = match(i + 1, k, got);
        if (m) return m;
      }
      return undefined;
    }
    if (j >= segs.length) return undefined;
    const s = segs[j]!;
    const name = /^\{(\w+)\}$/.exec(p)?.[1];
    if (name) return match(i + 1, j + 1, { ...got, [name]: s });
    if (p === '*' || p === s) return match(i + 1, j + 1, got);
    return undefined;
  };
  for (let start = 0; start < segs.length; start++) {
    const m = match(0, start, {});
    if (m) return m;
  }
  return {};
}

/** Every capture the paths and globs name, each once (by path). */
export function findCaptures(paths: readonly string[]): CaptureSpec[] {
  const seen = new Set<string>();
  const out: CaptureSpec[] = [];
  for (const p of paths) for (const c of resolvePath(p)) if (!seen.has(c.path)) seen.add(c.path), out.push(c);
  return out;
}

export async function captureInfo(spec: CaptureSpec, labelFrom?: string): Promise<CaptureInfo> {
  return { id: await contentHash(spec.files), path: spec.path, name: spec.name, files: spec.files, labels: labelsFrom(labelFrom, spec.path) };
}
