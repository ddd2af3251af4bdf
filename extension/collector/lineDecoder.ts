// NDJSON framing over a byte stream. Lines are cut at the newline byte and
// only then decoded as UTF-8: 0x0A never occurs inside a multi-byte UTF-8
// sequence, so a character split across chunks is whole again by then.
// Pending bytes are bounded by the maximum line length: a longer line is an
// error for the connection, never an unbounded buffer. The first line (a
// stranger's hello) can have a smaller limit of its own.

export class LineTooLongError extends Error {
  constructor(readonly limit: number) {
    super(`line longer than ${limit} bytes`);
  }
}

export class LineDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private seenFirst = false;

  constructor(
    private readonly maxLineBytes: number,
    private readonly firstLineBytes = maxLineBytes,
  ) {}

  /** The limit of the line being read now. */
  private get limit(): number {
    return this.seenFirst ? this.maxLineBytes : this.firstLineBytes;
  }

  /**
   * Feeds one chunk; returns the complete lines it finished (without `\n`;
   * a trailing `\r` is dropped too). Throws LineTooLongError when a line
   * exceeds the limit; the decoder is then unusable.
   *
   * The bytes up to the chunk's last newline are decoded with one toString
   * and split as a string: one decode per chunk, not per line.
   */
  push(chunk: Buffer): string[] {
    const last = chunk.lastIndexOf(10);
    if (last < 0) {
      this.keep(chunk, 0);
      return [];
    }
    const first = chunk.indexOf(10);
    const headLimit = this.limit;
    let lines: string[];
    // The first line may continue what earlier chunks left.
    if (this.pendingBytes) {
      if (this.pendingBytes + first > headLimit) throw new LineTooLongError(headLimit);
      this.pending.push(chunk.subarray(0, first));
      const head = Buffer.concat(this.pending, this.pendingBytes + first).toString('utf8');
      this.pending = [];
      this.pendingBytes = 0;
      lines = first === last ? [head] : [head, ...chunk.toString('utf8', first + 1, last).split('\n')];
    } else {
      if (first > headLimit) throw new LineTooLongError(headLimit);
      lines = chunk.toString('utf8', 0, last).split('\n');
    }
    this.seenFirst = true;
    const max = this.maxLineBytes;
    for (let i = 0; i < lines.length; i++) {
      let line = lines[i];
      // A UTF-16 unit takes at most 3 UTF-8 bytes: only long lines need their bytes counted.
      if (line.length * 3 > max && Buffer.byteLength(line, 'utf8') > max) throw new LineTooLongError(max);
      if (line.length && line.charCodeAt(line.length - 1) === 13) lines[i] = line = line.slice(0, -1);
    }
    if (last + 1 < chunk.length) this.keep(chunk, last + 1);
    return lines;
  }

  private keep(chunk: Buffer, from: number): void {
    const rest = chunk.length - from;
    const limit = this.limit;
    if (this.pendingBytes + rest > limit) throw new LineTooLongError(limit);
    // Copy: the socket may reuse its chunk buffer.
    this.pending.push(Buffer.from(chunk.subarray(from)));
    this.pendingBytes += rest;
  }

  /** The stream ended: the unfinished last line, if any (a file need not end with a newline); the decoder is empty again. */
  end(): string | null {
    if (!this.pendingBytes) return null;
    let line = Buffer.concat(this.pending, this.pendingBytes).toString('utf8');
    this.pending = [];
    this.pendingBytes = 0;
    if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
    return line;
  }

  /** Bytes of an unfinished line (a stream that ends here lost them). */
  get buffered(): number {
    return this.pendingBytes;
  }
}
