// Glob expansion with node:fs (no shell): `*`, `?` and `[...]` within one path
// segment, `**` for any number of directories. Names starting with a dot match only
// a segment that starts with a dot. Results are sorted and keep the pattern's form
// (relative stays relative).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const hasMagic = (s: string): boolean => /[*?[]/.test(s);

/** One segment of a pattern as a regular expression over a file name. */
export function segmentRegExp(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = seg.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let body = seg.slice(i + 1, close);
      const negate = body[0] === '!' || body[0] === '^';
      if (negate) body = body.slice(1);
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]]/g, (m) => `\\${m}`)}]`;
      i = close;
    } else re += c.replace(/[.+^${}()|\\]/g, (m) => `\\${m}`);
  }
  return new RegExp(`^${re}$`);
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** Every existing path the pattern names; a pattern without magic names itself if it exists. */
export function expandGlob(pattern: string): string[] {
  if (!hasMagic(pattern)) return exists(pattern) ? [pattern] : [];
  const absolute = pattern.startsWith('/');
  const segs = pattern.split('/').filter((s, i) => s !== '' || i === 0);
  if (absolute) segs.shift();
  const out = new Set<string>();
  // `base` is the path as it will be printed; `fs` the same for the file system ('' is the cwd).
  const walk = (base: string, rest: string[]): void => {
    const dir = base === '' ? '.' : base;
    if (rest.length === 0) {
      if (exists(dir)) out.add(base);
      return;
    }
    const [seg, ...more] = rest as [string, ...string[]];
    const next = (name: string) => (base === '' ? name : base === '/' ? `/${name}` : join(base, name));
    if (seg === '**') {
      walk(base, more); // zero directories
      for (const name of list(dir)) if (!name.startsWith('.') && isDir(join(dir, name))) walk(next(name), rest);
      return;
    }
    if (!hasMagic(seg)) {
      walk(next(seg), more);
      return;
    }
    const re = segmentRegExp(seg);
    for (const name of list(dir)) {
      if (name.startsWith('.') && !seg.startsWith('.')) continue;
      if (!re.test(name)) continue;
      if (more.length && !isDir(join(dir, name))) continue;
      walk(next(name), more);
    }
  };
  walk(absolute ? '/' : '', segs);
  return [...out].sort();
}
