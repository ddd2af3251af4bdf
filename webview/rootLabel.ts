// The root's label pinned at the tree's left edge: when a pan (the user's,
// follow mode's, a node opened wide, a revealed selection) leaves the view's
// root (main, or the focused node) cut at the left edge or out of sight, its
// name stays readable there, at its row when that is on screen, or at the
// free place nearest to it: it covers no other node's label. Only words: the
// pointer goes through it to the tree.
import type { RunMirror } from './tree/mirror';
import { LABEL_X, MARKER_RADIUS } from './tree/geometry';
import type { Layout, Placed } from './tree/layout';
import { lookOf, type Measures } from './tree/look';
import type { ShownTree } from './tree/shownTree';
import type { Transform } from './viewState';
import { h } from './elements';
import './rootLabel.css';

/** The pin's height and the room kept above it, in px (the past moment's badge has its own row above the tree). */
const PIN_HEIGHT = 22;
const TOP_ROOM = 4;
/** How far the pin moves off its place to leave other labels readable, in px. */
const MOST_MOVED = 3 * PIN_HEIGHT;
/** The height of a node's label box around its row (nodeParts.ts draws its background so), in tree units. */
const LABEL_HALF_HEIGHT = 10;

/** The nodes drawn in this frame, and the width of each one's label. */
export interface DrawnLabels {
  drawn: readonly Placed[];
  widthOf(key: string): number | undefined;
  /** Screen rows (top, bottom) that something else holds at the left edge: the edge signs above and below. */
  taken: ReadonlyArray<readonly [number, number]>;
}

export class RootLabel {
  readonly el: HTMLElement;
  private readonly name: HTMLElement;
  /** Which way the root is: left, above or below. */
  private readonly where: HTMLElement;
  /** The pin's width for its words, read once per change of words. */
  private measured = { words: '', width: 0 };

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
    labels: DrawnLabels,
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
    const where = left < 0 ? '‹ ' : y < 0 ? '↑ ' : y > size.height ? '↓ ' : '';
    if (this.name.textContent !== look.name) this.name.textContent = look.name;
    if (this.where.textContent !== where) this.where.textContent = where;
    if (this.el.hidden) this.el.hidden = false;
    const width = this.width(where + look.name);
    const lowest = size.height - PIN_HEIGHT - 4;
    const wanted = Math.max(TOP_ROOM, Math.min(lowest, y - PIN_HEIGHT / 2));
    // Never over a sign; off other labels when a free place is near (far off, it would point elsewhere than the root).
    const signs = labels.taken.map(([a, b]): [number, number] => [a - 2, b + 2]);
    const clear = freeTop(wanted, signs, TOP_ROOM, lowest);
    const free = freeTop(clear, [...blockedRows(labels, root.node.key, t, width), ...signs], TOP_ROOM, lowest);
    const top = Math.abs(free - clear) <= MOST_MOVED ? free : clear;
    const px = `${Math.round(top)}px`;
    if (this.el.style.top !== px) this.el.style.top = px;
  }

  private width(words: string): number {
    if (this.measured.words !== words) this.measured = { words, width: this.el.offsetWidth };
    return this.measured.width;
  }
}

/** The rows of the screen (top, bottom) where another node's label reaches into the pin's column [0, width). */
function blockedRows(labels: DrawnLabels, rootKey: string, t: Transform, width: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const p of labels.drawn) {
    if (p.node.key === rootKey) continue;
    const x0 = (p.x - MARKER_RADIUS - 4) * t.k + t.x;
    const x1 = (p.x + LABEL_X + (labels.widthOf(p.node.key) ?? 0) + 8) * t.k + t.x;
    if (x0 >= width || x1 <= 0) continue;
    out.push([(p.y - LABEL_HALF_HEIGHT) * t.k + t.y, (p.y + LABEL_HALF_HEIGHT) * t.k + t.y]);
  }
  return out;
}

/**
 * The top nearest to `wanted`, within [lo, hi], where a pin of PIN_HEIGHT
 * meets none of the `blocked` rows; `wanted` itself when there is no such place.
 */
export function freeTop(wanted: number, blocked: Array<[number, number]>, lo: number, hi: number): number {
  const rows = blocked.filter(([a, b]) => b > lo && a < hi + PIN_HEIGHT).sort((p, q) => p[0] - q[0]);
  let best: number | null = null;
  let from = lo; // the free stretch starts here and runs to the next blocked row
  for (let i = 0; i <= rows.length; i++) {
    const to = i < rows.length ? rows[i][0] - PIN_HEIGHT - 1 : hi;
    if (to >= from) {
      const top = Math.max(from, Math.min(Math.min(to, hi), wanted));
      if (best === null || Math.abs(top - wanted) < Math.abs(best - wanted)) best = top;
    }
    if (i < rows.length) from = Math.max(from, rows[i][1] + 1);
  }
  return best ?? wanted;
}
