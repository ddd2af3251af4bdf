// The selected node and what hangs on it: the pan that brings it into view,
// the tree's keyboard focus (aria-activedescendant), stepping through search
// matches, the details pane; and the node under the pointer.
import type { WebviewMessage } from '../contract/messages';
import type { DetailsPane } from './tree/details';
import { DIRTY } from './tree/frameScheduler';
import type { Layout, Placed } from './tree/layout';
import type { RunMirror } from './tree/mirror';
import { nodeElementId, type TreeRenderer } from './tree/render';
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
  setOpen(key: string): void;
  post(m: WebviewMessage): void;
}

/** Room for a label nobody has measured yet, in px. */
const UNMEASURED_LABEL = 160;

export class Selection {
  /** The node under the pointer. */
  hover: string | null = null;
  /** The tree area changed size: bring the selected node back into view in the next frame. */
  private revealPending = false;

  constructor(private readonly p: SelectionParts) {}

  select(key: string | null, opts: { pan?: boolean; openDetails?: boolean } = {}): void {
    const { choices, tree } = this.p;
    if (!choices.hasRun) return;
    choices.selected = key;
    if (opts.openDetails) choices.state.detailsOpen = true;
    const placed = key !== null ? tree.layout?.byKey.get(key) : undefined;
    if (placed && opts.pan !== false) this.panInto(placed, this.p.canAnimate());
    // Zoomed out there is no element to focus: say what was selected.
    if (placed && this.p.overview()) this.p.announce(this.p.renderer.lookOf(placed.node.key)?.aria ?? '');
    this.p.changed(DIRTY.view | DIRTY.chrome);
  }

  /** Selects the node that stands for row `id` (itself, its fold or an ancestor) and opens its details. */
  selectId(id: number): void {
    const key = this.p.tree.model?.keyOf(id) ?? String(id);
    this.select(key, { openDetails: true });
  }

  /** Enter in the search box: the next match below (above, `backwards`) the selected one. */
  nextMatch(backwards: boolean): void {
    const { model, layout } = this.p.tree;
    if (!model || !layout) return;
    const placed = model.matches.map((k) => layout.byKey.get(k)).filter((p): p is Placed => !!p);
    if (!placed.length) return;
    placed.sort((a, b) => a.y - b.y || a.x - b.x);
    const i = placed.findIndex((p) => p.node.key === this.p.choices.selected);
    const next = i < 0 ? (backwards ? placed.length - 1 : 0) : (i + (backwards ? -1 : 1) + placed.length) % placed.length;
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
    if (active && svg.querySelector(`#${CSS.escape(active)}`)) svg.setAttribute('aria-activedescendant', active);
    else svg.removeAttribute('aria-activedescendant');
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
      rows: run.rows, info: run.info, node,
      victims: node && node.kind === 'task' ? (tree.victims.get(node.id) ?? []) : [],
      post: (m) => this.p.post(m),
      select: (id) => this.selectId(id),
      toggle: (key) => this.p.setOpen(key),
      palette: tree.palette,
      close: () => {
        choices.state.detailsOpen = false;
        this.p.changed(DIRTY.chrome);
        this.p.svg.focus();
      },
    });
  }

  /** The details pane shows a countdown of a live run: it needs its ticks. */
  detailsTicking(run: RunMirror | undefined): boolean {
    const el = this.p.details.el;
    return !!run && run.info.status === 'live' && !el.hidden && el.querySelector('.countdown, .elapsed') !== null;
  }

  private panInto(p: Placed, animate: boolean): void {
    const look = this.p.renderer.lookOf(p.node.key);
    const t = this.p.viewport.panTo(p, (look?.width ?? UNMEASURED_LABEL) + 30);
    if (t) this.p.viewport.set(t, animate);
  }
}
