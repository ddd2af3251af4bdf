// What the webview remembers across reloads (VS Code's getState/setState):
// the panel's toggles (hide finished/system, follow, wait-for edges), the
// selected run, and per run what is about looking at that run: its filter
// text, whether a pan ended Follow, its collapsed and opened nodes, the pages
// shown of folds and long lists, the focused node, zoom transform and
// selection; and `Choices`, the live copy of it that the page reads and
// changes. A new run is a new view: it starts with no filter, following
// when Follow is on (a reload of the same run keeps all of it).
import type { Budget, ModelOptions, ViewNode } from './tree/model';
export interface Transform {
  x: number;
  y: number;
  k: number;
}

interface RunView {
  collapsed: string[];
  /** Opened by the user where the panel's budget would have collapsed them. */
  opened: string[];
  /** Opened whole, with everything below. */
  deep: string[];
  /** Folds: pages of members shown; long lists: pages shown beyond the budget. */
  pages: Record<string, number>;
  /** The node shown as the root of the view. */
  focus: string | null;
  transform: Transform | null;
  selected: string | null;
  /** The filter box's text: it hid another program's tasks when it carried over to a new run. */
  search: string;
  /** A pan or zoom of the user's ended Follow in this view (the toggle, `ViewState.follow`, stays on for new runs). */
  followPaused: boolean;
}

export interface ViewState {
  v: 1;
  run: string | null;
  /** The Follow toggle: new runs follow while it is on. */
  follow: boolean;
  hideFinished: boolean;
  /** null = not chosen by the user: the host's default applies (hide). */
  hideSystem: boolean | null;
  detailsOpen: boolean;
  /** Draw every wait-for edge, not only the selected task's and a deadlock's. */
  showWaits: boolean;
  runs: Record<string, RunView>;
  /** Most recently viewed run keys first, to bound `runs`. */
  recent: string[];
  /** The timeline strip under the tree (timeline/timeline.ts): shown (null: not chosen: closed until a recording opens), its height in px, playing speed (0: auto). */
  timeline: { open: boolean | null; height: number; speed: number };
}

const MAX_RUNS = 12;

function emptyRunView(): RunView {
  return {
    collapsed: [],
    opened: [],
    deep: [],
    pages: {},
    focus: null,
    transform: null,
    selected: null,
    search: '',
    followPaused: false,
  };
}

function initialViewState(): ViewState {
  return {
    v: 1,
    run: null,
    follow: true,
    hideFinished: false,
    hideSystem: null,
    detailsOpen: true,
    showWaits: false,
    runs: {},
    recent: [],
    timeline: { open: null, height: 180, speed: 0 },
  };
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const strings = (x: unknown): string[] => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : []);

function transformOf(x: unknown): Transform | null {
  if (!isObj(x)) return null;
  const { x: tx, y: ty, k } = x;
  if (typeof tx !== 'number' || typeof ty !== 'number' || typeof k !== 'number') return null;
  if (![tx, ty, k].every(Number.isFinite) || k <= 0) return null;
  return { x: tx, y: ty, k };
}

/** Page counts; an older state's unfolded folds (`folds`) show their first page. */
function pagesOf(x: unknown, folds: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of folds) out[f] = 1;
  if (isObj(x))
    for (const [k, v] of Object.entries(x))
      if (typeof v === 'number' && Number.isInteger(v) && v > 0) out[k] = Math.min(v, 1000);
  return out;
}

/** Accepts whatever getState() returned (maybe nothing, maybe an older shape). */
function parseViewState(raw: unknown): ViewState {
  const s = initialViewState();
  if (!isObj(raw) || raw.v !== 1) return s;
  if (typeof raw.run === 'string') s.run = raw.run;
  if (typeof raw.follow === 'boolean') s.follow = raw.follow;
  if (typeof raw.hideFinished === 'boolean') s.hideFinished = raw.hideFinished;
  if (typeof raw.hideSystem === 'boolean') s.hideSystem = raw.hideSystem;
  if (typeof raw.detailsOpen === 'boolean') s.detailsOpen = raw.detailsOpen;
  if (typeof raw.showWaits === 'boolean') s.showWaits = raw.showWaits;
  s.recent = strings(raw.recent).slice(0, MAX_RUNS);
  if (isObj(raw.timeline)) {
    const { open, height, speed } = raw.timeline;
    if (typeof open === 'boolean') s.timeline.open = open;
    if (typeof height === 'number' && Number.isFinite(height)) s.timeline.height = height;
    if (typeof speed === 'number' && Number.isFinite(speed) && speed >= 0) s.timeline.speed = speed;
  }
  if (isObj(raw.runs)) {
    for (const key of s.recent) {
      const r = raw.runs[key];
      if (!isObj(r)) continue;
      s.runs[key] = {
        collapsed: strings(r.collapsed),
        opened: strings(r.opened),
        deep: strings(r.deep),
        pages: pagesOf(r.pages, strings(r.folds)),
        focus: typeof r.focus === 'string' ? r.focus : null,
        transform: transformOf(r.transform),
        selected: typeof r.selected === 'string' ? r.selected : null,
        search: typeof r.search === 'string' ? r.search : '',
        followPaused: r.followPaused === true,
      };
    }
  }
  // An older state kept one filter for the panel: it was the filter of the run then in view.
  const shown = s.run !== null ? s.runs[s.run] : undefined;
  if (shown && !shown.search && typeof raw.search === 'string') shown.search = raw.search;
  return s;
}

/** The per-run part for `key`, created on first use; keeps at most MAX_RUNS runs. */
function runView(s: ViewState, key: string): RunView {
  s.recent = [key, ...s.recent.filter((k) => k !== key)];
  for (const old of s.recent.splice(MAX_RUNS)) delete s.runs[old];
  return (s.runs[key] ??= emptyRunView());
}

/** More tasks of one kind than this fold into one "×N" node. */
export const FOLD_THRESHOLD = 20;
/** Members (or list items) one "more…" click adds. */
export const PAGE_SIZE = 50;

/** Where VS Code keeps the state (its webview API). */
export interface StateStore {
  getState(): unknown;
  setState(state: unknown): void;
}

/** The user's choices, live: the remembered state, and for the run in view its collapsed, opened and paged nodes. */
export class Choices {
  readonly state: ViewState;
  /** The host's default for system tasks, until the user chooses. */
  hideSystemDefault = true;
  /** The part of `state` for the run in view. */
  private rv: RunView | null = null;
  private collapsed = new Set<string>();
  private opened = new Set<string>();
  private deep = new Set<string>();
  private pages = new Map<string, number>();

  constructor(private readonly store: StateStore) {
    this.state = parseViewState(store.getState());
  }

  get hideSystem(): boolean {
    return this.state.hideSystem ?? this.hideSystemDefault;
  }

  /** A run is in view (choices about nodes have somewhere to go). */
  get hasRun(): boolean {
    return this.rv !== null;
  }

  /** The filter box's text for the run in view. */
  get search(): string {
    return this.rv?.search ?? '';
  }

  set search(text: string) {
    if (this.rv) this.rv.search = text;
  }

  /** Follow mode is on in this view: the toggle is on and no pan or zoom ended it here. */
  get following(): boolean {
    return this.state.follow && !this.rv?.followPaused;
  }

  /** The Follow toggle: for this view and the runs to come. */
  setFollow(on: boolean): void {
    this.state.follow = on;
    if (this.rv) this.rv.followPaused = false;
  }

  /** A pan or zoom of the user's ends Follow in this view only (a new run is a new view); true when it was on. */
  pauseFollow(): boolean {
    if (!this.following) return false;
    if (this.rv) this.rv.followPaused = true;
    else this.state.follow = false;
    return true;
  }

  get selected(): string | null {
    return this.rv?.selected ?? null;
  }

  set selected(key: string | null) {
    if (this.rv) this.rv.selected = key;
  }

  /** Where the user left the view of this run, if anywhere. */
  get savedTransform(): Transform | null {
    return this.rv?.transform ?? null;
  }

  /** The node shown as the root of the view, if any. */
  get focus(): string | null {
    return this.rv?.focus ?? null;
  }

  /** Shows `key`'s subtree alone (null: the whole run); the view starts afresh there. */
  setFocus(key: string | null): void {
    if (!this.rv) return;
    this.rv.focus = key;
    this.rv.transform = null;
  }

  showRun(key: string | null): void {
    this.state.run = key;
    this.rv = key === null ? null : runView(this.state, key);
    this.collapsed = new Set(this.rv?.collapsed ?? []);
    this.opened = new Set(this.rv?.opened ?? []);
    this.deep = new Set(this.rv?.deep ?? []);
    this.pages = new Map(Object.entries(this.rv?.pages ?? {}));
  }

  /** Collapses (false), expands (true) or toggles (undefined) a node's children; for a fold, its first page of members. */
  setOpen(node: ViewNode, open?: boolean): void {
    const now = open ?? node.children.length === 0;
    if (node.kind === 'fold') {
      if (now) this.pages.set(node.key, Math.max(1, this.pages.get(node.key) ?? 0));
      else this.pages.delete(node.key);
      return;
    }
    if (now) {
      this.collapsed.delete(node.key);
      this.opened.add(node.key);
    } else {
      this.opened.delete(node.key);
      this.deep.delete(node.key);
      this.collapsed.add(node.key);
    }
  }

  /** A "more…" node: its owner shows one page more. */
  showMore(node: ViewNode): void {
    const owner = node.more?.owner;
    if (owner !== undefined) this.pages.set(owner, (this.pages.get(owner) ?? 0) + 1);
  }

  /** Opens a node with everything below it (the panel's budget no longer applies there). */
  openAll(node: ViewNode): void {
    if (node.kind === 'fold') {
      this.pages.set(node.key, Math.ceil((node.members?.length ?? 0) / PAGE_SIZE));
      return;
    }
    this.collapsed.delete(node.key);
    this.deep.add(node.key);
  }

  modelOptions(budget: Budget | null): ModelOptions {
    return {
      hideSystem: this.hideSystem,
      hideFinished: this.state.hideFinished,
      search: this.search.trim().toLowerCase(),
      collapsed: this.collapsed,
      opened: this.opened,
      deep: this.deep,
      pages: this.pages,
      foldThreshold: FOLD_THRESHOLD,
      pageSize: PAGE_SIZE,
      budget,
      focus: this.focus,
      selected: this.selected,
    };
  }

  /** Hands everything to VS Code; `transform`: the run's view, once it has one. */
  save(transform: Transform | null): void {
    if (this.rv) {
      this.rv.collapsed = [...this.collapsed];
      this.rv.opened = [...this.opened];
      this.rv.deep = [...this.deep];
      this.rv.pages = Object.fromEntries(this.pages);
      if (transform) this.rv.transform = { x: transform.x, y: transform.y, k: transform.k };
    }
    this.store.setState(this.state);
  }
}
