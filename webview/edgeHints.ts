// Signs at the tree area's edges that more of the tree lies beyond them: a
// narrow panel (the Explorer open beside it, the details pane) shows a first
// view of the top of the structure, and AnyIO's server group or a loose task
// at the right was cut off with nothing saying so. Each sign counts the nodes
// past its edge (at the right: those showing less than the start of their
// label) and brings the nearest into view when clicked. The signs sit in the
// area's corners, where they cover the least of the tree (level with the
// nodes, they covered the labels they stood on): the right one at the top
// right; above and below at the left, under the root's column, which holds
// the root alone (at the bottom right one covered the last leaf, which a
// click then missed). Drawn after each frame, not while zoomed out to dots
// (the whole tree is a picture then).
import type { Layout, Placed } from './tree/layout';
import type { Transform } from './viewState';
import { h } from './elements';
import './edgeHints.css';

// A node left of the view is classed 'left' only to keep it out of the top and bottom counts: there is
// no sign on the left, where the root's pinned label (rootLabel.ts) says what a pan left behind.
export type Edge = Signed | 'left';
type Signed = 'right' | 'bottom' | 'top';
const EDGES: readonly Signed[] = ['right', 'bottom', 'top'];
const ARROWS: Record<Signed, string> = { right: '›', bottom: '⌄', top: '⌃' };
/** A node at the right edge counts as beyond it while less than this much of it shows (its marker and a few letters), in px. */
const SEEN_RIGHT = 40;
const WORDS: Record<Signed, string> = { right: 'to the right', bottom: 'below', top: 'above' };
/** A sign's height and its distance from its edge, in px (edgeHints.css: a 16 px line, 2 px padding, 1 px border; 6 px in). */
const SIGN_HEIGHT = 22;
const SIGN_INSET = 6;

interface Beyond {
  count: number;
  /** The node nearest the edge: a click brings it into view. */
  nearest: Placed | null;
  /** How far past the edge the nearest is, in screen px. */
  by: number;
}

/** Which edge a node is beyond, if any: sideways first (a tree grows to the right and down). */
function edgeOf(sx: number, sy: number, width: number, height: number): Edge | null {
  if (sx + SEEN_RIGHT > width) return 'right';
  if (sx < 0) return 'left';
  if (sy > height) return 'bottom';
  if (sy < 0) return 'top';
  return null;
}

/** The nodes beyond each edge of view `t` over an area of `size`. */
export function beyondEdges(
  layout: Layout,
  t: Transform,
  size: { width: number; height: number },
): Record<Edge, Beyond> {
  const out = {} as Record<Edge, Beyond>;
  for (const e of ['right', 'bottom', 'top', 'left'] as const) out[e] = { count: 0, nearest: null, by: Infinity };
  const { width, height } = size;
  for (const p of layout.nodes) {
    const sx = p.x * t.k + t.x;
    const sy = p.y * t.k + t.y;
    const edge = edgeOf(sx, sy, width, height);
    if (!edge) continue;
    const b = out[edge];
    b.count++;
    const by =
      edge === 'right' ? sx + SEEN_RIGHT - width : edge === 'left' ? -sx : edge === 'bottom' ? sy - height : -sy;
    if (by < b.by) {
      b.by = by;
      b.nearest = p;
    }
  }
  return out;
}

export class EdgeHints {
  readonly el: HTMLElement;
  private readonly signs = new Map<Signed, HTMLButtonElement>();
  private readonly nearest = new Map<Signed, Placed>();
  /** What each sign shows now, so that a frame touches the DOM only when it changes. */
  private readonly shown = new Map<Signed, number | null>();

  constructor(show: (p: Placed) => void) {
    this.el = h('div', { class: 'edge-hints' });
    for (const edge of EDGES) {
      const sign = h('button', { class: `edge-hint edge-${edge}`, type: 'button', hidden: true });
      sign.addEventListener('click', () => {
        const p = this.nearest.get(edge);
        if (p) show(p);
      });
      this.signs.set(edge, sign);
      this.el.append(sign);
    }
  }

  hide(): void {
    for (const edge of EDGES) this.put(edge, null);
  }

  /** After a frame is drawn. */
  update(layout: Layout, t: Transform, size: { width: number; height: number }, overview: boolean): void {
    if (overview) return this.hide();
    const beyond = beyondEdges(layout, t, size);
    for (const edge of EDGES) {
      const b = beyond[edge];
      if (!b.count || !b.nearest) {
        this.put(edge, null);
        continue;
      }
      this.nearest.set(edge, b.nearest);
      this.put(edge, b.count);
    }
  }

  /** The screen rows the signs at the left (above, below) hold now: the root's pinned label keeps off them. */
  leftRows(height: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    if (this.shown.get('top') != null) out.push([SIGN_INSET, SIGN_INSET + SIGN_HEIGHT]);
    if (this.shown.get('bottom') != null) out.push([height - SIGN_INSET - SIGN_HEIGHT, height - SIGN_INSET]);
    return out;
  }

  private put(edge: Signed, n: number | null): void {
    if (this.shown.get(edge) === n) return;
    this.shown.set(edge, n);
    const sign = this.signs.get(edge)!;
    sign.hidden = n === null;
    if (n === null) {
      this.nearest.delete(edge);
      return;
    }
    sign.textContent = `${n} more ${ARROWS[edge]}`;
    sign.title = `${n} ${n === 1 ? 'node' : 'nodes'} ${WORDS[edge]}: click to bring the nearest into view`;
    sign.setAttribute('aria-label', `${n} more ${n === 1 ? 'node' : 'nodes'} ${WORDS[edge]}: show the nearest`);
  }
}
