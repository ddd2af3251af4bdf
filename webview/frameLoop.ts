// One frame of the page, driven by the merged dirty flags: rebuild the tree
// when due, the chrome around it, the first view of a run, the pans of follow
// mode and of a revealed selection, then the drawing (framePaint). The frame also paces
// what would otherwise redraw too often: spawns and exits on a big tree
// rebuild a few times a second, state colours in the overview repaint twice
// a second, and countdowns tick every 100 ms while one is shown.
import type { DebuggerPause } from './debuggerMarks';
import type { Chrome } from './chrome';
import type { Picks } from './picks';
import type { RootLabel } from './rootLabel';
import type { EdgeHints } from './edgeHints';
import type { Follow } from './follow';
import type { Selection } from './selection';
import { budgetFor } from './tree/budget';
import { DIRTY, type FrameScheduler } from './tree/frameScheduler';
import { OVERVIEW_SCALE } from './tree/geometry';
import type { Layout, Placed } from './tree/layout';
import type { Measures } from './tree/look';
import type { RunMirror, RunsMirror } from './tree/mirror';
import type { TreeRenderer } from './tree/render';
import type { ShownTree } from './tree/shownTree';
import type { Viewport } from './tree/viewport';
import type { WaitLayer } from './tree/waitLayer';
import type { VerdictBanner } from './verdictBanner';
import { FramePaint } from './framePaint';
import { ViewBeforeDetails } from './viewBeforeDetails';
import type { Choices, Transform } from './viewState';

const TICK_MS = 100;

/** The page's rooms a frame reads and moves. */
export interface FrameParts {
  /** The rows to draw per run (the time cursor may hand a past moment's). */
  mirror: Pick<RunsMirror, 'get' | 'list'>;
  current(): string | null;
  choices: Choices;
  tree: ShownTree;
  chrome: Chrome;
  selection: Selection;
  follow: Follow;
  viewport: Viewport;
  renderer: TreeRenderer;
  svg: SVGSVGElement;
  scheduler: FrameScheduler;
  measures: Measures;
  reducedMotion: MediaQueryList;
  /** Tasks picked from the editor's hints, outlined. */
  picks?: Picks;
  /** Wait-for edges and stuck tasks, drawn under the nodes; the deadlock/hang banner. */
  waits: WaitLayer;
  banner: VerdictBanner;
  /** The root's label pinned at the left edge while a pan cuts it. */
  rootLabel?: RootLabel;
  /** Signs at the edges that more of the tree lies beyond them. */
  edgeHints?: EdgeHints;
  /** The debugger's pause of the run in view, if any. */
  pause?(): DebuggerPause | null;
}

export class FrameLoop {
  /** The run in view has no view yet: the first frame with a layout sets one (saved, or the initial one). */
  needsInitialView = true;
  /** This frame set the first view: a resize it caused (the details pane appearing with it) moves nothing. */
  viewJustSet = false;
  /**
   * The view is the page's choice (its first view, and Follow's pans), not the
   * user's (no press, wheel or key on the tree, no Fit, no saved view): a
   * resize chooses the first view again.
   */
  private pageView = false;
  /** The view is the user's Fit, not moved since (a resize fits again). */
  private fitted = false;
  /** The transform of the page's last first view (rechoose compares it after a rebuild). */
  private firstView: Transform | null = null;
  /** The search text changed: after the rebuild, a match is brought into view if none is in sight. */
  private matchWanted = false;
  /** The node the user opened or closed: it stays where it is on screen across the rebuild. */
  private anchor: { key: string; x: number; y: number } | null = null;
  /** The view before the details pane opened: put back when it closes. */
  private readonly beforeDetails = new ViewBeforeDetails();

  private readonly paint: FramePaint;

  constructor(private readonly p: FrameParts) {
    this.paint = new FramePaint(p);
  }

  /** Zoomed far out: dots and one path per state instead of node elements. */
  get overview(): boolean {
    return this.paint.overview;
  }

  /** Another run (or a focus) came into view. */
  reset(): void {
    this.needsInitialView = true;
    this.anchor = null;
    this.fitted = false;
    this.beforeDetails.forget();
  }

  /**
   * The tree area changed size. A first view nobody moved is chosen again
   * (rechoose); the details pane closing puts back the view from before it
   * opened; any other keeps its middle row in the middle (rows are centred
   * on their parents: the timeline opening under the tree, or VS Code's panel,
   * must not push what was in sight out at the bottom), and its left edge.
   */
  resized(): void {
    const { viewport } = this.p;
    const grown = viewport.grownBy();
    viewport.remeasure();
    const back = this.beforeDetails.putBack(viewport.size());
    if (this.refit() || this.rechoose()) return;
    if (back) viewport.set(back);
    else if (grown && !this.needsInitialView) viewport.shift(0, grown / 2);
  }

  /** The user moved the view (a drag, the wheel, "Show them"): closing the details leaves it where it is. */
  viewMoved(): void {
    this.beforeDetails.forget();
  }

  /** The user pressed, wheeled or used keys on the tree: the view is theirs from now on. */
  viewTaken(): void {
    this.pageView = false;
    if (this.fitted) this.p.scheduler.request(DIRTY.chrome); // the Fit button shows it no longer holds
    this.fitted = false;
  }

  /**
   * The user pressed Fit: the whole tree in view. The view is theirs, and fits
   * the tree again when the area changes size or the tree grows or shrinks,
   * until they move it.
   */
  fit(animate: boolean): void {
    const layout = this.p.tree.layout;
    if (!layout?.nodes.length) return;
    this.pageView = false;
    this.fitted = true;
    this.beforeDetails.forget();
    this.p.viewport.set(this.fitView(layout), animate);
    this.p.scheduler.request(DIRTY.chrome);
  }

  /** After Fit, nothing moved since: the tree fitted to the area and the tree as they are now. True if so. */
  private refit(): boolean {
    const layout = this.p.tree.layout;
    if (!this.fitted || this.needsInitialView || !layout?.nodes.length) return false;
    this.p.viewport.remeasure();
    this.p.viewport.set(this.fitView(layout));
    return true;
  }

  /** Fit's view of `layout`, keeping the selected node in sight when not every column fits. */
  private fitView(layout: Layout): Transform {
    const selected = this.p.choices.selected;
    return this.p.viewport.fitTransform(layout, selected === null ? undefined : layout.byKey.get(selected));
  }

  /**
   * While the view is the page's choice (pageView), the first view is chosen
   * again for the tree and the area as they are now: on a resize, and, after
   * a rebuild (`rebuilt`), when the tree outgrew the view while it would be
   * readable whole (a live tree grows from its root alone: its new labels
   * were cut at the edge), or while the view is still exactly the first one
   * and shows none of the tree (a recording's first view chosen at its end,
   * then shown at its first task). True if so.
   */
  private rechoose(rebuilt = false): boolean {
    const { viewport } = this.p;
    const layout = this.p.tree.layout;
    if (this.needsInitialView || !this.pageView || !layout?.nodes.length) return false;
    if (rebuilt && !viewport.outgrown(layout)) {
      const f = this.firstView;
      const t = viewport.transform;
      if (!f || Math.abs(t.k - f.k) > 1e-9 || Math.abs(t.x - f.x) > 0.5 || Math.abs(t.y - f.y) > 0.5) return false;
      // Only when it shows none of the tree: re-choosing a view that shows some of it raced with
      // Follow's pans (the view then depended on which came first).
      if (viewport.showsAny(layout)) return false;
    }
    viewport.remeasure();
    this.firstView = viewport.initialTransform(layout);
    viewport.set(this.firstView);
    return true;
  }

  /** The search text changed (typing in the filter box): its first match is shown if none is in sight. */
  searched(): void {
    this.matchWanted = true;
  }

  /**
   * After a search's rebuild: when no match is on screen (or the tree is
   * drawn as dots), the view moves to the first match from the top, at a
   * readable scale, as an editor's find scrolls to the next hit.
   */
  private showMatch(layout: Layout): void {
    this.matchWanted = false;
    const { viewport } = this.p;
    const matches = (this.p.tree.model?.matches ?? [])
      .map((k) => layout.byKey.get(k))
      .filter((p): p is Placed => p !== undefined);
    if (!matches.length) return;
    if (viewport.transform.k >= OVERVIEW_SCALE && matches.some((m) => viewport.panTo(m) === null)) return;
    matches.sort((a, b) => a.y - b.y || a.x - b.x);
    const to = viewport.showing(matches[0]);
    if (!to) return;
    viewport.set(to);
    this.beforeDetails.forget();
  }

  /** The next rebuild keeps `key`'s node at its place on screen (the layout moves around it, not under the pointer). */
  keepInPlace(key: string): void {
    const placed = this.p.tree.layout?.byKey.get(key);
    this.anchor = placed ? { key, x: placed.x, y: placed.y } : null;
  }

  frame(flags: number): void {
    const { p } = this;
    const run = p.mirror.get(p.current());
    this.viewJustSet = false;
    if (flags & DIRTY.rows && !(flags & DIRTY.structure)) {
      // Spawns and exits on a tree that takes long to lay out: rebuild a few times a
      // second, not every frame (calmer, and frames stay short). User actions never wait.
      const wait = p.tree.rebuildWait();
      if (wait > 0) {
        p.scheduler.after('rows', wait, DIRTY.rows);
        flags &= ~(DIRTY.rows | DIRTY.content);
        if (!flags) return;
      } else flags |= DIRTY.structure;
    }
    // A task picked from the editor: itself selected, so this rebuild draws it (out of its fold,
    // its levels open) and the pan after it shows it.
    const picked = p.picks?.take(p.current());
    if (picked) {
      p.selection.select(picked, { openDetails: true, pan: false });
      p.selection.revealSoon();
      flags |= DIRTY.structure;
    }
    if (flags & DIRTY.structure) {
      p.chrome.showTree(p.mirror.list().length > 0);
      p.viewport.remeasure();
      const { width, height } = p.viewport.size();
      p.tree.rebuild(run, p.choices.modelOptions(budgetFor(width, height)));
      p.selection.afterRebuild();
    }
    // Toolbar and banners first: they change the tree area's size, which the first view depends on.
    if (flags & (DIRTY.chrome | DIRTY.structure)) {
      this.chrome(run);
      // What the chrome changed moves the tree's edges in this frame already (a
      // ResizeObserver tells later frames): measured anew when the tree is rebuilt.
      if (flags & DIRTY.structure) p.viewport.remeasure();
    }
    const layout = p.tree.layout;
    if (run && layout && layout.nodes.length && this.needsInitialView) {
      this.needsInitialView = false;
      this.viewJustSet = true;
      const saved = p.choices.savedTransform;
      const t = saved ?? p.viewport.initialTransform(layout);
      this.pageView = !saved;
      this.firstView = saved ? null : t;
      p.viewport.set(t);
      p.viewport.grownBy(); // the height this view was chosen for
      this.paint.rendered = false;
    }
    if (layout && flags & DIRTY.structure) {
      // A node the user opened or closed stays in place (the view is theirs from then on).
      if (this.anchor) {
        this.pageView = false;
        this.beforeDetails.forget();
        this.holdAnchor(layout);
      } else if (!this.refit()) this.rechoose(true);
    }
    if (layout && flags & DIRTY.structure && this.matchWanted && !this.needsInitialView) this.showMatch(layout);
    if (layout && flags & (DIRTY.structure | DIRTY.view)) p.follow.step(layout, p.tree.model, run?.rows);
    if (layout && !this.needsInitialView) {
      if (run) p.selection.revealWanted(run);
      p.selection.reveal(layout);
    }
    let ticking = false;
    if (run && layout) {
      flags = this.paint.pace(flags);
      if (flags & (DIRTY.structure | DIRTY.content | DIRTY.view)) ticking = this.paint.draw(run, layout, flags);
    } else this.paint.nothing(run?.info);
    if (flags & DIRTY.content && !(flags & (DIRTY.chrome | DIRTY.structure))) this.chrome(run);
    if (ticking || p.selection.detailsTicking(run)) p.scheduler.after('tick', TICK_MS, DIRTY.content | DIRTY.chrome);
  }

  private holdAnchor(layout: Layout): void {
    const a = this.anchor!;
    this.anchor = null;
    const now = layout.byKey.get(a.key);
    if (!now || this.needsInitialView) return;
    const held = this.p.viewport.holding(now, a);
    if (held) this.p.viewport.set(held);
  }

  private chrome(run: RunMirror | undefined): void {
    const { p } = this;
    const model = p.tree.model;
    const size = p.viewport.size(); // before the details pane may take room
    p.chrome.update({
      runs: p.mirror.list(),
      current: p.current(),
      run,
      drawn: p.tree.layout?.nodes.length ?? 0,
      choices: p.choices,
      matches: p.choices.search.trim() && model ? model.matchCount : null,
      focusPath: model?.focusPath ?? null,
      pause: p.pause?.() ?? null,
      fitting: this.fitted,
    });
    p.banner.update(run?.info);
    p.selection.showDetails(run);
    const view = this.needsInitialView ? null : { t: p.viewport.transform, ...size };
    this.beforeDetails.drawn(p.selection.detailsShown(), view);
  }
}
