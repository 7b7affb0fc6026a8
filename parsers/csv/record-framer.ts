// Groups lines into CSV records. A record ends at a newline outside quotes, but a
// quoted field may hold newlines, so one record can span lines. In well-formed CSV
// every `"` opens or closes a quoted field or is half of a doubled `""`, so while the
// count of quotes seen in a record is odd, the record is still open.
//
// A stray quote would swallow every row up to the next line with an odd count of
// quotes (or the end). So when a record of several lines does not parse (or never
// closes), only its first line is given up: the lines after it are framed again,
// and reading resumes at the next row that parses. Each line is framed at most twice.

export interface FramedRecords {
  /**
   * A whole record (without its final newline); `line`/`offset` are where it starts.
   * Returns why it does not parse, or undefined when it was read.
   */
  record(bytes: Buffer, line: number, offset: number, lines: number): string | undefined;
  /** The first line of a record that did not parse or never closed was skipped. */
  skipped(line: number, offset: number, why: string): void;
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

interface HeldLine {
  bytes: Buffer;
  line: number;
  offset: number;
  /** The newline ending this line was CRLF (the CR is data inside a quoted field). */
  crlf: boolean;
}

export class RecordFramer {
  private held: HeldLine[] = [];
  private size = 0;

  constructor(
    private readonly out: FramedRecords,
    private readonly maxBytes = MAX_RECORD_BYTES,
  ) {}

  push(buf: Buffer, start: number, end: number, lineNo: number, offset: number): void {
    // The line splitter drops a CR before the LF; it is still in the buffer past `end`.
    const crlf = end < buf.length && buf[end] === CR;
    this.take(buf, start, end, lineNo, offset, crlf);
  }

  end(): void {
    if (this.held.length > 0) this.giveUp('quoted field not closed at end of input');
  }

  private take(buf: Buffer, start: number, end: number, lineNo: number, offset: number, crlf: boolean): void {
    const flips = oddQuotes(buf, start, end);
    if (this.held.length === 0) {
      if (start === end) return; // blank line between records
      if (!flips) {
        this.out.record(buf.subarray(start, end), lineNo, offset, 1);
        return;
      }
    }
    // Copies: the caller may reuse the buffer once this returns.
    this.held.push({ bytes: Buffer.from(buf.subarray(start, end)), line: lineNo, offset, crlf });
    this.size += end - start + 2;
    if (this.held.length > 1 && flips) {
      const parts: Buffer[] = [];
      this.held.forEach((h, i) => {
        if (i > 0) parts.push(this.held[i - 1]!.crlf ? CRLF : LF);
        parts.push(h.bytes);
      });
      const first = this.held[0]!;
      const why = this.out.record(Buffer.concat(parts), first.line, first.offset, this.held.length);
      if (why === undefined) this.reset();
      else this.giveUp(why);
      return;
    }
    if (this.size > this.maxBytes) this.giveUp(`quoted field still open after ${this.maxBytes} bytes`);
  }

  /** Skips the first held line and frames the others again. */
  private giveUp(why: string): void {
    const [first, ...rest] = this.held;
    this.reset();
    const resume = rest.length > 0 ? `; reading resumes at line ${rest[0]!.line}` : '';
    this.out.skipped(first!.line, first!.offset, `${why}: line ${first!.line} skipped${resume}`);
    for (const h of rest) this.take(h.bytes, 0, h.bytes.length, h.line, h.offset, h.crlf);
  }

  private reset(): void {
    this.held = [];
    this.size = 0;
  }
}
