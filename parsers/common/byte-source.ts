// Random access to an input's bytes: a file handle read by position, or bytes already
// in memory (stdin, tests).
import { open, type FileHandle } from 'node:fs/promises';
import type { ByteSource } from '../importer.ts';

export class FileSource implements ByteSource {
  private constructor(private readonly fh: FileHandle, readonly size: number, readonly path: string) {}

  static async open(file: string): Promise<FileSource> {
    const fh = await open(file, 'r');
    const st = await fh.stat();
    return new FileSource(fh, st.size, file);
  }

  async read(position: number, length: number): Promise<Uint8Array> {
    const n = Math.max(0, Math.min(length, this.size - position));
    const buf = Buffer.allocUnsafe(n);
    let got = 0;
    while (got < n) {
      const { bytesRead } = await this.fh.read(buf, got, n - got, position + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got === n ? buf : buf.subarray(0, got);
  }

  async readInto(into: Uint8Array, position: number): Promise<number> {
    let got = 0;
    while (got < into.length) {
      const { bytesRead } = await this.fh.read(into, got, into.length - got, position + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got;
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

export class MemorySource implements ByteSource {
  readonly size: number;
  constructor(private readonly bytes: Uint8Array) {
    this.size = bytes.length;
  }

  async read(position: number, length: number): Promise<Uint8Array> {
    return this.bytes.subarray(position, Math.min(this.size, position + length));
  }
}
