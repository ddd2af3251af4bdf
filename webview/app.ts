// The task-tree page: holds the mirrored runs and what the user chose, turns
// host messages into dirty flags, and draws once per animation frame.
import type { ZoomTransform } from 'd3-zoom';
import type { HostMessage, WebviewMessage } from '../contract/messages';
import type { Row, RunInfo } from '../contract/rows';
import { h } from './elements';
import { emptyState, Notices, statusSentence } from './notices';
import { Toolbar } from './toolbar';
import { DetailsPane } from './tree/details';
import { Tooltip } from './tree/tooltip';
import { DIRTY, FrameScheduler } from './tree/frameScheduler';
import { FONT_SIZE, OVERVIEW_SCALE, SMALL_FONT_SIZE, TRANSITION_LIMIT } from './tree/geometry';
import { bindTreeInput } from './tree/treeInput';
import { awaitKey, displayName } from './tree/labels';
import { layoutTree, type LabelSizer, type Layout, type Placed } from './tree/layout';
import { lookOf, type Measures } from './tree/look';
import { RunsMirror } from './tree/mirror';
import { buildModel, type Model, type ViewNode } from './tree/model';
import { TreeRenderer } from './tree/render';
import { cancelLinks, victimsIndex } from './tree/cancelLinks';
import { SitePalette } from './tree/sitePalette';
import { fontOf, TextMeasure } from './tree/textMeasure';
import { Viewport } from './tree/viewport';
import { parseViewState, runView, type RunView, type ViewState } from './viewState';

export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

const FOLD_THRESHOLD = 20;
/** Label length estimates per row object (see App.sizer). */
const CHARS = new WeakMap<Row, number>();
const FOLLOW_INTERVAL_MS = 400;
const OVERVIEW_REPAINT_MS = 500;

/** Trees with more drawn nodes than this may wait between rebuilds; smaller ones never do. */
const BIG_TREE = 2000;

/** Minimum time between data-driven rebuilds for a rebuild that cost `cost` ms: none for small trees. */
function rebuildInterval(cost: number): number {
  return cost < 6 ? 0 : Math.min(1000, cost * 12);
}

export class App {
  private readonly mirror = new RunsMirror();
  private runs: RunInfo[] = [];
  private gotRuns = false;
  private current: string | null = null;
  private readonly state: ViewState;
  private rv: RunView | null = null;
  private collapsed = new Set<string>();
  private folds = new Set<string>();
  private hideSystemDefault = true;
  private model: Model | null = null;
  private layout: Layout | null = null;
  private victims = new Map<number, number[]>();
  private hover: string | null = null;
  private needsInitialView = true;
  private rendered = false;
  private followTarget: number | null = null;
  private lastFollow = 0;
  private tickTimer: number | null = null;
  private followTimer: number | null = null;
  private persistTimer: number | null = null;
  private lastStatus = '';
  private overview = false;
  private revealSelection = false;
  /** What the last rebuild (model + layout) cost, and when it ran: big trees rebuild less often. */
  private rebuildCost = 0;
  private lastRebuild = 0;
  private rowsTimer: number | null = null;
  private layoutVersion = 0;
  private lastOverviewPaint = 0;
  private overviewTimer: number | null = null;
  /** Await-site marks of the current run (stable for the run). */
  private palette = new SitePalette();
  /** Labels a frame had to cut for lack of room: every later layout of the run measures them. */
  private cramped = new Set<string>();
  /** The layout version a relayout for cramped labels was asked for (one try per layout). */
  private crampedFor = -1;

  private readonly scheduler: FrameScheduler;
  private readonly toolbar: Toolbar;
  private readonly notices = new Notices();
  private readonly tooltip = new Tooltip();
  private readonly details: DetailsPane;
  private readonly svg: SVGSVGElement;
  private readonly renderer: TreeRenderer;
  private readonly viewport: Viewport;
  private readonly measures: Measures;
  private readonly empty: HTMLElement;
  private readonly waiting: HTMLElement;
  private readonly live: HTMLElement;
  private readonly reducedMotion = matchMedia('(prefers-reduced-motion: reduce)');

  constructor(root: HTMLElement, private readonly api: VsCodeApi) {
    this.state = parseViewState(api.getState());
    this.scheduler = new FrameScheduler((f) => this.frame(f));
    this.toolbar = new Toolbar({
      selectRun: (key) => this.pickRun(key),
      search: (text) => {
        this.state.search = text;
        this.changed(DIRTY.structure | DIRTY.chrome);
      },
      nextMatch: (back) => this.nextMatch(back),
      leaveSearch: () => this.svg.focus(),
      setHideFinished: (on) => {
        this.state.hideFinished = on;
        this.changed(DIRTY.structure | DIRTY.chrome);
      },
      setHideSystem: (on) => {
        this.state.hideSystem = on;
        this.changed(DIRTY.structure | DIRTY.chrome);
      },
      setFollow: (on) => {
        this.state.follow = on;
        if (on) this.followTarget = this.newestTask();
        this.changed(DIRTY.view | DIRTY.chrome);
      },
      fit: () => this.fit(),
      clearFinished: () => this.post({ type: 'command', command: 'clearFinished' }),
    });
    this.svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    this.svg.setAttribute('class', 'tree');
    this.svg.setAttribute('role', 'tree');
    this.svg.setAttribute('tabindex', '0');
    this.svg.setAttribute('aria-label', 'Trio tasks and nurseries');
    this.details = new DetailsPane(h('aside', { class: 'details', 'aria-label': 'Details' }));
    this.empty = emptyState((m) => this.post(m));
    this.waiting = h('div', { class: 'waiting-note' }, 'Waiting for the first tasks of this run…');
    this.live = h('div', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
    const area = h('div', { class: 'tree-area' }, this.svg as unknown as HTMLElement, this.waiting, this.empty, this.tooltip.el);
    root.replaceChildren(h('div', { class: 'app' }, this.toolbar.el, this.notices.el, h('div', { class: 'main' }, area, this.details.el), this.live));
    this.renderer = new TreeRenderer(this.svg);
    this.viewport = new Viewport(this.svg, (t, byUser) => this.onZoom(t, byUser));
    const body = document.body;
    const editorFont = getComputedStyle(body).getPropertyValue('--vscode-editor-font-family').trim() || 'monospace';
    this.measures = {
      name: new TextMeasure(fontOf(body, FONT_SIZE)),
      nameBold: new TextMeasure(`600 ${fontOf(body, FONT_SIZE)}`),
      code: new TextMeasure(fontOf(body, SMALL_FONT_SIZE, editorFont)),
      small: new TextMeasure(fontOf(body, SMALL_FONT_SIZE)),
      smallBold: new TextMeasure(`600 ${fontOf(body, SMALL_FONT_SIZE)}`),
    };
    this.bindTreeEvents();
    new ResizeObserver(() => {
      // The details pane opening (or the panel narrowing) must not hide the selected node.
      this.revealSelection = true;
      this.scheduler.request(DIRTY.view);
    }).observe(area);
    this.scheduler.request(DIRTY.structure | DIRTY.chrome);
  }

  post(m: WebviewMessage): void {
    this.api.postMessage(m);
  }

  // ---- host messages: they only mark what is dirty ----

  receive(m: HostMessage): void {
    switch (m.type) {
      case 'runs': {
        this.runs = m.runs;
        this.mirror.retain(m.runs.map((r) => r.key));
        for (const r of m.runs) this.mirror.updateInfo(r);
        const keys = new Set(m.runs.map((r) => r.key));
        let want = m.selected;
        if (!this.gotRuns && this.state.run && keys.has(this.state.run) && this.state.run !== m.selected) {
          // A reload: come back to the run the user was looking at.
          want = this.state.run;
          this.post({ type: 'selectRun', run: want });
        }
        this.gotRuns = true;
        if (want === null || !keys.has(want)) want = this.current !== null && keys.has(this.current) ? this.current : (m.runs[0]?.key ?? null);
        this.setCurrent(want);
        this.changed(DIRTY.chrome);
        break;
      }
      case 'snapshot': {
        const change = this.mirror.snapshot(m.run, m.rows);
        if (this.current === null) this.setCurrent(m.run.key);
        if (m.run.key === this.current) {
          this.noteAdded(change.added);
          this.changed(DIRTY.structure | DIRTY.chrome, false);
          this.rebuildCost = 0;
        }
        break;
      }
      case 'delta': {
        const change = this.mirror.delta(m.run, m.upsert, m.remove);
        if (this.current === null) this.setCurrent(m.run.key);
        if (m.run.key !== this.current) break;
        this.noteAdded(change.added);
        const flags = change.structural || change.finishedChanged ? DIRTY.rows : DIRTY.content;
        this.changed(flags | DIRTY.chrome, false);
        break;
      }
      case 'config':
        this.hideSystemDefault = m.hideSystemDefault;
        this.changed(DIRTY.structure | DIRTY.chrome, false);
        break;
    }
  }

  private noteAdded(ids: number[]): void {
    if (!ids.length || !this.state.follow) return;
    let best = this.followTarget ?? -Infinity;
    for (const id of ids) if (id > best) best = id;
    this.followTarget = best;
  }

  private setCurrent(key: string | null): void {
    if (key === this.current) return;
    this.current = key;
    this.state.run = key;
    this.rv = key === null ? null : runView(this.state, key);
    this.collapsed = new Set(this.rv?.collapsed ?? []);
    this.folds = new Set(this.rv?.folds ?? []);
    this.needsInitialView = true;
    this.hover = null;
    this.followTarget = null;
    this.model = null;
    this.layout = null;
    this.palette = new SitePalette();
    this.cramped.clear();
    this.changed(DIRTY.structure | DIRTY.chrome);
  }

  private pickRun(key: string): void {
    if (key === this.current) return;
    this.post({ type: 'selectRun', run: key });
    this.setCurrent(key);
  }

  /** Marks work for the next frame; `persist` = the user changed something worth remembering. */
  private changed(flags: number, persist = true): void {
    this.scheduler.request(flags);
    if (persist) this.persistSoon();
  }

  private persistSoon(): void {
    if (this.persistTimer !== null) return;
    this.persistTimer = window.setTimeout(() => {
      this.persistTimer = null;
      this.persist();
    }, 200);
  }

  private persist(): void {
    if (this.rv) {
      this.rv.collapsed = [...this.collapsed];
      this.rv.folds = [...this.folds];
      if (!this.needsInitialView) {
        const t = this.viewport.transform;
        this.rv.transform = { x: t.x, y: t.y, k: t.k };
      }
    }
    this.api.setState(this.state);
  }

  // ---- user actions ----

  private get hideSystem(): boolean {
    return this.state.hideSystem ?? this.hideSystemDefault;
  }

  select(key: string | null, opts: { pan?: boolean; openDetails?: boolean } = {}): void {
    if (!this.rv) return;
    this.rv.selected = key;
    if (opts.openDetails) this.state.detailsOpen = true;
    if (key !== null && opts.pan !== false) {
      const p = this.layout?.byKey.get(key);
      if (p) this.panInto(p);
    }
    if (key !== null && this.overview) {
      const p = this.layout?.byKey.get(key);
      if (p) this.announce(this.renderer.lookOf(key)?.aria ?? '');
    }
    this.changed(DIRTY.view | DIRTY.chrome);
  }

  private selectId(id: number): void {
    const key = this.model?.keyOf(id) ?? String(id);
    this.select(key, { openDetails: true });
  }

  private setOpen(key: string, open?: boolean): void {
    const node = this.model?.byKey.get(key);
    if (!node) return;
    if (node.kind === 'fold') {
      const now = open ?? !this.folds.has(key);
      if (now) this.folds.add(key);
      else this.folds.delete(key);
    } else {
      const isOpen = !this.collapsed.has(key);
      const now = open ?? !isOpen;
      if (now) this.collapsed.delete(key);
      else this.collapsed.add(key);
    }
    this.changed(DIRTY.structure | DIRTY.chrome);
  }

  private activate(key: string): void {
    const node = this.model?.byKey.get(key);
    if (node?.kind === 'fold') this.setOpen(key);
    this.state.detailsOpen = true;
    this.changed(DIRTY.chrome);
  }

  fit(): void {
    if (!this.layout || !this.layout.nodes.length) return;
    this.viewport.set(this.viewport.fitTransform(this.layout), this.layout.nodes.length < TRANSITION_LIMIT && !this.reducedMotion.matches);
  }

  private panInto(p: Placed): void {
    const look = this.renderer.lookOf(p.node.key);
    const t = this.viewport.panTo(p, (look?.width ?? 160) + 30);
    if (t) this.viewport.set(t, this.canAnimate());
  }

  private canAnimate(): boolean {
    return !this.reducedMotion.matches && (this.layout?.nodes.length ?? 0) < TRANSITION_LIMIT * 4;
  }

  private nextMatch(backwards: boolean): void {
    if (!this.model || !this.layout) return;
    const placed = this.model.matches.map((k) => this.layout!.byKey.get(k)).filter((p): p is Placed => !!p);
    if (!placed.length) return;
    placed.sort((a, b) => a.y - b.y || a.x - b.x);
    const i = placed.findIndex((p) => p.node.key === this.rv?.selected);
    const next = i < 0 ? (backwards ? placed.length - 1 : 0) : (i + (backwards ? -1 : 1) + placed.length) % placed.length;
    this.select(placed[next].node.key, { openDetails: true });
  }

  private newestTask(): number | null {
    const run = this.mirror.get(this.current);
    if (!run) return null;
    let best: number | null = null;
    for (const r of run.rows.values()) if (r.kind === 'task' && (best === null || r.id > best)) best = r.id;
    return best;
  }

  private onZoom(t: ZoomTransform, byUser: boolean): void {
    this.renderer.viewport.attr('transform', t.toString());
    if (byUser && this.state.follow) {
      this.state.follow = false;
      this.followTarget = null;
      this.scheduler.request(DIRTY.chrome);
    }
    this.changed(DIRTY.view, !this.needsInitialView);
  }

  private bindTreeEvents(): void {
    bindTreeInput(this.svg, this.renderer.nodeLayer.node()!, this.toolbar.searchInput, {
      node: (key) => this.model?.byKey.get(key),
      row: (id) => this.mirror.get(this.current)?.rows.get(id),
      rows: () => this.mirror.get(this.current)?.rows,
      hover: (key) => {
        if (key === this.hover) return;
        this.hover = key;
        this.scheduler.request(DIRTY.view);
      },
      select: (key) => this.select(key, { openDetails: true, pan: false }),
      setOpen: (key) => this.setOpen(key),
      openSite: (site) => this.post({ type: 'openSite', file: site.file, line: site.line }),
      pickDot: (clientX, clientY) => (this.overview && this.layout ? this.viewport.nearest(this.layout, clientX, clientY) : null),
      keys: {
        layout: () => this.layout,
        selected: () => this.rv?.selected ?? null,
        select: (key) => this.select(key),
        setOpen: (key, open) => this.setOpen(key, open),
        activate: (key) => this.activate(key),
        fit: () => this.fit(),
        focusSearch: () => this.toolbar.searchInput.focus(),
      },
    }, this.tooltip);
  }

  private announce(text: string): void {
    this.live.textContent = text;
  }

  // ---- the frame ----

  private frame(flags: number): void {
    const run = this.mirror.get(this.current);
    if ((flags & DIRTY.rows) && !(flags & DIRTY.structure)) {
      // Spawns and exits on a tree that takes long to lay out: rebuild a few times a
      // second, not every frame (calmer, and frames stay short). User actions never wait.
      const big = (this.layout?.nodes.length ?? 0) > BIG_TREE;
      const wait = big ? rebuildInterval(this.rebuildCost) - (performance.now() - this.lastRebuild) : 0;
      if (wait > 0) {
        if (this.rowsTimer === null) {
          this.rowsTimer = window.setTimeout(() => {
            this.rowsTimer = null;
            this.scheduler.request(DIRTY.rows);
          }, wait);
        }
        flags &= ~(DIRTY.rows | DIRTY.content);
        if (!flags) return;
      } else flags |= DIRTY.structure;
    }
    if (flags & DIRTY.structure) {
      const t0 = performance.now();
      this.rebuild();
      this.lastRebuild = performance.now();
      this.rebuildCost = this.lastRebuild - t0;
    }
    // Toolbar and banners first: they change the tree area's size, which the first view depends on.
    if (flags & (DIRTY.chrome | DIRTY.structure)) this.chrome(run?.info);
    const layout = this.layout;
    if (run && layout && layout.nodes.length && this.needsInitialView) {
      this.needsInitialView = false;
      const saved = this.rv?.transform;
      this.viewport.set(saved ?? this.viewport.initialTransform(layout));
      this.rendered = false;
    }
    if (this.state.follow && this.followTarget !== null && layout && (flags & (DIRTY.structure | DIRTY.view))) this.follow(layout);
    if (this.revealSelection && layout && !this.needsInitialView) {
      this.revealSelection = false;
      const sel = this.rv?.selected;
      const p = sel ? layout.byKey.get(sel) : undefined;
      if (p) {
        const t = this.viewport.panTo(p, (this.renderer.lookOf(p.node.key)?.width ?? 160) + 30);
        if (t) this.viewport.set(t);
      }
    }

    let ticking = false;
    const onlyContent = (flags & (DIRTY.structure | DIRTY.view)) === 0;
    if (run && layout && this.overview && onlyContent && (flags & DIRTY.content)) {
      // Zoomed far out, state colours of thousands of dots repaint twice a second: calm, and cheap.
      const wait = OVERVIEW_REPAINT_MS - (performance.now() - this.lastOverviewPaint);
      if (wait > 0) {
        if (this.overviewTimer === null) {
          this.overviewTimer = window.setTimeout(() => {
            this.overviewTimer = null;
            this.scheduler.request(DIRTY.content);
          }, wait);
        }
        flags &= ~DIRTY.content;
      }
    }
    if (run && layout && (flags & (DIRTY.structure | DIRTY.content | DIRTY.view))) {
      const visible = this.viewport.cull(layout);
      this.overview = this.viewport.transform.k < OVERVIEW_SCALE;
      if (this.overview) this.lastOverviewPaint = performance.now();
      const t = this.viewport.transform;
      const viewKey = `${this.layoutVersion}:${t.k}:${t.x}:${t.y}`;
      const selected = this.rv?.selected ?? null;
      const focus = selected ?? this.hover;
      const { links, related } = this.model ? cancelLinks(this.model, layout, run.rows, this.victims, visible, focus) : { links: [], related: new Set<string>() };
      const animate = (flags & DIRTY.structure) !== 0 && this.rendered && visible.length < TRANSITION_LIMIT && !this.reducedMotion.matches;
      const drawn = this.renderer.render({
        layout, visible, rows: run.rows, info: run.info, selected, hover: this.hover, cancelLinks: links, related,
        animate, overview: this.overview, scale: t.k, viewKey, wallNow: Date.now(), measures: this.measures, palette: this.palette,
      });
      ticking = drawn.ticking;
      if (drawn.cramped.length && this.crampedFor !== this.layoutVersion) {
        // A label outgrew its column (a task started waiting somewhere with a
        // longer name): lay out again, measuring it, once per layout.
        this.crampedFor = this.layoutVersion + 1;
        // Kept for the run (bounded): once cut for lack of room, a label is always measured.
        if (this.cramped.size > 500) this.cramped.clear();
        for (const k of drawn.cramped) this.cramped.add(k);
        this.scheduler.request(DIRTY.rows);
      }
      this.rendered = true;
      this.svg.classList.toggle('zoomed-out', this.overview);
      const active = selected !== null && !this.overview && layout.byKey.has(selected) ? `node-${selected.replace(/[^\w-]/g, '_')}` : null;
      if (active && this.svg.querySelector(`#${CSS.escape(active)}`)) this.svg.setAttribute('aria-activedescendant', active);
      else this.svg.removeAttribute('aria-activedescendant');
    } else if (!layout || !run) {
      this.renderer.render({
        layout: { nodes: [], byKey: new Map(), roots: [], bounds: { x0: 0, y0: 0, x1: 0, y1: 0 }, room: [] }, visible: [], rows: new Map(),
        info: run?.info ?? (undefined as unknown as RunInfo), selected: null, hover: null, cancelLinks: [], related: new Set(), animate: false, overview: false, scale: 1, viewKey: '', wallNow: 0, measures: this.measures, palette: this.palette,
      });
    }
    if ((flags & DIRTY.content) && !(flags & (DIRTY.chrome | DIRTY.structure))) this.chrome(run?.info);
    ticking ||= this.detailsTicking();
    if (ticking && this.tickTimer === null) {
      this.tickTimer = window.setTimeout(() => {
        this.tickTimer = null;
        this.scheduler.request(DIRTY.content | DIRTY.chrome);
      }, 100);
    }
  }

  private detailsTicking(): boolean {
    const run = this.mirror.get(this.current);
    return !!run && run.info.status === 'live' && !this.details.el.hidden && this.details.el.querySelector('.countdown') !== null;
  }

  private rebuild(): void {
    const run = this.mirror.get(this.current);
    if (!run) {
      this.model = null;
      this.layout = null;
      return;
    }
    this.model = buildModel(run.rows, {
      hideSystem: this.hideSystem,
      hideFinished: this.state.hideFinished,
      search: this.state.search.trim().toLowerCase(),
      collapsed: this.collapsed,
      expandedFolds: this.folds,
      foldThreshold: FOLD_THRESHOLD,
    });
    // Marks go to await sites in tree order, so the first group from the top gets the first mark.
    const walk: ViewNode[] = [this.model.root];
    while (walk.length) {
      const n = walk.pop()!;
      const r = n.kind === 'task' ? run.rows.get(n.id) : undefined;
      const key = r?.kind === 'task' ? awaitKey(r) : null;
      if (key) this.palette.markOf(key);
      for (let i = n.children.length - 1; i >= 0; i--) walk.push(n.children[i]);
    }
    this.layout = layoutTree(this.model.root, this.sizer(run.rows, run.info));
    this.layoutVersion++;
    this.victims = victimsIndex(run.rows);
  }

  /** Label sizes for the layout: a quick character count, exact widths for the longest. */
  private sizer(rows: ReadonlyMap<number, Row>, info: RunInfo): LabelSizer {
    const ctx = { rows, info, measures: this.measures, wallNow: Date.now(), palette: this.palette };
    const cramped = this.cramped;
    return {
      chars: (n) => {
        if (n.kind === 'fold') return displayName(n.name ?? '').length + 8;
        const r = rows.get(n.id);
        if (!r) return 0;
        if (r.kind === 'nursery') return 16;
        if (r.kind === 'retired') return 20;
        // Rows are replaced when they change, so a count cached on the row object stays right.
        let c = CHARS.get(r);
        if (c === undefined) {
          const site = r.state === 'waiting' ? r.awaitSite : null;
          c = Math.min(displayName(r.name).length, 44) + (site ? site.function.length + 8 : 0) + (r.error ? 14 : 0) + (r.scopes.length ? 10 : 0);
          CHARS.set(r, c);
        }
        return c;
      },
      width: (n) => lookOf(n, ctx, Infinity).width,
      always: (n) => cramped.has(n.key),
    };
  }

  private follow(layout: Layout): void {
    const now = performance.now();
    if (now - this.lastFollow < FOLLOW_INTERVAL_MS) {
      // Calm: at most a couple of pans a second.
      if (this.followTimer === null) {
        this.followTimer = window.setTimeout(() => {
          this.followTimer = null;
          this.scheduler.request(DIRTY.view);
        }, FOLLOW_INTERVAL_MS);
      }
      return;
    }
    const id = this.followTarget!;
    this.followTarget = null;
    const key = this.model?.keyOf(id);
    const p = key ? layout.byKey.get(key) : undefined;
    if (!p) return;
    const t = this.viewport.panTo(p, 220);
    if (t) {
      this.lastFollow = now;
      this.viewport.set(t, this.canAnimate());
    }
  }

  private chrome(info: RunInfo | undefined): void {
    const run = this.mirror.get(this.current);
    const hasRuns = this.runs.length > 0 || this.mirror.runs.size > 0;
    this.empty.hidden = hasRuns;
    this.toolbar.el.hidden = !hasRuns;
    this.svg.style.display = hasRuns ? '' : 'none';
    this.waiting.hidden = !hasRuns || !!(this.layout && this.layout.nodes.length);
    if (!this.waiting.hidden) {
      const filtered = this.state.hideFinished || this.state.search.trim() !== '';
      this.waiting.textContent = !run ? 'Loading the run…'
        : filtered && run.rows.size ? 'Nothing matches these filters.'
        : run.info.status === 'live' ? 'Waiting for the first tasks of this run…'
        : 'This run has no tasks to show.';
    }
    const runs = this.runs.length ? this.runs : [...this.mirror.runs.values()].map((r) => r.info);
    this.toolbar.setRuns(runs, this.current);
    const counts = info ? `${info.liveTasks.toLocaleString('en-US')} live · ${info.totalTasks.toLocaleString('en-US')} total` : '';
    this.toolbar.setState({
      hideFinished: this.state.hideFinished,
      hideSystem: this.hideSystem,
      follow: this.state.follow,
      search: this.state.search,
      matches: this.state.search.trim() && this.model ? this.model.matches.length : null,
      counts,
    });
    this.notices.update(info);
    const status = info ? statusSentence(info) : '';
    const statusKey = info ? `${info.key}:${info.status}` : '';
    if (statusKey !== this.lastStatus) {
      this.lastStatus = statusKey;
      if (status) this.announce(status);
    }
    const selected = this.rv?.selected ?? null;
    const node = selected !== null && this.state.detailsOpen ? (this.model?.byKey.get(selected) ?? null) : null;
    if (run) {
      this.details.update({
        rows: run.rows, info: run.info, node,
        victims: node && node.kind === 'task' ? (this.victims.get(node.id) ?? []) : [],
        post: (m) => this.post(m),
        select: (id) => this.selectId(id),
        toggle: (key) => this.setOpen(key),
        palette: this.palette,
        close: () => {
          this.state.detailsOpen = false;
          this.changed(DIRTY.chrome);
          this.svg.focus();
        },
      });
    } else this.details.el.hidden = true;
  }
}
