// Many messages, one render per animation frame: callers only mark what is
// dirty; the flags are merged and handed to one callback in the next frame.
// Work that must wait (a calmer rebuild or repaint, a pan after a pause, the
// next countdown tick, the state save) waits in a named slot: a slot that is
// already waiting keeps its time, so a burst of calls costs one timer.
export const DIRTY = {
  /** Rows were added/removed/moved, or collapse/filters changed: rebuild model and layout. */
  structure: 1,
  /** Row contents changed (states, sites): repaint the drawn nodes. */
  content: 2,
  /** Pan/zoom or selection: recull and repaint. */
  view: 4,
  /** Toolbar, banners, details pane. */
  chrome: 8,
  /** The host's rows changed shape (spawns, exits, moves): a rebuild that may wait a little on huge trees. */
  rows: 16,
} as const;

/** The browser's clocks (Node tests pass their own). */
export interface SchedulerClock {
  frame(cb: () => void): number;
  timeout(cb: () => void, ms: number): number;
}

const browserClock: SchedulerClock = {
  frame: (cb) => requestAnimationFrame(() => cb()),
  timeout: (cb, ms) => window.setTimeout(cb, ms),
};

export class FrameScheduler {
  private flags = 0;
  private handle: number | null = null;
  private readonly waiting = new Set<string>();

  constructor(
    private readonly run: (flags: number) => void,
    private readonly clock: SchedulerClock = browserClock,
  ) {}

  /** Draw in the next frame, with `flags` among the frame's. */
  request(flags: number): void {
    this.flags |= flags;
    if (this.handle !== null) return;
    this.handle = this.clock.frame(() => {
      this.handle = null;
      const f = this.flags;
      this.flags = 0;
      this.run(f);
    });
  }

  /**
   * In `ms` ms, `then`: flags for a frame, or a function. While `slot` waits,
   * another call for it does nothing (the first time stands).
   */
  after(slot: string, ms: number, then: number | (() => void)): void {
    if (this.waiting.has(slot)) return;
    this.waiting.add(slot);
    this.clock.timeout(() => {
      this.waiting.delete(slot);
      if (typeof then === 'number') this.request(then);
      else then();
    }, ms);
  }
}
