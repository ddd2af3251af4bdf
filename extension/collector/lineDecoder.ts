// NDJSON framing over a byte stream. Lines are cut at the newline byte and
// only then decoded as UTF-8: 0x0A never occurs inside a multi-byte UTF-8
// sequence, so a character split across chunks is whole again by then.
// Pending bytes are bounded by the maximum line length: a longer line is an
// error for the connection, never an unbounded buffer.

export class LineTooLongError extends Error {
  constructor(readonly limit: number) {
    super(`line longer than ${limit} bytes`);
  }
}

export class LineDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxLineBytes: number) {}

  /**
   * Feeds one chunk; returns the complete lines it finished (without `\n`;
   * a trailing `\r` is dropped too). Throws LineTooLongError when a line
   * exceeds the limit; the decoder is then unusable.
   */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      let line: Buffer;
      if (this.pendingBytes) {
        if (this.pendingBytes + (nl - start) > this.maxLineBytes) throw new LineTooLongError(this.maxLineBytes);
        this.pending.push(chunk.subarray(start, nl));
        line = Buffer.concat(this.pending, this.pendingBytes + (nl - start));
        this.pending = [];
        this.pendingBytes = 0;
      } else {
        if (nl - start > this.maxLineBytes) throw new LineTooLongError(this.maxLineBytes);
        line = chunk.subarray(start, nl);
      }
      let end = line.length;
      if (end && line[end - 1] === 13) end--;
      lines.push(line.toString('utf8', 0, end));
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.length - start;
      if (this.pendingBytes + rest > this.maxLineBytes) throw new LineTooLongError(this.maxLineBytes);
      // Copy: the socket may reuse its chunk buffer.
      this.pending.push(Buffer.from(chunk.subarray(start)));
      this.pendingBytes += rest;
    }
    return lines;
  }

  /** Bytes of an unfinished line (a stream that ends here lost them). */
  get buffered(): number {
    return this.pendingBytes;
  }
}
