// Sequential reads over a ByteSource with file offsets kept, for metadata: every short
// read throws a Damage naming the offset and what was expected there.
import type { ByteSource } from '../importer.ts';

export class Damage extends Error {
  constructor(readonly offset: number, readonly expected: string, readonly truncated = true) {
    super(`${truncated ? 'truncated' : 'corrupt'} at offset ${offset} (0x${offset.toString(16)}): expected ${expected}`);
  }
}

export class Cursor {
  constructor(private readonly src: ByteSource, public pos: number, private readonly le = true, private readonly end = src.size) {}

  async bytes(n: number, what: string): Promise<Uint8Array> {
    if (this.pos >= this.src.size) throw new Damage(this.src.size, `${what} at offset ${this.pos}, past the end of the file`);
    if (n < 0 || this.pos + n > this.end) throw new Damage(this.pos, `${what} (${n} bytes)`);
    const b = await this.src.read(this.pos, n);
    if (b.length < n) throw new Damage(this.pos, `${what} (${n} bytes)`);
    this.pos += n;
    return b;
  }

  async u8(what: string): Promise<number> {
    return (await this.bytes(1, what))[0]!;
  }

  async u16(what: string): Promise<number> {
    const b = await this.bytes(2, what);
    return new DataView(b.buffer, b.byteOffset, 2).getUint16(0, this.le);
  }

  async u32(what: string): Promise<number> {
    const b = await this.bytes(4, what);
    return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, this.le);
  }

  async u64(what: string): Promise<number> {
    const b = await this.bytes(8, what);
    const v = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, this.le);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Damage(this.pos - 8, `${what} (a size or offset, got ${v})`, false);
    return Number(v);
  }

  /** A NUL-terminated string (at most `max` bytes). */
  async cstr(what: string, max = 4096): Promise<string> {
    const start = this.pos;
    const b = await this.src.read(this.pos, Math.min(max, this.end - this.pos));
    const nul = b.indexOf(0);
    if (nul < 0) throw new Damage(start, `${what} (a NUL-terminated string)`);
    this.pos += nul + 1;
    return Buffer.from(b.subarray(0, nul)).toString('latin1');
  }

  async text(n: number, what: string): Promise<string> {
    return Buffer.from(await this.bytes(n, what)).toString('utf8');
  }

  async expect(literal: string, what: string): Promise<void> {
    const at = this.pos;
    const b = await this.bytes(literal.length, what);
    if (Buffer.from(b).toString('latin1') !== literal) throw new Damage(at, `${what} (${JSON.stringify(literal)})`, false);
  }
}
