// Tasks picked from the editor: a click on an inline hint (the tasks a line
// spawned, or that wait there) selects the first and outlines them all, until
// the user selects something else, presses Escape, or another run is shown.
import './lintMarks.css';

export class Picks {
  private run: string | null = null;
  private ids = new Set<number>();
  /** What was picked, in words (`3 live · server.py:14`). */
  label = '';

  /** The first picked task, selected in the next frame. */
  private pending: number | null = null;

  set(run: string, ids: readonly number[], label: string): void {
    this.run = run;
    this.ids = new Set(ids);
    this.label = label;
    this.pending = ids[0] ?? null;
  }

  /** In a frame: the key to select for a new pick, once: the task's own (a member of a fold is lifted out of it). */
  take(run: string | null): string | null {
    const id = this.pending;
    if (id === null || run !== this.run) return null;
    this.pending = null;
    return String(id);
  }

  /** Some tasks are picked. */
  get any(): boolean {
    return this.ids.size > 0;
  }

  clear(): void {
    this.pending = null;
    this.run = null;
    this.ids.clear();
    this.label = '';
  }

  /**
   * Keys of the nodes that stand for the picked tasks of `run` (a task, or
   * the fold or collapsed ancestor that holds it). A selection outside them
   * ends the pick.
   */
  keys(
    run: string | null,
    keyOf: ((id: number) => string | null) | undefined,
    selected: string | null,
  ): ReadonlySet<string> {
    if (!this.ids.size || run !== this.run || !keyOf) return NONE;
    const keys = new Set<string>();
    for (const id of this.ids) {
      const k = keyOf(id);
      if (k !== null) keys.add(k);
    }
    // A picked task selected by itself (lifted out of its fold) keeps the pick too.
    if (selected !== null && !keys.has(selected) && !(/^\d+$/.test(selected) && this.ids.has(Number(selected)))) {
      this.clear();
      return NONE;
    }
    return keys;
  }
}

const NONE: ReadonlySet<string> = new Set();
