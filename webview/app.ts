// The task-tree page: builds its rooms and wires them together, turns host
// messages and user actions into dirty flags, and hands each animation frame
// to the frame loop.
import type { ZoomTransform } from 'd3-zoom';
import type { HostMessage, ImageFormat, WebviewMessage } from '../contract/messages';
import { Breadcrumbs } from './breadcrumbs';
import { Chrome } from './chrome';
import { ContextMenu, nodeMenuItems } from './contextMenu';
import { drawPicture, pngOf } from './exportImage';
import { h } from './elements';
import { FrameLoop } from './frameLoop';
import { Follow } from './follow';
import { emptyState, Notices } from './notices';
import { Picks } from './picks';
import { visible } from './tree/programText';
import { Selection } from './selection';
import { Toolbar } from './toolbar';
import { budgetFor, sameBudget } from './tree/budget';
import { DetailsPane } from './tree/details';
import { DIRTY, FrameScheduler } from './tree/frameScheduler';
import { TRANSITION_LIMIT } from './tree/geometry';
import { RunsMirror } from './tree/mirror';
import type { ViewNode } from './tree/model';
import { TreeRenderer } from './tree/render';
import { ShownTree } from './tree/shownTree';
import type { Measures } from './tree/look';
import { pageMeasures } from './tree/textMeasure';
import { Tooltip } from './tree/tooltip';
import { bindTreeInput } from './tree/treeInput';
import { Viewport } from './tree/viewport';
import { WaitLayer } from './tree/waitLayer';
import { VerdictBanner } from './verdictBanner';
import { Choices, type StateStore } from './viewState';
import { Timeline } from './timeline/timeline';

export interface VsCodeApi extends StateStore {
  postMessage(message: unknown): void;
}

/** The remembered state is written at most this often, in ms. */
const SAVE_DELAY_MS = 200;
/** Room kept for the labels of tasks brought into view together, in px. */
const SHOW_LABEL_ROOM = 220;

export class App {
  private readonly mirror = new RunsMirror();
  /** The host has listed its runs at least once. */
  private gotRuns = false;
  private current: string | null = null;
  private readonly choices: Choices;
  private readonly scheduler: FrameScheduler;
  private readonly toolbar: Toolbar;
  private readonly tooltip = new Tooltip();
  private readonly menu = new ContextMenu();
  private readonly svg: SVGSVGElement;
  private readonly renderer: TreeRenderer;
  private readonly viewport: Viewport;
  private readonly tree: ShownTree;
  private readonly chrome: Chrome;
  private readonly selection: Selection;
  private readonly follow: Follow;
  private readonly frames: FrameLoop;
  /** The timeline strip and time cursor: while it is at a past moment, the tree draws that moment's rows. */
  private readonly timeline: Timeline;
  private readonly reducedMotion = matchMedia('(prefers-reduced-motion: reduce)');
  private readonly picks = new Picks();
  private readonly measures: Measures;
  /** What the debugger points at, in whichever run it is. */
  private debugMarks: Extract<HostMessage, { type: 'debugMarks' }> | null = null;

  constructor(
    root: HTMLElement,
    private readonly api: VsCodeApi,
  ) {
    this.choices = new Choices(api);
    this.scheduler = new FrameScheduler((f) => this.frames.frame(f));
    this.toolbar = this.makeToolbar();
    this.svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    this.svg.setAttribute('class', 'tree');
    this.svg.setAttribute('role', 'tree');
    this.svg.setAttribute('tabindex', '0');
    this.svg.setAttribute('aria-label', 'Tasks and task groups');
    const details = new DetailsPane(h('aside', { class: 'details', 'aria-label': 'Details' }));
    const crumbs = new Breadcrumbs((key) => this.setFocus(key));
    this.chrome = new Chrome(
      this.toolbar,
      new Notices(),
      emptyState((m) => this.post(m)),
      this.svg,
      crumbs,
    );
    this.timeline = new Timeline({
      post: (m) => this.post(m),
      choices: this.choices,
      liveRun: () => this.mirror.get(this.current),
      tree: this.svg,
      changed: (flags) => this.changed(flags),
      selectTask: (id) => this.selection.selectId(id),
      announce: (text) => this.chrome.announce(text),
      pastChanged: (change) => {
        this.follow.noteAdded(change.added);
        this.changed((change.structural || change.finishedChanged ? DIRTY.rows : DIRTY.content) | DIRTY.chrome, false);
      },
    });
    const area = h(
      'div',
      { class: 'tree-area' },
      this.svg as unknown as HTMLElement,
      this.chrome.waiting,
      this.chrome.empty,
      this.tooltip.el,
      this.menu.el,
      this.timeline.badge,
    );
    const banner = new VerdictBanner({
      select: (id) => this.selection.selectId(id),
      showAll: (ids) => this.showTasks(ids),
    });
    root.replaceChildren(
      h(
        'div',
        { class: 'app' },
        this.toolbar.el,
        this.chrome.notices.el,
        banner.el,
        crumbs.el,
        h('div', { class: 'main' }, area, details.el),
        this.timeline.el,
        this.chrome.live,
      ),
    );
    this.renderer = new TreeRenderer(this.svg);
    const waits = new WaitLayer(this.svg, this.renderer.viewport.node()!, this.renderer.nodeLayer.node()!);
    this.viewport = new Viewport(this.svg, (t, byUser) => this.onZoom(t, byUser));
    const measures = pageMeasures(document.body);
    this.measures = measures;
    this.tree = new ShownTree(measures);
    const canAnimate = (): boolean =>
      !this.reducedMotion.matches && (this.tree.layout?.nodes.length ?? 0) < TRANSITION_LIMIT * 4;
    this.selection = new Selection({
      choices: this.choices,
      tree: this.tree,
      viewport: this.viewport,
      renderer: this.renderer,
      svg: this.svg,
      details,
      overview: () => this.frames.overview,
      canAnimate,
      announce: (text) => this.chrome.announce(text),
      changed: (flags) => this.changed(flags),
      setOpen: (key, open) => this.setOpen(key, open),
      showMore: (key) => this.showMore(key),
      focus: (key) => this.setFocus(key),
      post: (m) => this.post(m),
    });
    this.follow = new Follow(this.choices.state, this.viewport, this.scheduler, canAnimate);
    this.frames = new FrameLoop({
      mirror: { get: (key) => this.shownRun(key), list: () => this.mirror.list() },
      current: () => this.current,
      choices: this.choices,
      tree: this.tree,
      chrome: this.chrome,
      selection: this.selection,
      follow: this.follow,
      viewport: this.viewport,
      renderer: this.renderer,
      svg: this.svg,
      scheduler: this.scheduler,
      measures,
      reducedMotion: this.reducedMotion,
      waits,
      banner,
      picks: this.picks,
    });
    this.bindTreeEvents();
    let observed = false;
    new ResizeObserver(() => {
      // The page's first size, or the details pane that came with a first view: the
      // first view places the tree (a reload keeps its saved view).
      if (observed && !this.frames.viewJustSet) this.selection.revealSoon();
      observed = true;
      // A panel of another size opens more or less of a big tree.
      const { width, height } = this.viewport.size();
      this.scheduler.request(
        DIRTY.view | (sameBudget(budgetFor(width, height), this.tree.budget) ? 0 : DIRTY.structure),
      );
    }).observe(area);
    this.scheduler.request(DIRTY.structure | DIRTY.chrome);
  }

  post(m: WebviewMessage): void {
    this.api.postMessage(m);
  }

  /** The rows the tree draws: a past moment's while the time cursor is there, else the live ones. */
  private shownRun(key: string | null) {
    return this.timeline.shown(key) ?? this.mirror.get(key);
  }

  // ---- host messages: they only mark what is dirty ----

  receive(m: HostMessage): void {
    switch (m.type) {
      case 'runs': {
        this.mirror.setListed(m.runs);
        const keys = new Set(m.runs.map((r) => r.key));
        const saved = this.choices.state.run;
        let want = m.selected;
        if (!this.gotRuns && saved && keys.has(saved) && saved !== m.selected) {
          // A reload: come back to the run the user was looking at.
          want = saved;
          this.post({ type: 'selectRun', run: want });
        }
        this.gotRuns = true;
        if (want === null || !keys.has(want))
          want = this.current !== null && keys.has(this.current) ? this.current : (m.runs[0]?.key ?? null);
        this.setCurrent(want);
        this.changed(DIRTY.chrome);
        break;
      }
      case 'snapshot': {
        const change = this.mirror.snapshot(m.run, m.rows);
        if (this.current === null) this.setCurrent(m.run.key);
        if (m.run.key === this.current) {
          this.timeline.liveChanged();
          if (this.timeline.inPast) break;
          this.follow.noteAdded(change.added);
          this.changed(DIRTY.structure | DIRTY.chrome, false);
          this.tree.forgetCost();
        }
        break;
      }
      case 'delta': {
        const change = this.mirror.delta(m.run, m.upsert, m.remove);
        if (this.current === null) this.setCurrent(m.run.key);
        if (m.run.key !== this.current) break;
        this.timeline.liveChanged();
        if (this.timeline.inPast) {
          this.changed(DIRTY.chrome, false); // the run list's counts; the tree shows the past
          break;
        }
        this.follow.noteAdded(change.added);
        const flags = change.structural || change.finishedChanged ? DIRTY.rows : DIRTY.content;
        this.changed(flags | DIRTY.chrome, false);
        break;
      }
      case 'config':
        this.choices.hideSystemDefault = m.hideSystemDefault;
        this.changed(DIRTY.structure | DIRTY.chrome, false);
        break;
      case 'selectTasks':
        this.pick(m.run, m.ids, m.label);
        break;
      case 'select':
        if (typeof m.run === 'string' && typeof m.id === 'number') this.selection.want(m.run, m.id);
        break;
      case 'debugMarks':
        this.debugMarks = m;
        this.pointDebugger();
        break;
      case 'export':
        void this.exportImage(m.id, m.format);
        break;
      default:
        this.timeline.receive(m);
    }
  }

  /** Tasks picked from the editor (a hint's click): the first selected and shown, all outlined. */
  private pick(run: string, ids: readonly number[], hintLabel: string): void {
    const label = visible(hintLabel); // it names the program's file and line
    const rows = this.mirror.get(run)?.rows;
    if (run !== this.current || !rows) return;
    const present = ids.filter((id) => rows.has(id));
    if (!present.length) return;
    // Selected in the next frame, once the tree holds what the last snapshot brought.
    this.picks.set(run, present, label);
    this.chrome.announce(`${present.length} task${present.length === 1 ? '' : 's'} selected: ${label}`);
    this.changed(DIRTY.structure | DIRTY.chrome);
  }

  /** The picture of the view the host asked for (its answer carries the same id). */
  private async exportImage(id: number, format: ImageFormat): Promise<void> {
    try {
      const run = this.shownRun(this.current); // the moment shown: a past one while the time cursor is there
      if (!run) throw new Error('no run is shown');
      // Built now, as the next frame would: the panel may have just opened.
      // The picture holds the whole tree: what the user collapsed and the folds, not the levels
      // the panel's size left closed (the next frame builds the panel's view again).
      this.tree.rebuild(run, this.choices.modelOptions(null));
      this.changed(DIRTY.structure, false);
      const { layout, model } = this.tree;
      if (!layout || !model || !layout.nodes.length) throw new Error('the tree shows nothing to draw');
      const picture = drawPicture({
        layout,
        model,
        rows: run.rows,
        info: run.info,
        victims: this.tree.victims,
        measures: this.measures,
        palette: this.tree.palette,
      });
      this.post({ type: 'exported', id, format, data: format === 'svg' ? picture.svg : await pngOf(picture) });
    } catch (err) {
      this.post({ type: 'exportFailed', id, reason: err instanceof Error ? err.message : String(err) });
    }
  }

  /** The debugger's marks for the run in view (a new badge width: a relayout). */
  private pointDebugger(): void {
    const m = this.debugMarks;
    const mine = m && m.run !== null && m.run === this.current && (m.paused !== null || m.focus !== null);
    const next = mine ? { paused: m.paused, focus: m.focus, reason: m.reason } : undefined;
    const now = this.tree.debug;
    if (now?.paused === next?.paused && now?.focus === next?.focus && now?.reason === next?.reason) return;
    this.tree.debug = next;
    this.changed(DIRTY.structure | DIRTY.chrome, false);
  }

  private setCurrent(key: string | null): void {
    if (key === this.current) return;
    this.picks.clear();
    this.current = key;
    this.timeline.runChanged(key);
    this.choices.showRun(key);
    this.frames.reset();
    this.selection.hover = null;
    this.follow.reset();
    this.tree.reset();
    this.pointDebugger();
    this.changed(DIRTY.structure | DIRTY.chrome);
  }

  private pickRun(key: string): void {
    if (key === this.current) return;
    this.post({ type: 'selectRun', run: key });
    this.setCurrent(key);
  }

  /** Marks work for the next frame; `save` = the user changed something worth remembering. */
  private changed(flags: number, save = true): void {
    this.scheduler.request(flags);
    if (flags & (DIRTY.view | DIRTY.chrome | DIRTY.structure)) this.timeline?.drawSoon();
    if (save)
      this.scheduler.after('save', SAVE_DELAY_MS, () =>
        this.choices.save(this.frames.needsInitialView ? null : this.viewport.transform),
      );
  }

  // ---- user actions ----

  /** A change to what is open under `key`'s node; the node stays where it is on screen ("more…": under the pointer, the new page above it). */
  private reshape(key: string, change: (node: ViewNode) => void): void {
    const node = this.tree.model?.byKey.get(key);
    if (!node) return;
    change(node);
    this.frames.keepInPlace(key);
    this.changed(DIRTY.structure | DIRTY.chrome);
  }

  private setOpen(key: string, open?: boolean): void {
    this.reshape(key, (node) => this.choices.setOpen(node, open));
  }

  private showMore(key: string): void {
    this.reshape(key, (node) => this.choices.showMore(node));
  }

  private openAll(key: string): void {
    this.reshape(key, (node) => this.choices.openAll(node));
  }

  /** Shows `key`'s subtree as the root of the view (null: the whole run), selected and framed afresh. */
  private setFocus(key: string | null): void {
    if (key === this.choices.focus) return;
    const back = this.choices.focus;
    this.choices.setFocus(key);
    this.frames.reset();
    this.selection.select(key ?? back, { pan: false });
    this.chrome.announce(key === null ? 'Showing the whole run' : 'Focused; Backspace goes back up');
    this.changed(DIRTY.structure | DIRTY.chrome);
  }

  /** One step back up from the focused node. */
  private focusUp(): void {
    const path = this.tree.model?.focusPath;
    if (!path) return;
    this.setFocus(path.length > 1 ? path[path.length - 2].key : null);
  }

  /** Enter on a node: its details (a fold also unfolds or folds back; "more…" shows the next page). */
  private activate(key: string): void {
    const kind = this.tree.model?.byKey.get(key)?.kind;
    if (kind === 'more') return this.showMore(key);
    if (kind === 'fold') this.setOpen(key);
    this.choices.state.detailsOpen = true;
    this.changed(DIRTY.chrome);
  }

  /** The node's menu at a point in the page (a right click) or beside its node (the keyboard). */
  private openMenu(key: string, clientX?: number, clientY?: number): void {
    const node = this.tree.model?.byKey.get(key);
    if (!node) return;
    // Selected, without opening the details (which would narrow the tree under the menu).
    if (this.choices.selected !== key) this.selection.select(key, { pan: false });
    const row =
      node.kind === 'task' || node.kind === 'nursery' ? this.mirror.get(this.current)?.rows.get(node.id) : undefined;
    const items = nodeMenuItems(node, row, this.choices.focus !== null, {
      focus: (k) => this.setFocus(k),
      focusOut: () => this.setFocus(null),
      openAll: (k) => this.openAll(k),
      setOpen: (k, open) => this.setOpen(k, open),
      showMore: (k) => this.showMore(k),
      openSite: (site) => this.post({ type: 'openSite', file: site.file, line: site.line }),
    });
    const area = this.svg.getBoundingClientRect();
    let x = (clientX ?? 0) - area.left;
    let y = (clientY ?? 0) - area.top;
    if (clientX === undefined) {
      const el = this.svg.querySelector(`g.node[data-key="${CSS.escape(key)}"] .bg`)?.getBoundingClientRect();
      x = el ? el.left - area.left + 24 : area.width / 2;
      y = el ? el.bottom - area.top + 2 : area.height / 2;
    }
    this.menu.open(items, x, y, this.svg);
  }

  private fit(): void {
    const layout = this.tree.layout;
    if (!layout || !layout.nodes.length) return;
    this.viewport.set(
      this.viewport.fitTransform(layout),
      layout.nodes.length < TRANSITION_LIMIT && !this.reducedMotion.matches,
    );
  }

  /** The verdict banner's "Show them": the tasks fitted in view, the first selected. */
  private showTasks(ids: number[]): void {
    const { model, layout } = this.tree;
    if (!model || !layout || !ids.length) return;
    const placed = ids.map((id) => layout.byKey.get(model.keyOf(id) ?? '')).filter((p) => p !== undefined);
    if (placed.length) {
      const xs = placed.map((p) => p.x);
      const ys = placed.map((p) => p.y);
      const bounds = {
        x0: Math.min(...xs),
        x1: Math.max(...xs) + SHOW_LABEL_ROOM,
        y0: Math.min(...ys),
        y1: Math.max(...ys),
      };
      if (this.follow.stop()) this.scheduler.request(DIRTY.chrome);
      this.viewport.set(
        this.viewport.fitTransform({ ...layout, bounds }),
        placed.length < TRANSITION_LIMIT && !this.reducedMotion.matches,
      );
    }
    this.selection.select(model.keyOf(ids[0]), { openDetails: true, pan: false });
  }

  private setFilter(change: () => void): void {
    change();
    this.changed(DIRTY.structure | DIRTY.chrome);
  }

  private onZoom(t: ZoomTransform, byUser: boolean): void {
    this.renderer.viewport.attr('transform', t.toString());
    if (byUser && this.follow.stop()) this.scheduler.request(DIRTY.chrome);
    this.changed(DIRTY.view, !this.frames.needsInitialView);
  }

  private makeToolbar(): Toolbar {
    const state = this.choices.state;
    return new Toolbar({
      selectRun: (key) => this.pickRun(key),
      search: (text) =>
        this.setFilter(() => {
          state.search = text;
        }),
      nextMatch: (back) => this.selection.nextMatch(back),
      leaveSearch: () => this.svg.focus(),
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
        this.changed(DIRTY.view | DIRTY.chrome);
      },
      setFollow: (on) => {
        this.follow.set(on, this.mirror.get(this.current)?.rows);
        this.changed(DIRTY.view | DIRTY.chrome);
      },
      fit: () => this.fit(),
      clearFinished: () => this.post({ type: 'command', command: 'clearFinished' }),
      exportAs: (command) => this.post({ type: 'command', command }),
    });
  }

  private bindTreeEvents(): void {
    const rows = () => this.shownRun(this.current)?.rows;
    bindTreeInput(
      this.svg,
      this.renderer.nodeLayer.node()!,
      this.toolbar.searchInput,
      {
        node: (key) => this.tree.model?.byKey.get(key),
        row: (id) => rows()?.get(id),
        rows,
        hover: (key) => {
          if (this.selection.setHover(key)) this.scheduler.request(DIRTY.view);
        },
        select: (key) => this.selection.select(key, { openDetails: true, pan: false }),
        setOpen: (key) => this.setOpen(key),
        showMore: (key) => this.showMore(key),
        menuAt: (key, x, y) => this.openMenu(key, x, y),
        openSite: (site) => this.post({ type: 'openSite', file: site.file, line: site.line }),
        pickDot: (clientX, clientY) =>
          this.frames.overview && this.tree.layout ? this.viewport.nearest(this.tree.layout, clientX, clientY) : null,
        keys: {
          layout: () => this.tree.layout,
          selected: () => this.choices.selected,
          select: (key) => this.selection.select(key),
          setOpen: (key, open) => this.setOpen(key, open),
          activate: (key) => this.activate(key),
          showMore: (key) => this.showMore(key),
          openAll: (key) => this.openAll(key),
          focus: (key) => this.setFocus(key),
          focusUp: () => this.focusUp(),
          menu: (key) => this.openMenu(key),
          fit: () => this.fit(),
          focusSearch: () => this.toolbar.searchInput.focus(),
        },
      },
      this.tooltip,
    );
  }
}
