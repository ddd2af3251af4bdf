// When the timeline asks the host for the window on screen: at once for rows
// whose lanes were never asked for in this window, else at a live run's pace,
// and never again for a run that has ended once its answer reached the end.

/** A live run's timeline is asked for again this often while it is shown. */
const LIVE_REFRESH_MS = 1000;

export class LaneRequests {
  /** When the window was last asked for (0: ask at the next draw). */
  private last = 0;
  /** Rows whose lanes were asked for in the window on screen (asked again when it changes). */
  private asked = new Set<number>();
  private window = '';

  /** The next draw asks, whatever the pace. */
  again(): void {
    this.last = 0;
  }

  /** A live run's answer is old: the next draw asks. */
  refreshIfStale(): void {
    if (performance.now() - this.last > LIVE_REFRESH_MS) this.last = 0;
  }

  /**
   * Whether to ask now for rows `ids` in the window named `key`; `done`: the
   * run has ended and its answer reaches its end. Asking marks them asked.
   */
  due(key: string, ids: readonly number[], done: boolean): boolean {
    if (key !== this.window) {
      this.window = key;
      this.asked = new Set();
    }
    const unasked = ids.some((id) => !this.asked.has(id));
    const paced = this.last !== 0 && (done || performance.now() - this.last < LIVE_REFRESH_MS);
    if (!unasked && paced) return false;
    this.last = performance.now();
    for (const id of ids) this.asked.add(id);
    return true;
  }
}
