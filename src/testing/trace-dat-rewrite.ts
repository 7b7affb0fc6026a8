// Test helper: a v7 trace.dat rewritten section by section, for options a capture lacks
// (OFFSET, TSC2NSEC), a second BUFFER, or a kallsyms cut down so a bundled sample stays
// small. Every offset the options hold (sections, BUFFER and its CPU data, the next
// OPTIONS) is moved to match.
import { zstdFrame, zstdReady } from '../../parsers/common/zstd.ts';

export interface Rewrite {
  /** Options added to the first OPTIONS section, before its DONE option. */
  addOptions?: { id: number; body: Uint8Array }[];
  /**
   * Keep only these functions in the KALLSYMS section (`name` or `name [module]` as
   * kallsyms prints a module's), each with the symbol after it, which bounds its lookup; the
   * section is written uncompressed (`trace-cmd convert` compresses it again).
   */
  keepSymbols?: string[];
  /** BUFFER options left out, by name ('' = the top buffer): their data stays, unlisted. */
  dropBuffers?: string[];
}

const bufferName = (body: Uint8Array): string => Buffer.from(body.subarray(8, cstrEnd(body, 8) - 1)).toString('latin1');

/** Kallsyms text cut down to the named functions and the symbol after each (by address). */
export function shrinkKallsyms(text: string, keep: readonly string[]): string {
  const want = new Set(keep);
  const rows = text.split('\n').filter((l) => /^[0-9a-f]+ \S /.test(l)).map((l) => ({ addr: BigInt(`0x${l.slice(0, l.indexOf(' '))}`), l }));
  rows.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
  const out = new Set<string>();
  rows.forEach((r, i) => {
    const [name, mod] = r.l.split(' ').slice(2).join(' ').split('\t');
    if (!want.has(name!) && !(mod && want.has(`${name} ${mod}`))) return;
    out.add(r.l);
    if (rows[i + 1]) out.add(rows[i + 1]!.l);
  });
  return `${[...out].join('\n')}\n`;
}

interface Section {
  at: number;
  id: number;
  flags: number;
  desc: number;
  payload: Uint8Array;
}

const cstrEnd = (b: Uint8Array, p: number): number => b.indexOf(0, p) + 1;

function options(payload: Uint8Array): { id: number; body: Uint8Array }[] {
  const v = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const out: { id: number; body: Uint8Array }[] = [];
  for (let p = 0; p + 6 <= payload.length; ) {
    const id = v.getUint16(p, true);
    const size = v.getUint32(p + 2, true);
    out.push({ id, body: payload.slice(p + 6, p + 6 + size) });
    p += 6 + size;
    if (id === 0) break;
  }
  return out;
}

function joinOptions(opts: { id: number; body: Uint8Array }[]): Uint8Array {
  const parts = opts.map(({ id, body }) => {
    const b = Buffer.alloc(6 + body.length);
    b.writeUInt16LE(id, 0);
    b.writeUInt32LE(body.length, 2);
    b.set(body, 6);
    return b;
  });
  return Buffer.concat(parts);
}

export async function rewriteV7(file: Uint8Array, how: Rewrite): Promise<Uint8Array> {
  await zstdReady();
  const f = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  let p = cstrEnd(f, 10); // version
  const pageSize = f.readUInt32LE(p + 2);
  // Up to the compression's name and version.
  const afterComp = cstrEnd(f, cstrEnd(f, p + 6));
  const head = f.subarray(0, afterComp);
  const firstOptions = Number(f.readBigUInt64LE(afterComp));
  const sections: Section[] = [];
  for (p = afterComp + 8; p + 16 <= f.length; ) {
    const size = Number(f.readBigUInt64LE(p + 8));
    sections.push({ at: p, id: f.readUInt16LE(p), flags: f.readUInt16LE(p + 2), desc: f.readUInt32LE(p + 4), payload: f.subarray(p + 16, p + 16 + size) });
    p += 16 + size;
  }
  // The BUFFER options: their CPU data (offsets in the old file).
  const bufferOpts = sections.filter((s) => s.id === 0).flatMap((s) => options(s.payload)).filter((o) => o.id === 3);
  const moved = new Map<number, number>();
  const cpuMoved = new Map<number, { offset: number; size: number }>();
  const out: Uint8Array[] = [head, Buffer.alloc(8)];
  let pos = head.length + 8;
  let firstOpts = true;
  for (const s of sections) {
    moved.set(s.at, pos);
    let payload: Uint8Array = s.payload;
    let flags = s.flags;
    if (s.id === 0 && firstOpts && how.addOptions?.length) {
      const opts = options(s.payload);
      opts.splice(opts.length - 1, 0, ...how.addOptions);
      payload = joinOptions(opts);
      firstOpts = false;
    } else if (s.id === 0 && how.dropBuffers) {
      payload = joinOptions(options(s.payload).filter((o) => o.id !== 3 || !how.dropBuffers!.includes(bufferName(o.body))));
    } else if (s.id === 3) {
      if (!(s.flags & 1)) throw new Error('rewriteV7 lays out compressed BUFFER sections only');
      // Per-CPU blocks, each page-aligned: a chunk count, then the chunks.
      const parts: Uint8Array[] = [];
      let q = pos + 16;
      const pad = (): void => {
        const n = Math.ceil(q / pageSize) * pageSize - q;
        parts.push(Buffer.alloc(n));
        q += n;
      };
      const cpus = bufferOpts.flatMap((o) => {
        const b = Buffer.from(o.body);
        let r = cstrEnd(b, cstrEnd(b, 8));
        const n = b.readUInt32LE(r + 4);
        r += 8;
        return Array.from({ length: n }, (_, i) => ({ offset: Number(b.readBigUInt64LE(r + i * 20 + 4)), size: Number(b.readBigUInt64LE(r + i * 20 + 12)) }));
      }).filter((c) => c.offset >= s.at && c.offset < s.at + 16 + s.payload.length).sort((a, b) => a.offset - b.offset);
      for (const c of cpus) {
        pad();
        const start = q;
        const count = f.readUInt32LE(c.offset);
        let r = c.offset + 4;
        for (let i = 0; i < count; i++) r += 8 + f.readUInt32LE(r);
        const data = f.subarray(c.offset, r);
        parts.push(data);
        q += data.length;
        // The recorded size keeps its relation to the block's extent.
        cpuMoved.set(c.offset, { offset: start, size: data.length - (r - c.offset - c.size) });
      }
      payload = Buffer.concat(parts);
    } else if (s.id === 19 && how.keepSymbols) {
      const v = Buffer.from(s.payload);
      const raw = s.flags & 1 ? zstdFrame(v.subarray(8, 8 + v.readUInt32LE(0)), v.readUInt32LE(4)) : v;
      // A u32 size, then the text.
      const text = shrinkKallsyms(Buffer.from(raw.subarray(4, 4 + Buffer.from(raw).readUInt32LE(0))).toString('latin1'), how.keepSymbols);
      const t = Buffer.from(text, 'latin1');
      const size = Buffer.alloc(4);
      size.writeUInt32LE(t.length);
      payload = Buffer.concat([size, t]);
      flags = 0;
    }
    const h = Buffer.alloc(16);
    h.writeUInt16LE(s.id, 0);
    h.writeUInt16LE(flags, 2);
    h.writeUInt32LE(s.desc, 4);
    h.writeBigUInt64LE(BigInt(payload.length), 8);
    out.push(h, payload);
    (s as Section & { out?: Uint8Array }).out = payload;
    pos += 16 + payload.length;
  }
  // Offsets in the options now that every section has its place.
  const to = (old: number): bigint => BigInt(old === 0 ? 0 : moved.get(old) ?? old);
  for (const s of sections as (Section & { out: Buffer })[]) {
    if (s.id !== 0) continue;
    const b = Buffer.from(s.out);
    for (let r = 0; r + 6 <= b.length; ) {
      const id = b.readUInt16LE(r);
      const size = b.readUInt32LE(r + 2);
      const body = r + 6;
      if (id === 0 || (id >= 15 && id <= 21)) b.writeBigUInt64LE(to(Number(b.readBigUInt64LE(body))), body);
      if (id === 3) {
        b.writeBigUInt64LE(to(Number(b.readBigUInt64LE(body))), body);
        let c = cstrEnd(b, cstrEnd(b, body + 8));
        const n = b.readUInt32LE(c + 4);
        c += 8;
        for (let i = 0; i < n; i++, c += 20) {
          const m = cpuMoved.get(Number(b.readBigUInt64LE(c + 4)));
          if (m) {
            b.writeBigUInt64LE(BigInt(m.offset), c + 4);
            b.writeBigUInt64LE(BigInt(m.size), c + 12);
          }
        }
      }
      r = body + size;
      if (id === 0) break;
    }
    out[out.indexOf(s.out)] = b;
  }
  const first = Buffer.alloc(8);
  first.writeBigUInt64LE(to(firstOptions));
  out[1] = first;
  return Buffer.concat(out);
}
