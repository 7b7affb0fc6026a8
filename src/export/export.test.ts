import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../types/event.ts';
import { EVENT_COLUMNS } from './columns.ts';
import { createCsvWriter } from './csv.ts';
import { guardCell, unguardCell } from '../../parsers/common/formula-guard.ts';
import { createJsonlWriter } from './jsonl.ts';
import type { EventWriter } from './writer.ts';

async function written(make: (out: Writable) => EventWriter, events: TraceEvent[]): Promise<string> {
  let text = '';
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  const w = make(out);
  for (const ev of events) w.write(ev);
  await w.end();
  expect(out.writableFinished).toBe(true);
  return text;
}

const victim: TraceEvent = {
  ts: 9_007_199_254_740_993_123n,
  cpu: -1,
  pid: 377,
  comm: '-oom-victim',
  name: 'oom:mark_victim',
  text: 'pid=377 uid=0 comm=stress',
  fields: { pid: 377, total_vm: 2n ** 64n - 1n, comm: 'stress', hex: '0xffff', ok: true, none: null },
  src: { file: '=trace.txt', line: 12, offset: 3456 },
};

describe('formula guard', () => {
  it('prefixes risky cells and undoes exactly that', () => {
    for (const s of ['=1', '+1', '-1', '@a', '\tx', '\rx', "'=1", "''+1", ' =1', '\u0001 \u009b=1', "' \t@a"]) {
      expect(guardCell(s)).toBe(`'${s}`);
      expect(unguardCell(guardCell(s))).toBe(s);
    }
    for (const s of ['', 'init', "'x", "'", ' x=1', '1-2', 'a=b']) {
      expect(guardCell(s)).toBe(s);
      expect(unguardCell(s)).toBe(s);
    }
  });
});

describe('csv writer', () => {
  it('writes the header first, even with no events', async () => {
    expect(await written(createCsvWriter, [])).toBe(`${EVENT_COLUMNS.join(',')}\n`);
  });

  it('guards text cells and leaves our numbers alone', async () => {
    const lines = (await written(createCsvWriter, [victim, { ...victim, tgid: 370, flags: 'd..1.' }])).split('\n');
    expect(lines).toEqual([
      'ts_ns,cpu,pid,tgid,comm,name,flags,text,file,line,offset',
      "9007199254740993123,-1,377,,'-oom-victim,oom:mark_victim,,pid=377 uid=0 comm=stress,'=trace.txt,12,3456",
      "9007199254740993123,-1,377,370,'-oom-victim,oom:mark_victim,d..1.,pid=377 uid=0 comm=stress,'=trace.txt,12,3456",
      '',
    ]);
  });
});

describe('jsonl writer', () => {
  it('writes one object per event, exact timestamps and bigints as digits', async () => {
    const plain = { ...victim, fields: undefined, tgid: 370 };
    const lines = (await written(createJsonlWriter, [victim, plain])).split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0]!)).toEqual({
      ts_ns: '9007199254740993123', cpu: -1, pid: 377, comm: '-oom-victim', name: 'oom:mark_victim',
      text: 'pid=377 uid=0 comm=stress', file: '=trace.txt', line: 12, offset: 3456,
      fields: { pid: 377, total_vm: '18446744073709551615', comm: 'stress', hex: '0xffff', ok: true, none: null },
    });
    expect(Object.keys(JSON.parse(lines[1]!))).toEqual(['ts_ns', 'cpu', 'pid', 'tgid', 'comm', 'name', 'text', 'file', 'line', 'offset']);
  });

  it('writes lines in batches (not a write per line), and what it holds when asked whether the output is drained', async () => {
    let text = '';
    let writes = 0;
    const out = new Writable({
      write(chunk: Buffer, _enc, done) {
        text += chunk.toString();
        writes++;
        done();
      },
    });
    const w = createJsonlWriter(out);
    for (let i = 0; i < 3; i++) w.write({ ...victim, fields: undefined });
    expect(text).toBe('');
    await w.drained();
    await new Promise((resolve) => setImmediate(resolve));
    expect(text.split('\n')).toHaveLength(4);
    for (let i = 0; i < 5000; i++) w.write(victim);
    await w.end();
    const lines = text.split('\n');
    expect(lines).toHaveLength(5004);
    expect(JSON.parse(lines[5002]!).fields.total_vm).toBe('18446744073709551615');
    expect(writes).toBeLessThan(50);
  });

  it('rejects end() when the output fails', async () => {
    const out = new Writable({ write: (_c, _e, done) => done(new Error('disk full')) });
    const w = createJsonlWriter(out);
    w.write(victim);
    await expect(w.end()).rejects.toThrow('disk full');
  });
});
