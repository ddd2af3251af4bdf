// The files a run's sites named: the only files the panel may open for it
// (the site opener refuses any other path). Bounded, newest kept: two
// generations, the current one and the one before; a file named again moves
// to the current one, and when the current one fills, the older is let go.
// A file still named by some row but not reported for two generations'
// worth of other files can no longer be opened; only a stream naming
// thousands of files meets that.

/** Files per generation. */
export const MAX_REPORTED_FILES = 2048;
/** Characters of paths per generation. */
export const MAX_REPORTED_CHARS = 1024 * 1024;

export class ReportedFiles implements Iterable<string> {
  private current = new Set<string>();
  private previous = new Set<string>();
  private chars = 0;

  add(file: string): void {
    if (this.current.has(file)) return;
    this.current.add(file);
    this.chars += file.length;
    if (this.current.size >= MAX_REPORTED_FILES || this.chars >= MAX_REPORTED_CHARS) {
      this.previous = this.current;
      this.current = new Set();
      this.chars = 0;
    }
  }

  has(file: string): boolean {
    return this.current.has(file) || this.previous.has(file);
  }

  get size(): number {
    let n = this.current.size;
    for (const f of this.previous) if (!this.current.has(f)) n++;
    return n;
  }

  *[Symbol.iterator](): Iterator<string> {
    yield* this.current;
    for (const f of this.previous) if (!this.current.has(f)) yield f;
  }
}
