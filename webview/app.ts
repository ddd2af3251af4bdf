// The task-tree page: builds its rooms and wires them together, keeps which
// run is in view, and turns changes into dirty flags for the frame loop.
// Its rooms: host messages (hostMessages.ts), what the user's clicks and
// keys do (userActions.ts), the time cursor's wiring (timeTravel.ts), the
// debugger's marks (debuggerMarks.ts), exports (exportImage.ts), and each
// frame (frameLoop.ts).
import type { HostMessage, ImageFormat, WebviewMessage } from '../contract/messages';
import { Breadcrumbs } from './breadcrumbs';
import { Chrome } from './chrome';
import { ContextMenu } from './contextMenu';
import { DebuggerMarks } from './debuggerMarks';
import { answerExport } from './exportImage';
import { h } from './elements';
import { FrameLoop } from './frameLoop';
import { Follow } from './follow';
import { HostMessages } from './hostMessages';
import { emptyState, Notices } from './notices';
import { Picks } from './picks';
import { RootLabel } from './rootLabel';
import { EdgeHints } from './edgeHints';
import { Selection } from './selection';
import { pageTimeline, shownRun } from './timeTravel';
import { Toolbar } from './toolbar';
import { budgetFor, sameBudget } from './tree/budget';
import { DetailsPane } from './tree/details';
import { DIRTY, FrameScheduler } from './tree/frameScheduler';
import { TRANSITION_LIMIT } from './tree/geometry';
import { RunsMirror } from './tree/mirror';
import { TreeRenderer } from './tree/render';
import { ShownTree } from './tree/shownTree';
import type { Measures } from './tree/look';
import { pageMeasures } from './tree/textMeasure';
import { Tooltip } from './tree/tooltip';
import { Viewport } from './tree/viewport';
import { WaitLayer } from './tree/waitLayer';
import { UserActions } from './userActions';
import { VerdictBanner } from './verdictBanner';
import { Choices, type StateStore } from './viewState';
import type { Timeline } from './timeline/timeline';
import { focusOnReturn } from './focusReturn';

export interface VsCodeApi extends StateStore {
  postMessage(message: unknown): void;
}

/** The remembered state is written at most this often, in ms. */
const SAVE_DELAY_MS = 200;

/** The page's rooms are public: each room reads the ones it needs through its own parts interface. */
export class App {
  readonly mirror = new RunsMirror();
  /** The run in view. */
  current: string | null = null;
  readonly choices: Choices;
  readonly scheduler: FrameScheduler;
  readonly actions = new UserActions(this);
  readonly toolbar: Toolbar;
  readonly tooltip = new Tooltip();
  readonly menu = new ContextMenu();
  readonly svg: SVGSVGElement;
  readonly renderer: TreeRenderer;
  readonly viewport: Viewport;
  readonly tree: ShownTree;
  readonly chrome: Chrome;
  readonly selection: Selection;
  readonly follow: Follow;
  readonly frames: FrameLoop;
  /** The timeline strip and time cursor: while it is at a past moment, the tree draws that moment's rows. */
  readonly timeline: Timeline;
  readonly reducedMotion = matchMedia('(prefers-reduced-motion: reduce)');
  readonly picks = new Picks();
  readonly rootLabel = new RootLabel();
  readonly edgeHints = new EdgeHints((p) => this.actions.showBeyond(p));
  readonly measures: Measures;
  readonly debuggerMarks = new DebuggerMarks(this);
  private readonly messages = new HostMessages(this);

  constructor(
    root: HTMLElement,
    private readonly api: VsCodeApi,
  ) {
    this.choices = new Choices(api);
    this.scheduler = new FrameScheduler((f) => this.frame(f));
    this.toolbar = new Toolbar(this.actions.toolbarActions());
    this.svg = treeSvg();
    const details = new DetailsPane(h('aside', { class: 'details', 'aria-label': 'Details' }));
    const crumbs = new Breadcrumbs((key) => this.actions.setFocus(key));
    this.chrome = new Chrome(
      this.toolbar,
      new Notices((site) => this.post({ type: 'openSite', file: site.file, line: site.line })),
      emptyState((m) => this.post(m)),
      this.svg,
      crumbs,
    );
    this.timeline = pageTimeline(this);
    const banner = new VerdictBanner({
      select: (id) => this.selection.selectId(id),
      showAll: (ids, at) => {
        if (at === undefined) return this.actions.showTasks(ids);
        // Shown once the moment's rows are laid out (frame): the tasks' places and states are those of then.
        this.showAtMoment = ids;
        this.timeline.showMoment(at);
      },
    });
    const area = this.buildPage(root, details, crumbs, banner);
    focusOnReturn(this.svg);
    this.renderer = new TreeRenderer(this.svg);
    const waits = new WaitLayer(this.svg, this.renderer.viewport.node()!, this.renderer.nodeLayer.node()!);
    this.viewport = new Viewport(this.svg, (t, byUser) => this.actions.onZoom(t, byUser));
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
      setOpen: (key, open) => this.actions.setOpen(key, open),
      showMore: (key) => this.actions.showMore(key),
      focus: (key) => this.actions.setFocus(key),
      post: (m) => this.post(m),
    });
    this.follow = new Follow(this.choices, this.viewport, this.scheduler, canAnimate);
    this.frames = new FrameLoop({
      mirror: { get: (key) => shownRun(this.timeline, this.mirror, key), list: () => this.mirror.list() },
      current: () => this.current,
      choices: this.choices,
      tree: this.tree,
      chrome: this.chrome,
      pause: () => this.debuggerMarks.pause(),
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
      rootLabel: this.rootLabel,
      edgeHints: this.edgeHints,
    });
    this.actions.bindTree();
    this.watchSize(area);
    this.scheduler.request(DIRTY.structure | DIRTY.chrome);
  }

  /** The page's elements: toolbar, notices, banner, breadcrumbs, the tree area (under the past badge) beside the details, the timeline. */
  private buildPage(root: HTMLElement, details: DetailsPane, crumbs: Breadcrumbs, banner: VerdictBanner): HTMLElement {
    const area = h(
      'div',
      { class: 'tree-area' },
      this.svg as unknown as HTMLElement,
      this.rootLabel.el,
      this.edgeHints.el,
      this.chrome.waiting,
      this.chrome.empty,
      this.tooltip.el,
      this.menu.el,
    );
    // A past moment's badge gets its own row above the tree, not a place over it (it hid the top rows).
    const column = h('div', { class: 'tree-column' }, this.timeline.badge, area);
    root.replaceChildren(
      h(
        'div',
        { class: 'app' },
        this.toolbar.el,
        this.chrome.notices.el,
        banner.el,
        crumbs.el,
        h('div', { class: 'main' }, column, details.el),
        this.timeline.el,
        this.chrome.live,
      ),
    );
    return area;
  }

  private watchSize(area: HTMLElement): void {
    // A press, wheel or key on the tree: the view is the user's (a resize no longer chooses a first view again).
    // Capture: before the tree's own key handler, whose F (Fit) keeps fitting on resizes.
    for (const type of ['pointerdown', 'wheel', 'keydown'] as const)
      this.svg.addEventListener(type, () => this.frames.viewTaken(), { capture: true });
    let observed = false;
    new ResizeObserver(() => {
      // A first view nobody moved is chosen again for the new size (also one just set:
      // the timeline or the details pane that came with it took room).
      if (observed) this.frames.resized();
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
  }

  /** One frame; a rebuilt tree may have closed or opened levels, and the timeline's rows follow it. */
  private frame(flags: number): void {
    const built = this.tree.version;
    this.frames.frame(flags);
    if (this.tree.version !== built) this.timeline.drawSoon();
    if (this.showAtMoment && !this.timeline.inPast) this.showAtMoment = null; // back to now meanwhile
    if (this.showAtMoment && this.timeline.settledInPast && this.tree.layout) {
      this.actions.showTasks(this.showAtMoment);
      this.showAtMoment = null;
    }
  }

  /** The verdict banner's "Show them" at a past moment: the tasks to show once its rows are laid out. */
  private showAtMoment: number[] | null = null;

  post(m: WebviewMessage): void {
    this.api.postMessage(m);
  }

  receive(m: HostMessage): void {
    this.messages.receive(m);
  }

  /** The rows the tree draws for the run in view: a past moment's while the time cursor is there. */
  shownRun() {
    return shownRun(this.timeline, this.mirror, this.current);
  }

  exportImage(id: number, format: ImageFormat): Promise<void> {
    return answerExport(this, id, format);
  }

  momentShown(): string {
    return this.timeline.bar.momentShown;
  }

  setCurrent(key: string | null): void {
    if (key === this.current) return;
    this.picks.clear();
    this.current = key;
    this.timeline.runChanged(key);
    this.choices.showRun(key);
    this.frames.reset();
    this.selection.hover = null;
    this.follow.reset();
    this.tree.reset();
    this.debuggerMarks.point();
    this.changed(DIRTY.structure | DIRTY.chrome);
  }

  pickRun(key: string): void {
    if (key === this.current) return;
    this.post({ type: 'selectRun', run: key });
    this.setCurrent(key);
  }

  /** Marks work for the next frame; `save` = the user changed something worth remembering. */
  changed(flags: number, save = true): void {
    this.scheduler.request(flags);
    if (flags & (DIRTY.view | DIRTY.chrome | DIRTY.structure)) this.timeline?.drawSoon();
    if (save)
      this.scheduler.after('save', SAVE_DELAY_MS, () =>
        this.choices.save(this.frames.needsInitialView ? null : this.viewport.transform),
      );
  }
}

/** The tree's drawing, a focusable tree for assistive technology. */
function treeSvg(): SVGSVGElement {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('class', 'tree');
  svg.setAttribute('role', 'tree');
  svg.setAttribute('tabindex', '0');
  svg.setAttribute('aria-label', 'Tasks and task groups');
  return svg;
}
