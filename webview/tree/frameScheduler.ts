// Many messages, one render per animation frame: callers only mark what is
// dirty; the flags are merged and handed to one callback in the next frame.
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

export class FrameScheduler {
  private flags = 0;
  private handle: number | null = null;

  constructor(
    private readonly run: (flags: number) => void,
    private readonly raf: (cb: FrameRequestCallback) => number = (cb) => requestAnimationFrame(cb),
  ) {}

  request(flags: number): void {
    this.flags |= flags;
    if (this.handle !== null) return;
    this.handle = this.raf(() => {
      this.handle = null;
      const f = this.flags;
      this.flags = 0;
      this.run(f);
    });
  }
}
