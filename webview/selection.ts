// The selected node and what hangs on it: the pan that brings it into view,
// the tree's keyboard focus (aria-activedescendant), stepping through search
// matches, the details pane; and the node under the pointer.
import type { WebviewMessage } from '../contract/messages';
import { setAttr } from './elements';
import type { DetailsPane } from './tree/details';
import { DIRTY } from './tree/frameScheduler';
import type { Layout, Placed } from './tree/layout';
import type { RunMirror } from './tree/mirror';
import type { TreeRenderer } from './tree/render';
import { nodeElementId } from './tree/nodeElement';
import type { ShownTree } from './tree/shownTree';
import type { Viewport } from './tree/viewport';
import type { Choices } from './viewState';

/** What the selection reads and moves; owned by the page. */
export interface SelectionParts {
  choices: Choices;
  tree: ShownTree;
  viewport: Viewport;
  renderer: TreeRenderer;
  svg: SVGSVGElement;
  details: DetailsPane;
  /** Zoomed far out (no node elements). */
  overview(): boolean;
  canAnimate(): boolean;
  announce(text: string): void;
  /** Marks work for the next frame and saves the choices soon. */
  changed(flags: number): void;
  /** Unfolds (true), folds back (false) or toggles a node. */
  setOpen(key: string, open?: boolean): void;
  showMore(key: string): void;
  /** Shows the node as the root of the view. */
  focus(key: string): void;
  post(m: WebviewMessage): void;
}

/** A row the host asked to select (picked in the Tasks view, or where the debugger stopped). */
interface Wanted {
  run: string;
  id: number;
  at: number;
  /** Folds and collapsed nodes opened on the way to it. */
  opened: number;
}

/** A wish older than this is dropped: the user has moved on. */
const WANT_MS = 10_000;
/** At most this many folds or collapsed ancestors are opened to reach a wanted row. */
const MAX_OPENED = 32;

/** Room for a label nobody has measured yet, in px. */
const UNMEASURED_LABEL = 160;

export class Selection {
  /** The node under the pointer. */
  hover: string | null = null;
  /** The tree area changed size: bring the selected node back into view in the next frame. */
  private revealPending = false;
  private wanted: Wanted | null = null;
  /** What the host was last told is selected. */
  private told = '';

  constructor(private readonly p: SelectionParts) {}

  select(key: string | null, opts: { pan?: boolean; openDetails?: boolean } = {}): void {
    const { choices, tree } = this.p;
    if (!choices.hasRun) return;
    choices.selected = key;
    if (opts.openDetails) choices.state.detailsOpen = true;
    const model = tree.model;
    // A task no node draws (in a fold, a long list, a collapsed level) is drawn
    // once selected; one drawn only because it was selected goes back.
    const rebuild = !!model && (model.holdsSelection || (key !== null && !model.byKey.has(key)));
    const placed = key !== null ? tree.layout?.byKey.get(key) : undefined;
    if (rebuild) {
      if (opts.pan !== false) this.revealPending = true;
    } else if (placed && opts.pan !== false) this.panInto(placed, this.p.canAnimate());
    // Zoomed out there is no element to focus: say what was selected.
    if (placed && this.p.overview()) this.p.announce(this.p.renderer.lookOf(placed.node.key)?.aria ?? '');
    this.p.changed(DIRTY.view | DIRTY.chrome | (rebuild ? DIRTY.structure : 0));
    this.tell(key);
  }

  /** Tells the host (for the Tasks view) which row is selected; a fold is no row. */
  private tell(key: string | null): void {
    const run = this.p.choices.state.run;
    const id = key !== null && /^-?\d+$/.test(key) ? Number(key) : null;
    const told = `${run}:${id}`;
    if (run === null || told === this.told) return;
    this.told = told;
    this.p.post({ type: 'selected', run, id });
  }

  /** The host asks for row `id` of `run`: selected and brought into view as soon as it is drawn. */
  want(run: string, id: number): void {
    this.wanted = { run, id, at: performance.now(), opened: 0 };
    this.p.changed(DIRTY.structure);
  }

  /**
   * In a frame: the wanted row, once its run is in view and the row has
   * arrived. Selected, it is drawn (lifted out of its fold, the levels the
   * panel's size collapsed opened on its way); an ancestor the user collapsed
   * is opened too, one a frame, and the next frame looks again.
   */
  revealWanted(run: RunMirror): void {
    const w = this.wanted;
    if (!w || w.run !== run.info.key) return;
    if (performance.now() - w.at > WANT_MS) {
      this.wanted = null;
      return;
    }
    const model = this.p.tree.model;
    if (!model || !run.rows.has(w.id)) return;
    const own = String(w.id);
    const key = model.keyOf(w.id);
    const node = key === null ? undefined : model.byKey.get(key);
    // What stands for it may hide it (a fold, a list's "more", a collapsed node); else it is filtered out.
    const hides = !!node && (node.kind === 'fold' || node.kind === 'more' || node.hiddenChildren > 0);
    if (key !== own && node && hides && w.opened < MAX_OPENED) {
      w.opened++;
      if (node.kind !== 'fold' && !node.auto && node.hiddenChildren > 0) this.p.setOpen(node.key, true);
      this.told = `${run.info.key}:${w.id}`;
      this.select(own, { openDetails: true });
      return;
    }
    this.wanted = null;
    this.told = `${run.info.key}:${w.id}`;
    if (key !== null) this.select(key, { openDetails: true });
  }

  /** Selects the node of row `id`: the task itself (lifted out of its fold if need be) and opens its details. */
  selectId(id: number): void {
    this.select(String(id), { openDetails: true });
  }

  /** After a rebuild: a selected row that is still not drawn (a collapsed ancestor hides it) selects what stands for it. */
  afterRebuild(): void {
    const { choices, tree } = this.p;
    const key = choices.selected;
    const model = tree.model;
    if (key === null || !model || model.byKey.has(key) || !/^\d+$/.test(key)) return;
    const stand = model.keyOf(Number(key));
    if (stand !== null) choices.selected = stand;
  }

  /** Enter in the search box: the next match below (above, `backwards`) the selected one. */
  nextMatch(backwards: boolean): void {
    const { model, layout } = this.p.tree;
    if (!model || !layout) return;
    const placed = model.matches.map((k) => layout.byKey.get(k)).filter((p): p is Placed => !!p);
    if (!placed.length) return;
    placed.sort((a, b) => a.y - b.y || a.x - b.x);
    const i = placed.findIndex((p) => p.node.key === this.p.choices.selected);
    const next =
      i < 0 ? (backwards ? placed.length - 1 : 0) : (i + (backwards ? -1 : 1) + placed.length) % placed.length;
    this.select(placed[next].node.key, { openDetails: true });
  }

  /** True when the hovered node changed. */
  setHover(key: string | null): boolean {
    if (key === this.hover) return false;
    this.hover = key;
    return true;
  }

  /** The details pane opening (or the panel narrowing) must not hide the selected node. */
  revealSoon(): void {
    this.revealPending = true;
  }

  /** In a frame, once the run has its view: the pan `revealSoon` asked for. */
  reveal(layout: Layout): void {
    if (!this.revealPending) return;
    this.revealPending = false;
    const sel = this.p.choices.selected;
    const placed = sel ? layout.byKey.get(sel) : undefined;
    if (placed) this.panInto(placed, false);
  }

  /** Keyboard focus follows the selection while its element is drawn. */
  markActive(layout: Layout, overview: boolean): void {
    const { svg } = this.p;
    const selected = this.p.choices.selected;
    const active = selected !== null && !overview && layout.byKey.has(selected) ? nodeElementId(selected) : null;
    setAttr(svg, 'aria-activedescendant', active && svg.querySelector(`#${CSS.escape(active)}`) ? active : null);
  }

  showDetails(run: RunMirror | undefined): void {
    const { choices, tree, details } = this.p;
    if (!run) {
      details.el.hidden = true;
      return;
    }
    const selected = choices.selected;
    const node = selected !== null && choices.state.detailsOpen ? (tree.model?.byKey.get(selected) ?? null) : null;
    details.update({
      rows: run.rows,
      info: run.info,
      node,
      victims: node && node.kind === 'task' ? (tree.victims.get(node.id) ?? []) : [],
      post: (m) => this.p.post(m),
      select: (id) => this.selectId(id),
      toggle: (key) => this.p.setOpen(key),
      focus: (key) => this.p.focus(key),
      showMore: (key) => this.p.showMore(key),
      palette: tree.palette,
      debug: tree.debug,
      close: () => {
        choices.state.detailsOpen = false;
        this.p.changed(DIRTY.chrome);
        this.p.svg.focus();
      },
    });
  }

  /** Whether the details pane is on screen. */
  detailsShown(): boolean {
    return !this.p.details.el.hidden;
  }

  /** The details pane shows a countdown of a live run, or put off an update: it needs its ticks. */
  detailsTicking(run: RunMirror | undefined): boolean {
    const el = this.p.details.el;
    if (this.p.details.pending) return true;
    return !!run && run.info.status === 'live' && !el.hidden && el.querySelector('.countdown, .elapsed') !== null;
  }

  private panInto(p: Placed, animate: boolean): void {
    const look = this.p.renderer.lookOf(p.node.key);
    const t = this.p.viewport.panTo(p, (look?.width ?? UNMEASURED_LABEL) + 30);
    if (t) this.p.viewport.set(t, animate);
  }
}
