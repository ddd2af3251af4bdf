// Follow mode: while it is on, the newest task is brought into view, calmly
// (at most a couple of pans a second), without pushing the top of the
// structure (the tree's left columns) out of view when the task's marker can
// be shown with it. A pan or zoom by the user ends it in that run's view; a
// new run follows again while the toolbar's Follow is on.
import type { Row } from '../contract/rows';
import { DIRTY, type FrameScheduler } from './tree/frameScheduler';
import type { Layout } from './tree/layout';
import type { Model } from './tree/model';
import type { Viewport } from './tree/viewport';
import { isFinishedState } from './tree/taskStates';

/** Where Follow's on and off live (viewState.ts's Choices: the toggle, and a pan's end of it per run). */
export interface FollowChoice {
  readonly following: boolean;
  setFollow(on: boolean): void;
  /** True when it was on. */
  pauseFollow(): boolean;
}

const FOLLOW_INTERVAL_MS = 400;
/** Room kept for the followed task's label, in px. */
const LABEL_ROOM = 220;
/** Room kept at the panel's edges, in px. */
const EDGE = 32;

/** The newest task of a run (the highest id), if it has any. */
function newestTask(rows: ReadonlyMap<number, Row>): number | null {
  let best: number | null = null;
  for (const r of rows.values()) if (r.kind === 'task' && (best === null || r.id > best)) best = r.id;
  return best;
}

export class Follow {
  /** The task to bring into view at the next chance. */
  private target: number | null = null;
  private lastPan = 0;

  constructor(
    private readonly choice: FollowChoice,
    private readonly viewport: Viewport,
    private readonly scheduler: FrameScheduler,
    private readonly canAnimate: () => boolean,
  ) {}

  /** Turned on or off by the user; on, it starts at the newest task of `rows`. */
  set(on: boolean, rows: ReadonlyMap<number, Row> | undefined): void {
    this.choice.setFollow(on);
    if (on) this.target = rows ? newestTask(rows) : null;
  }

  /** Ended by a pan or zoom of the user's; true when it was on. */
  stop(): boolean {
    if (!this.choice.pauseFollow()) return false;
    this.target = null;
    return true;
  }

  /** Another run: nothing to follow yet. */
  reset(): void {
    this.target = null;
  }

  /** New rows arrived: the newest of them becomes the target. */
  noteAdded(ids: readonly number[]): void {
    if (!ids.length || !this.choice.following) return;
    let best = this.target ?? -Infinity;
    for (const id of ids) if (id > best) best = id;
    this.target = best;
  }

  /** In a frame: pans to the target, or comes back for it when the last pan was too recent. */
  step(layout: Layout, model: Model | null, rows?: ReadonlyMap<number, Row>): void {
    if (!this.choice.following || this.target === null) return;
    const now = performance.now();
    if (now - this.lastPan < FOLLOW_INTERVAL_MS) {
      this.scheduler.after('follow', FOLLOW_INTERVAL_MS, DIRTY.view);
      return;
    }
    const id = this.target;
    this.target = null;
    // A task that came and went before the pan (a connection attempt, a short helper) is no activity
    // to keep in view: panning to it would push the structure out for a finished node.
    const row = rows?.get(id);
    if (row?.kind === 'task' && isFinishedState(row.state)) return;
    const key = model?.keyOf(id);
    const p = key ? layout.byKey.get(key) : undefined;
    if (!p) return;
    let t = this.viewport.panTo(p, LABEL_ROOM);
    if (t) {
      // The roots stay at the left edge unless the task's marker would then be off the right one.
      const { width } = this.viewport.size();
      const keepRoots = EDGE - layout.bounds.x0 * t.k;
      const showMarker = width - EDGE - p.x * t.k;
      t = { ...t, x: Math.max(t.x, Math.min(keepRoots, showMarker)) };
      this.lastPan = now;
      this.viewport.set(t, this.canAnimate());
    }
  }
}
