// When the timeline asks the host for the window on screen: at once for rows
// whose lanes were never asked for in this window, else at a live run's pace
// (quicker while tasks come and go), and never again for a run that has ended
// once its answer reached the end.

/** A live run's timeline is asked for again this often while it is shown. */
const LIVE_REFRESH_MS = 1000;
/**
 * ...and this often once a task came or ended since the last answer: at
 * 1 s, lanes ran on to now for tasks the tree beside already showed returned.
 */
const CHANGED_REFRESH_MS = 250;

export class LaneRequests {
  /** When the window was last asked for (0: ask at the next draw). */
  private last = 0;
  /** Rows whose lanes were asked for in the window on screen (asked again when it changes). */
  private asked = new Set<number>();
  private window = '';
  /** A task came or ended in the live run since the last ask. */
  private changed = false;
  /** Set while `soon` waits for the quicker pace (treeChanged). */
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly clock: () => number = () => performance.now()) {}

  /** The next draw asks, whatever the pace. */
  again(): void {
    this.last = 0;
  }

  /**
   * The live run's tree changed (a task came, ended or went): the next ask
   * comes at the quicker pace, and `soon` is called when it is due.
   */
  treeChanged(soon?: () => void): void {
    this.changed = true;
    const wait = this.last === 0 ? 0 : this.last + this.pace() - this.clock();
    if (!soon || wait <= 0 || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      soon();
    }, wait + 1);
  }

  /** Another run came into view: a call for the last one's pace is let go. */
  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A live run's answer is old: the next draw asks. */
  refreshIfStale(): void {
    if (this.clock() - this.last > this.pace()) this.last = 0;
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
    const paced = this.last !== 0 && (done || this.clock() - this.last < this.pace());
    if (!unasked && paced) return false;
    this.last = this.clock();
    this.changed = false;
    for (const id of ids) this.asked.add(id);
    return true;
  }

  private pace(): number {
    return this.changed ? CHANGED_REFRESH_MS : LIVE_REFRESH_MS;
  }
}
