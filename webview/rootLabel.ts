// The root's label pinned at the tree's left edge: when a pan (the user's,
// follow mode's, a node opened wide, a revealed selection) leaves the view's
// root (main, or the focused node) cut at the left edge or out of sight, its
// name stays readable there, at its row when that is on screen. Only words:
// the pointer goes through it to the tree.
import type { RunMirror } from './tree/mirror';
import { LABEL_X, MARKER_RADIUS } from './tree/geometry';
import type { Layout } from './tree/layout';
import { lookOf, type Measures } from './tree/look';
import type { ShownTree } from './tree/shownTree';
import type { Transform } from './viewState';
import { h } from './elements';
import './rootLabel.css';

/** The pin's height and the room kept above it (the past moment's badge sits at the top left), in px. */
const PIN_HEIGHT = 22;
const TOP_ROOM = 34;

export class RootLabel {
  readonly el: HTMLElement;
  private readonly name: HTMLElement;
  /** Which way the root is: left, above or below. */
  private readonly where: HTMLElement;

  constructor() {
    this.name = h('span', { class: 'root-pin-name' });
    this.where = h('span', { class: 'root-pin-where' });
    this.el = h('div', { class: 'root-pin', 'aria-hidden': 'true', hidden: true }, this.where, this.name);
  }

  hide(): void {
    this.el.hidden = true;
  }

  /** After a frame is drawn: shown while the root's label is not whole on screen (not zoomed out to dots). */
  update(
    layout: Layout,
    run: RunMirror,
    tree: ShownTree,
    measures: Measures,
    t: Transform,
    size: { width: number; height: number },
    overview: boolean,
  ): void {
    const root = layout.roots[0];
    if (!root || overview) return this.hide();
    const look = lookOf(
      root.node,
      { rows: run.rows, info: run.info, measures, wallNow: Date.now(), palette: tree.palette, debug: tree.debug },
      layout.room[root.depth] ?? Infinity,
    );
    const left = (root.x - MARKER_RADIUS) * t.k + t.x;
    const right = (root.x + LABEL_X + look.width) * t.k + t.x;
    const y = root.y * t.k + t.y;
    const whole = left >= 0 && right <= size.width && y >= PIN_HEIGHT / 2 && y <= size.height - PIN_HEIGHT / 2;
    // Off to the right the tree's left edge is on screen: nothing is cut.
    if (whole || left >= size.width || !look.name) return this.hide();
    if (this.name.textContent !== look.name) this.name.textContent = look.name;
    this.where.textContent = left < 0 ? '‹ ' : y < 0 ? '↑ ' : y > size.height ? '↓ ' : '';
    const top = Math.max(TOP_ROOM, Math.min(size.height - PIN_HEIGHT - 4, y - PIN_HEIGHT / 2));
    this.el.style.top = `${Math.round(top)}px`;
    this.el.hidden = false;
  }
}
