// Push-based line splitter over bytes. Chunk boundaries are arbitrary: a line that
// straddles chunks is carried and joined; no whole-file string is ever built (V8
// cannot hold one over ~512 MB). Lines are handed out as (buffer, start, end) views.

export interface LineHandler {
  /** One line without its `\n` (and without a trailing `\r`). `last` marks a final line with no newline. */
  line(buf: Buffer, start: number, end: number, lineNo: number, offset: number, last: boolean): void;
  /** A line longer than the limit; its bytes were discarded. */
  tooLong(lineNo: number, offset: number, length: number): void;
}

export const DEFAULT_MAX_LINE = 1 << 20;

export class LineSplitter {
  private pieces: Buffer[] = [];
  private pieceLen = 0;
  private skipping = false;
  private skippedLen = 0;
  private lineNo = 0;
  /** Byte offset (in the whole stream) of the line being assembled. */
  private lineOffset = 0;
  private consumed = 0;

  /** `startOffset`: where the bytes written begin in the whole input (a byte range of a file). */
  constructor(
    private readonly handler: LineHandler,
    private readonly maxLine = DEFAULT_MAX_LINE,
    private readonly startOffset = 0,
  ) {
    this.lineOffset = startOffset;
    this.consumed = startOffset;
  }

  /** Total bytes written so far. */
  get bytes(): number {
    return this.consumed - this.startOffset;
  }

  get lines(): number {
    return this.lineNo;
  }

  write(chunk: Buffer): void {
    const base = this.consumed;
    this.consumed += chunk.length;
    let pos = 0;
    const n = chunk.length;
    while (pos < n) {
      const nl = chunk.indexOf(10, pos);
      if (nl < 0) {
        this.carry(chunk, pos, n);
        return;
      }
      if (this.skipping) {
        this.finishSkip(nl - pos);
      } else if (this.pieceLen > 0) {
        if (this.pieceLen + (nl - pos) > this.maxLine) {
          this.pieces = [];
          this.skippedLen = this.pieceLen;
          this.pieceLen = 0;
          this.finishSkip(nl - pos);
        } else {
          this.pieces.push(chunk.subarray(pos, nl));
          const joined = Buffer.concat(this.pieces, this.pieceLen + (nl - pos));
          this.pieces = [];
          this.pieceLen = 0;
          this.emit(joined, 0, joined.length, false);
        }
      } else if (nl - pos > this.maxLine) {
        this.lineOffset = base + pos;
        this.skippedLen = 0;
        this.finishSkip(nl - pos);
      } else {
        this.lineOffset = base + pos;
        this.emit(chunk, pos, nl, false);
      }
      pos = nl + 1;
      this.lineOffset = base + pos;
    }
  }

  end(): void {
    if (this.skipping) {
      this.finishSkip(0);
    } else if (this.pieceLen > 0) {
      const joined = Buffer.concat(this.pieces, this.pieceLen);
      this.pieces = [];
      this.pieceLen = 0;
      this.emit(joined, 0, joined.length, true);
    }
  }

  private carry(chunk: Buffer, from: number, to: number): void {
    const len = to - from;
    if (this.skipping) {
      this.skippedLen += len;
      return;
    }
    if (this.pieceLen + len > this.maxLine) {
      this.skipping = true;
      this.skippedLen = this.pieceLen + len;
      this.pieces = [];
      this.pieceLen = 0;
      return;
    }
    // Copy: the caller may reuse the chunk's memory.
    this.pieces.push(Buffer.from(chunk.subarray(from, to)));
    this.pieceLen += len;
  }

  private finishSkip(extra: number): void {
    this.lineNo++;
    this.handler.tooLong(this.lineNo, this.lineOffset, this.skippedLen + extra);
    this.skipping = false;
    this.skippedLen = 0;
  }

  private emit(buf: Buffer, start: number, end: number, last: boolean): void {
    this.lineNo++;
    if (end > start && buf[end - 1] === 13) end--;
    this.handler.line(buf, start, end, this.lineNo, this.lineOffset, last);
  }
}
