// The scanners that replaced the quadratic regexes of issue 15 say what those regexes
// said: each old regex (kept here, in a test, as the reference) against its scanner on
// random strings over the characters that matter to it, and on real lines. The ReDoS
// check (redos.test.ts) shows the production code holds no such regex any more.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { lastDeclarator } from '../../parsers/common/format-file.ts';
import { parsePieces, symbolPair } from '../../parsers/common/print-fmt.ts';
import { isSnipLine } from '../../parsers/ftrace-text/markers.ts';
import { selectedClock } from '../../parsers/trace-dat/header.ts';
import { pageLayout } from '../../parsers/common/tracing-data.ts';
import { bare } from '../fleet/sql/clickhouse.ts';
import { batchOf } from '../fleet/dataset.ts';
import { existingProbe } from '../recipe/apply.ts';
import { countBefore } from '../bench/fleet.ts';
import { heading, linkTexts } from '../report/html/model-sections.ts';
import { shiftDumpPid, shiftHead } from '../bench/fleet-inputs.ts';
import { bundledCaptures, captureFile } from '../testing/captures.ts';

const RUNS = { numRuns: 3000, seed: 15 };
const over = (chars: string, max = 40) => fc.array(fc.constantFrom(...chars), { maxLength: max }).map((a) => a.join(''));
const words = (parts: string[], max = 8) => fc.array(fc.constantFrom(...parts), { maxLength: max }).map((a) => a.join(''));

describe('each scanner says what the regex it replaced said', () => {
  it('format-file: the last declarator and its [N]', () => {
    const old = (d: string) => {
      const m = /([A-Za-z_]\w*)\s*(\[[^\]]*\])?\s*$/.exec(d);
      return m ? [m[1]!, m[2]] : undefined;
    };
    fc.assert(fc.property(words(['int ', 'a', 'b_', '9', ' ', '[', ']', '16', '*', '\t', 'x[8]']), (d) => {
      expect(lastDeclarator(d)).toEqual(old(d));
    }), RUNS);
  });

  it('print-fmt: { KEY, "text" } pairs', () => {
    const old = (p: string) => {
      const m = /^\{\s*(.+?)\s*,\s*"((?:[^"\\]|\\.)*)"\s*\}$/s.exec(p);
      return m ? [m[1]!, m[2]!] : undefined;
    };
    const body = words(['1', ' ', ',', '"', '\\', 'a', '\\"', '\n', 'x,'], 10);
    fc.assert(fc.property(body, body, (k, v) => {
      for (const p of [`{${k},"${v}"}`, `{ ${k} , "${v}" }`, `{${k}${v}}`]) {
        const o = old(p);
        // A key of blanks only is no key (parseExpr refuses it either way).
        if (o && !o[0].trim()) continue;
        expect(symbolPair(p)).toEqual(o);
      }
    }), RUNS);
  });

  it('print-fmt: conversion specs', () => {
    const SPEC = /%([-#0 +]*)(\d*)(?:\.\d+)?(hh|h|ll|l|L|z|j|t)?([diouxXcsp%])/g;
    const old = (fmt: string) => [...fmt.matchAll(SPEC)].map((m) => [m.index, m[1], m[2], m[3] ?? '', m[4]]);
    fc.assert(fc.property(words(['%', '0', '-', ' ', '5', '.', '2', 'l', 'h', 'd', 'x', 's', 'q', 'p', 'L', 'z']), (fmt) => {
      // Without %p (whose symbol extension the scanner reads on), every spec and text piece matches.
      const f = fmt.replaceAll('p', 'u');
      const specs = parsePieces(f).filter((x) => typeof x !== 'string');
      expect(specs.map((s) => [s.flags, s.width ? String(Number(s.width)) : '', s.len, s.conv])).toEqual(
        old(f).filter((m) => m[4] !== '%').map((m) => [m[1], m[2] ? String(Number(m[2])) : '', m[3], m[4]]));
      expect(parsePieces(f).map((x) => (typeof x === 'string' ? x : '?')).join('').length).toBeLessThanOrEqual(f.length);
    }), RUNS);
  });

  it('markers: snip lines of a paste', () => {
    const SNIP_RE = /^\s*(?:\(?\.\.\.\s*(?:snip(?:ped)?|cut|trimmed|skipped|omitted)?[^.\n]{0,40}\.\.\.\)?|\[\s*(?:\.\.\.|…|snip(?:ped)?)\s*\]|<\s*snip\s*>|-+\s*snip\s*-+|\.{3,}|…)\s*$/i;
    const line = words(['.', '...', ' ', '(', ')', '[', ']', '<', '>', '-', 'snip', 'SNIPPED', 'cut', '…', 'x', 'lines', '\t', 'omitted '], 10);
    fc.assert(fc.property(line, (l) => void expect(isSnipLine(l)).toBe(SNIP_RE.test(l))), RUNS);
    for (const l of ['(...snipped...)', '[...]', '<snip>', '--- snip ---', '...', '…', ' [ snip ] ', '... 40 lines ...', 'x...']) expect(isSnipLine(l)).toBe(SNIP_RE.test(l));
  });

  it('trace-dat: the selected clock', () => {
    const old = (t: string) => /\[([^\]]+)\]/.exec(t)?.[1];
    fc.assert(fc.property(over('[]a b'), (t) => void expect(selectedClock(t)).toBe(old(t))), RUNS);
  });

  it('tracing data: the page layout from header_page', () => {
    const old = (h: string) => {
      const f = (name: string) => {
        const m = new RegExp(`field:[^;]*\\b${name};\\s*offset:(\\d+);\\s*size:(\\d+);`).exec(h);
        return m ? { offset: Number(m[1]), size: Number(m[2]) } : undefined;
      };
      const commit = f('commit') ?? { offset: 8, size: 8 };
      const data = f('data') ?? { offset: 16, size: 0 };
      return { commitOffset: commit.offset, commitSize: commit.size, dataOffset: data.offset };
    };
    const real = '\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n\tfield: char data;\toffset:16;\tsize:4080;\tsigned:1;\n';
    expect(pageLayout(real)).toEqual({ commitOffset: 8, commitSize: 8, dataOffset: 16 });
    fc.assert(fc.property(words(['field: ', 'u64 ', 'commit', 'data', 'xdata', ';', ' offset:8', ' size:4', '\t', '\n', 'field:']), (h) => void expect(pageLayout(h)).toEqual(old(h))), RUNS);
  });

  it('model page: headings and link texts of docs/model.md', () => {
    const oldH = (l: string) => {
      const h = /^#{1,6} (.*?)\s*(?:\{#([a-z0-9-]+)\})?\s*$/.exec(l);
      return h ? [h[0], h[1], h[2]] : undefined;
    };
    const oldL = (l: string) => l.replace(/\[([^\]]+)\]\([^)]*\)/g, '$1');
    fc.assert(fc.property(words(['#', '## ', ' ', 'T', '{#', 'a-1', 'A', '}', '\t']), (l) => void expect(heading(l)).toEqual(oldH(l))), RUNS);
    fc.assert(fc.property(words(['[', ']', '(', ')', 'a', ' ', '[x](y)']), (l) => void expect(linkTexts(l)).toBe(oldL(l))), RUNS);
    for (const l of readFileSync(new URL('../../docs/model.md', import.meta.url), 'utf8').split('\n')) {
      expect(heading(l)).toEqual(oldH(l));
      expect(linkTexts(l)).toBe(oldL(l));
    }
  });

  it('clickhouse: a query without its trailing ; and comments', () => {
    const old = (sql: string) => sql.replace(/;\s*(--[^\n]*\s*)*$/, '').trimEnd();
    fc.assert(fc.property(words(['SELECT 1', ';', ' ', '\n', '--', '-', 'c', "'", ';--x']), (q) => void expect(bare(q)).toBe(old(q))), RUNS);
  });

  it('fleet dataset: the batch of a part file', () => {
    const old = (f: string) => /part-([0-9a-z-]+)\.parquet$/.exec(f)?.[1];
    fc.assert(fc.property(words(['part-', 'a', '0', '-', '.parquet', '/', 'X', '_']), (f) => void expect(batchOf(f)).toBe(old(f))), RUNS);
  });

  it('recipe: an existing kprobe_events line', () => {
    const old = (l: string) => {
      const m = /^[pr]\d*:(\S+?)\/(\S+)\s+(.*)$/.exec(l);
      return m ? [m[1]!, m[2]!, m[3]!] : undefined;
    };
    fc.assert(fc.property(words(['p', 'r', '10', ':', '/', 'mn', 'x', ' ', '\t', 'sym', '//']), (l) => void expect(existingProbe(l)).toEqual(old(l))), RUNS);
  });

  it('fleet bench: the count before "analysed"', () => {
    const old = (t: string) => Number(/(\d+) analysed/.exec(t)?.[1]);
    fc.assert(fc.property(words(['1', '23', ' ', ' analysed', 'x', '\n']), (t) => void expect(countBefore(t, ' analysed')).toEqual(old(t))), RUNS);
  });

  it('fleet bench inputs: shifted heads and dump pids of the real captures', () => {
    const oldHead = (l: string, s: number, d: number) => l.replace(/^(\s*.*?-)(\d+)(\s+(?:\(\s*[\d-]+\)\s+)?\[\d{3}\]\s+(?:\S{4,5}\s+)?)(\d+)(\.\d+: )/, (_m, a: string, pid: string, b: string, secs: string, c: string) =>
      `${a}${Number(pid) <= 2 ? pid : Number(pid) + d}${b}${Number(secs) + s}${c}`);
    const oldDump = (l: string, d: number) => l.replace(/^(\[[^\]]*\]\s*\[\s*)(\d+)(\])/, (_m, a: string, pid: string, b: string) => `${a}${Number(pid) <= 2 ? pid : Number(pid) + d}${b}`);
    for (const c of bundledCaptures()) {
      for (const l of gunzipSync(readFileSync(captureFile(c, 'ftrace.txt')!)).toString('utf8').split('\n')) if (!l.startsWith('#')) expect(shiftHead(l, 1000, 70000)).toBe(oldHead(l, 1000, 70000));
      for (const l of gunzipSync(readFileSync(captureFile(c, 'dmesg.txt')!)).toString('utf8').split('\n')) expect(shiftDumpPid(l, 70000)).toBe(oldDump(l, 70000));
    }
  });
});
