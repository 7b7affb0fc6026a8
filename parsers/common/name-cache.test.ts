// Event names from their bytes: UTF-8, with controls and invalid bytes shown as \xNN,
// and a name that held either is reported, never taken silently as a new event.
import { describe, expect, it } from 'vitest';
import { decodeName, NameCache } from './name-cache.ts';
import { EventNames } from './event-names.ts';
import { ftraceImporter } from '../ftrace-text/index.ts';
import { feed } from '../../src/testing/feed.ts';

const bytes = (...parts: (string | number[])[]): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('decodeName', () => {
  it('plain ASCII names are taken as they are', () => {
    const b = bytes('mark_victim');
    expect(decodeName(b, 0, b.length)).toEqual({ text: 'mark_victim', suspect: false });
  });
  it('well-formed UTF-8 is decoded as UTF-8, never latin1', () => {
    const b = bytes('caf', [0xc3, 0xa9]);
    expect(decodeName(b, 0, b.length)).toEqual({ text: 'café', suspect: false });
  });
  it('NUL, ESC, C1 bytes, cut and overlong sequences are shown as \\xNN', () => {
    const b = bytes('mark', [0], 'victim', [0x1b], '[31m', [0x9b], 'x', [0xc3], 'y', [0xc0, 0xaf], [0xe2, 0x80]);
    expect(decodeName(b, 0, b.length)).toEqual({ text: 'mark\\x00victim\\x1b[31m\\x9bx\\xc3y\\xc0\\xaf\\xe2\\x80', suspect: true });
  });
});

describe('tracefs text with a damaged event name', () => {
  it('keeps the event under its escaped name and reports each line', () => {
    const line = (name: Buffer): Buffer => bytes('          victim-385     [001] .....    12.512232: ', [...name], ': pid=385\n');
    const data = Buffer.concat([line(bytes('mark', [0], 'victim')), line(bytes('mark_victim')), line(bytes('mark', [0], 'victim'))]);
    const { events, ctx } = feed(ftraceImporter, data);
    expect(events.map((e) => e.name)).toEqual(['?:mark\\x00victim', 'oom:mark_victim', '?:mark\\x00victim']);
    expect(ctx.diag.count('bad_event_name')).toBe(2);
    expect(ctx.diag.kept.find((d) => d.code === 'bad_event_name')?.src?.line).toBe(1);
  });
});

describe('NameCache', () => {
  it('tells apart names that share their length and first and last four bytes, or overlap in both', () => {
    const cache = new NameCache(new EventNames(undefined), 'short');
    const names = ['mark_victim', 'mark_Victim', 'markXvictim', 'sys_enter', 'sys_Enter', 'abcdefgh', 'abcdXfgh', 'abcde', 'abxde', 'abcd', 'ab', 'a', 'ab', 'mark_victim'];
    const look = (n: string): string => {
      const b = Buffer.from(`xx ${n} yy`, 'latin1');
      return cache.lookup(b, 3, 3 + n.length).entry.event;
    };
    // Twice over: the second round finds every name among the recent ones.
    for (let round = 0; round < 2; round++) expect(names.map(look)).toEqual(names);
  });
});
