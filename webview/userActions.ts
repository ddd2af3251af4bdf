// What the user's clicks and keys do to the view: open or close a node, the
// next page of a fold or list, open a subtree whole, focus on a node and back
// up, Enter on a node, its menu, Fit, the verdict banner's "Show them", the
// toolbar's filters and switches, a pan or zoom; and the binding of the
// toolbar and the tree's pointer and keyboard input to them.
import type { ZoomTransform } from 'd3-zoom';
import type { WebviewMessage } from '../contract/messages';
import type { Row } from '../contract/rows';
import type { Chrome } from './chrome';
import { nodeMenuItems, type ContextMenu } from './contextMenu';
import type { Follow } from './follow';
import type { FrameLoop } from './frameLoop';
import type { Picks } from './picks';
import type { Selection } from './selection';
import type { ToolbarActions, Toolbar } from './toolbar';
import { DIRTY, type FrameScheduler } from './tree/frameScheduler';
import { TRANSITION_LIMIT } from './tree/geometry';
import type { Placed } from './tree/layout';
import type { RunMirror, RunsMirror } from './tree/mirror';
import type { ViewNode } from './tree/model';
import type { TreeRenderer } from './tree/render';
import type { ShownTree } from './tree/shownTree';
import type { Tooltip } from './tree/tooltip';
import { bindTreeInput } from './tree/treeInput';
import type { Viewport } from './tree/viewport';
import type { Choices } from './viewState';

/** Room kept for the labels of tasks brought into view together, in px. */
const SHOW_LABEL_ROOM = 220;

/** The page's rooms the actions read and move (read when an action runs: some are built after the actions). */
export interface ActionParts {
  mirror: RunsMirror;
  /** The run in view. */
  readonly current: string | null;
  choices: Choices;
  tree: ShownTree;
  frames: FrameLoop;
  selection: Selection;
  follow: Follow;
  chrome: Chrome;
  toolbar: Toolbar;
  tooltip: Tooltip;
  menu: ContextMenu;
  svg: SVGSVGElement;
  viewport: Viewport;
  renderer: TreeRenderer;
  scheduler: FrameScheduler;
  reducedMotion: MediaQueryList;
  /** Tasks picked from the editor's hints. */
  picks: Picks;
  /** The rows the tree draws (a past moment's while the time cursor is there). */
  shownRun(): RunMirror | undefined;
  pickRun(key: string): void;
  changed(flags: number, save?: boolean): void;
  post(m: WebviewMessage): void;
}

export class UserActions {
  constructor(private readonly p: ActionParts) {}

  /** The live rows of the run in view. */
  private liveRows(): ReadonlyMap<number, Row> | undefined {
    return this.p.mirror.get(this.p.current)?.rows;
  }

  /** A change to what is open under `key`'s node; the node stays where it is on screen ("more…": under the pointer, the new page above it). */
  private reshape(key: string, change: (node: ViewNode) => void): void {
    const node = this.p.tree.model?.byKey.get(key);
    if (!node) return;
    change(node);
    this.p.frames.keepInPlace(key);
    this.p.changed(DIRTY.structure | DIRTY.chrome);
  }

  setOpen(key: string, open?: boolean): void {
    this.reshape(key, (node) => this.p.choices.setOpen(node, open));
  }

  showMore(key: string): void {
    this.reshape(key, (node) => this.p.choices.showMore(node));
  }

  openAll(key: string): void {
    this.reshape(key, (node) => this.p.choices.openAll(node));
  }

  /** Shows `key`'s subtree as the root of the view (null: the whole run), selected and framed afresh. */
  setFocus(key: string | null): void {
    const { p } = this;
    if (key === p.choices.focus) return;
    const back = p.choices.focus;
    p.choices.setFocus(key);
    p.frames.reset();
    p.selection.select(key ?? back, { pan: false });
    p.chrome.announce(key === null ? 'Showing the whole run' : 'Focused; Backspace goes back up');
    p.changed(DIRTY.structure | DIRTY.chrome);
  }

  /** One step back up from the focused node. */
  focusUp(): void {
    const path = this.p.tree.model?.focusPath;
    if (!path) return;
    this.setFocus(path.length > 1 ? path[path.length - 2].key : null);
  }

  /** Enter on a node: its details (a fold also unfolds or folds back; "more…" shows the next page). */
  activate(key: string): void {
    const kind = this.p.tree.model?.byKey.get(key)?.kind;
    if (kind === 'more') return this.showMore(key);
    if (kind === 'fold') this.setOpen(key);
    this.p.choices.state.detailsOpen = true;
    this.p.changed(DIRTY.chrome);
  }

  /** The node's menu at a point in the page (a right click) or beside its node (the keyboard). */
  openMenu(key: string, clientX?: number, clientY?: number): void {
    const { p } = this;
    const node = p.tree.model?.byKey.get(key);
    if (!node) return;
    // Selected, without opening the details (which would narrow the tree under the menu).
    if (p.choices.selected !== key) p.selection.select(key, { pan: false });
    const row = node.kind === 'task' || node.kind === 'nursery' ? this.liveRows()?.get(node.id) : undefined;
    const items = nodeMenuItems(node, row, p.choices.focus !== null, {
      focus: (k) => this.setFocus(k),
      focusOut: () => this.setFocus(null),
      openAll: (k) => this.openAll(k),
      setOpen: (k, open) => this.setOpen(k, open),
      showMore: (k) => this.showMore(k),
      openSite: (site) => p.post({ type: 'openSite', file: site.file, line: site.line }),
    });
    const area = p.svg.getBoundingClientRect();
    let x = (clientX ?? 0) - area.left;
    let y = (clientY ?? 0) - area.top;
    if (clientX === undefined) {
      const el = p.svg.querySelector(`g.node[data-key="${CSS.escape(key)}"] .bg`)?.getBoundingClientRect();
      x = el ? el.left - area.left + 24 : area.width / 2;
      y = el ? el.bottom - area.top + 2 : area.height / 2;
    }
    p.menu.open(items, x, y, p.svg);
  }

  fit(): void {
    const { p } = this;
    const shown = p.tree.layout?.nodes.length ?? 0;
    p.frames.fit(shown < TRANSITION_LIMIT && !p.reducedMotion.matches);
  }

  /** The verdict banner's "Show them": the tasks fitted in view, the first selected. */
  showTasks(ids: number[]): void {
    const { p } = this;
    const { model, layout } = p.tree;
    if (!model || !layout || !ids.length) return;
    const placed = ids.map((id) => layout.byKey.get(model.keyOf(id) ?? '')).filter((q) => q !== undefined);
    if (placed.length) {
      const xs = placed.map((q) => q.x);
      const ys = placed.map((q) => q.y);
      const bounds = {
        x0: Math.min(...xs),
        x1: Math.max(...xs) + SHOW_LABEL_ROOM,
        y0: Math.min(...ys),
        y1: Math.max(...ys),
      };
      if (p.follow.stop()) p.scheduler.request(DIRTY.chrome);
      p.frames.viewTaken();
      p.frames.viewMoved();
      p.viewport.set(
        p.viewport.fitTransform({ ...layout, bounds }),
        placed.length < TRANSITION_LIMIT && !p.reducedMotion.matches,
      );
    }
    p.selection.select(model.keyOf(ids[0]), { openDetails: true, pan: false });
  }

  /** An edge's sign (edgeHints.ts) was clicked: the nearest node beyond it comes into view; the view is the user's now. */
  showBeyond(placed: Placed): void {
    const { p } = this;
    const to = p.viewport.panTo(placed, (p.renderer.lookOf(placed.node.key)?.width ?? SHOW_LABEL_ROOM) + 30);
    if (!to) return;
    if (p.follow.stop()) p.scheduler.request(DIRTY.chrome);
    p.frames.viewTaken();
    p.frames.viewMoved();
    p.viewport.set(to, !p.reducedMotion.matches);
  }

  private setFilter(change: () => void): void {
    change();
    this.p.changed(DIRTY.structure | DIRTY.chrome);
  }

  /** The view moved (by the user, or by the page); a pan or zoom of the user's ends follow mode. */
  onZoom(t: ZoomTransform, byUser: boolean): void {
    const { p } = this;
    p.renderer.viewport.attr('transform', t.toString());
    if (byUser && p.follow.stop()) p.scheduler.request(DIRTY.chrome);
    if (byUser) p.frames.viewMoved();
    p.changed(DIRTY.view, !p.frames.needsInitialView);
  }

  toolbarActions(): ToolbarActions {
    const p = this.p;
    const state = p.choices.state;
    return {
      selectRun: (key) => p.pickRun(key),
      search: (text) =>
        this.setFilter(() => {
          p.choices.search = text;
          if (text.trim()) p.frames.searched();
        }),
      nextMatch: (back) => p.selection.nextMatch(back),
      leaveSearch: () => p.svg.focus(),
      setHideFinished: (on) =>
        this.setFilter(() => {
          state.hideFinished = on;
        }),
      setHideSystem: (on) =>
        this.setFilter(() => {
          state.hideSystem = on;
        }),
      setShowWaits: (on) => {
        state.showWaits = on;
        p.changed(DIRTY.view | DIRTY.chrome);
      },
      setFollow: (on) => {
        p.follow.set(on, this.liveRows());
        p.changed(DIRTY.view | DIRTY.chrome);
      },
      fit: () => this.fit(),
      clearFinished: () => p.post({ type: 'command', command: 'clearFinished' }),
      exportAs: (command) => p.post({ type: 'command', command }),
    };
  }

  /** The tree's pointer and keyboard input, bound once the tree is drawn into. */
  bindTree(): void {
    const p = this.p;
    const rows = () => p.shownRun()?.rows;
    bindTreeInput(
      p.svg,
      p.renderer.nodeLayer.node()!,
      p.toolbar.searchInput,
      {
        node: (key) => p.tree.model?.byKey.get(key),
        row: (id) => rows()?.get(id),
        rows,
        hover: (key) => {
          if (p.selection.setHover(key)) p.scheduler.request(DIRTY.view);
        },
        select: (key) => p.selection.select(key, { openDetails: true, pan: false }),
        setOpen: (key) => this.setOpen(key),
        showMore: (key) => this.showMore(key),
        menuAt: (key, x, y) => this.openMenu(key, x, y),
        openSite: (site) => p.post({ type: 'openSite', file: site.file, line: site.line }),
        pickDot: (clientX, clientY) =>
          p.frames.overview && p.tree.layout ? p.viewport.nearest(p.tree.layout, clientX, clientY) : null,
        keys: {
          layout: () => p.tree.layout,
          selected: () => p.choices.selected,
          select: (key) => p.selection.select(key),
          deselect: () => {
            if (p.choices.selected === null && !p.picks.any) return false;
            p.picks.clear();
            p.selection.select(null);
            return true;
          },
          setOpen: (key, open) => this.setOpen(key, open),
          activate: (key) => this.activate(key),
          showMore: (key) => this.showMore(key),
          openAll: (key) => this.openAll(key),
          focus: (key) => this.setFocus(key),
          focusUp: () => this.focusUp(),
          menu: (key) => this.openMenu(key),
          fit: () => this.fit(),
          focusSearch: () => p.toolbar.searchInput.focus(),
        },
      },
      p.tooltip,
    );
  }
}
