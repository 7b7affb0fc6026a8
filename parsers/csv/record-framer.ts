// Groups lines into CSV records. A record ends at a newline outside quotes, but a
// quoted field may hold newlines, so one record can span lines. In well-formed CSV
// every `"` opens or closes a quoted field or is half of a doubled `""`, so while the
// count of quotes seen in a record is odd, the record is still open.

export interface FramedRecords {
  /** A whole record (without its final newline); `line`/`offset` are where it starts. */
  record(bytes: Buffer, line: number, offset: number): void;
  /** A record whose quotes never closed; its lines are dropped. */
  unclosed(line: number, offset: number, why: string): void;
}

export const MAX_RECORD_BYTES = 1 << 20;

const QUOTE = 34;
const CR = 13;
const LF = Buffer.from('\n');
const CRLF = Buffer.from('\r\n');

function oddQuotes(buf: Buffer, start: number, end: number): boolean {
  let odd = false;
  for (let i = start; i < end; i++) if (buf[i] === QUOTE) odd = !odd;
  return odd;
}

export class RecordFramer {
  private open = false;
  private parts: Buffer[] = [];
  private size = 0;
  private line = 0;
  private offset = 0;
  /** The newline ending the last line was CRLF. */
  private crlf = false;

  constructor(
    private readonly out: FramedRecords,
    private readonly maxBytes = MAX_RECORD_BYTES,
  ) {}

  push(buf: Buffer, start: number, end: number, lineNo: number, offset: number): void {
    const flips = oddQuotes(buf, start, end);
    // Copies: the caller may reuse the buffer once this returns.
    const copy = (): Buffer => Buffer.from(buf.subarray(start, end));
    if (!this.open) {
      if (start === end) return; // blank line between records
      if (!flips) {
        this.out.record(buf.subarray(start, end), lineNo, offset);
        return;
      }
      this.open = true;
      this.line = lineNo;
      this.offset = offset;
      this.parts = [copy()];
      this.size = end - start;
    } else {
      const nl = this.crlf ? CRLF : LF;
      this.parts.push(nl, copy());
      this.size += nl.length + end - start;
      if (flips) {
        const bytes = Buffer.concat(this.parts, this.size);
        this.reset();
        this.out.record(bytes, this.line, this.offset);
        return;
      }
    }
    // Still inside a quoted field. The line splitter drops a CR before the LF, but
    // here that CR is data; it is still in the buffer just past `end`.
    this.crlf = end < buf.length && buf[end] === CR;
    if (this.size > this.maxBytes) {
      this.reset();
      this.out.unclosed(this.line, this.offset, `quoted field still open after ${this.maxBytes} bytes`);
    }
  }

  end(): void {
    if (!this.open) return;
    this.reset();
    this.out.unclosed(this.line, this.offset, 'quoted field not closed at end of input');
  }

  private reset(): void {
    this.open = false;
    this.parts = [];
    this.size = 0;
  }
}
