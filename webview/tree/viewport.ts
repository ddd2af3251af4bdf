// Pan and zoom (d3-zoom), the culling window, fit-to-view, and the gentle
// pans of follow mode and keyboard selection. A pan or zoom by the user
// (an event with a sourceEvent) ends follow mode.
import { select } from 'd3-selection';
import 'd3-transition';
import { zoom, zoomIdentity, type ZoomBehavior, type ZoomTransform } from 'd3-zoom';
import { LABEL_X, MARKER_RADIUS, MAX_COLUMN, OVERVIEW_SCALE, ROW_HEIGHT } from './geometry';
import type { Layout, Placed } from './layout';
import type { Transform } from '../viewState';

/** A comfortable reading scale (names of 9 px). */
const MIN_READABLE = 0.75;
/**
 * A first view's floor, as a share of MIN_READABLE: it shows the whole tree
 * fitted down to 0.6 (names of 7.2 px, the words after them 6.6 px), and
 * below that the top of the structure at no less: a small tree whole beats
 * its last column's label ends cut off (a fetch's URL, the part that tells
 * the rows apart) or its fourth column out of view.
 */
const NEAR_READABLE = 0.8;
/** Where `showing` puts a node it zooms to, from the left edge, in px. */
const SHOWN_EDGE = 72;
/** Room left around a fitted or first view, in px. */
const PAD = 24;
/** Fit shows labels rather than dots when the rows would land this close below their scale (a quarter more than fits). */
const NEAR_OVERVIEW = 0.8;
/** Room shown for the first child's label when a node opens, in px. */
const CHILD_LABEL_ROOM = 160;
/** An opened node's marker stays at least this far from the panel's left edge, in px. */
const OPENED_EDGE = 32;
/**
 * The most one wheel event zooms, as a power of 2 (x1.25): a mouse wheel's
 * notch with Ctrl is ~100 px of delta, which d3-zoom's default (made for a
 * trackpad's pinch, whose events are a few px each) turned into x4 a notch.
 */
const WHEEL_NOTCH = Math.log2(1.25);
/** d3-zoom's wheel delta (its default), no more than a notch. */
function wheelDelta(e: WheelEvent): number {
  const d = -e.deltaY * (e.deltaMode === 1 ? 0.05 : e.deltaMode ? 1 : 0.002) * (e.ctrlKey ? 10 : 1);
  return Math.max(-WHEEL_NOTCH, Math.min(WHEEL_NOTCH, d));
}

export class Viewport {
  private readonly behavior: ZoomBehavior<SVGSVGElement, unknown>;
  transform: ZoomTransform = zoomIdentity;
  /** Set while we move the view on the user's behalf (wheel scrolling). */
  private userMove = false;
  private measured: { width: number; height: number } | null = null;

  constructor(
    private readonly svg: SVGSVGElement,
    private readonly onChange: (t: ZoomTransform, byUser: boolean) => void,
  ) {
    this.behavior = zoom<SVGSVGElement, unknown>()
      .scaleExtent([0.002, 2.5])
      .wheelDelta(wheelDelta)
      // Like an editor: the wheel scrolls, Ctrl/Cmd + wheel (and trackpad pinch) zooms, drag pans.
      .filter((e: MouseEvent) => (e.type === 'wheel' ? e.ctrlKey || e.metaKey : !e.ctrlKey && !e.button))
      .on('zoom', (e: { transform: ZoomTransform; sourceEvent: Event | null }) => {
        this.transform = e.transform;
        const byUser = this.userMove || (e.sourceEvent !== null && e.sourceEvent !== undefined);
        this.onChange(e.transform, byUser);
      });
    select(svg).call(this.behavior).on('dblclick.zoom', null);
    new ResizeObserver(() => this.remeasure()).observe(svg);
    svg.addEventListener(
      'wheel',
      (e) => {
        if (e.ctrlKey || e.metaKey) return;
        e.preventDefault();
        const scale = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? this.size().height : 1;
        const dx = (e.shiftKey && !e.deltaX ? e.deltaY : e.deltaX) * scale;
        const dy = (e.shiftKey && !e.deltaX ? 0 : e.deltaY) * scale;
        this.userMove = true;
        try {
          select(svg)
            .interrupt()
            .call(this.behavior.translateBy, -dx / this.transform.k, -dy / this.transform.k);
        } finally {
          this.userMove = false;
        }
      },
      { passive: false },
    );
  }

  /**
   * The tree's size on screen. Measured once, then kept until the page says
   * it may have changed (measuring in every frame after DOM changes forced a
   * layout of the whole page per frame); a ResizeObserver keeps it right too.
   */
  size(): { width: number; height: number } {
    if (!this.measured) {
      const r = this.svg.getBoundingClientRect();
      this.measured = { width: Math.max(1, r.width), height: Math.max(1, r.height) };
    }
    return this.measured;
  }

  /** The tree area's height when the view last followed a resize (grownBy). */
  private followedHeight = 0;

  /** How much taller the tree area is now than at the last call (0 at the first): measured now. */
  grownBy(): number {
    const height = this.svg.getBoundingClientRect().height;
    const grown = this.followedHeight ? height - this.followedHeight : 0;
    this.followedHeight = height;
    return grown;
  }

  /** Moves the view by (dx, dy) screen px, as the page (not the user) does. */
  shift(dx: number, dy: number): void {
    select(this.svg).call(this.behavior.translateBy, dx / this.transform.k, dy / this.transform.k);
  }

  /** The toolbar, a banner or the details pane may have moved the tree's edges: measure again when next asked. */
  remeasure(): void {
    this.measured = null;
  }

  /** Layout coordinates currently on screen, widened by a margin (in screen px). */
  window(margin = 200): { x0: number; y0: number; x1: number; y1: number } {
    const { width, height } = this.size();
    const t = this.transform;
    return {
      x0: (-margin - t.x) / t.k - MAX_COLUMN,
      x1: (width + margin - t.x) / t.k,
      y0: (-margin - t.y) / t.k - ROW_HEIGHT,
      y1: (height + margin - t.y) / t.k + ROW_HEIGHT,
    };
  }

  /** The nodes within the window (and its 200 px margin): those a frame draws. */
  cull(layout: Layout): Placed[] {
    return layout.nodes.filter(inWindow(this.window()));
  }

  /**
   * The tree outgrew the view, which the first view chosen now would mend:
   * the view cuts some of the tree (a node, a label's end), and the first
   * view would show it whole, or smaller (the scale then only goes down, to
   * the first view's, so a large tree is not pulled back from Follow's pans).
   * A live tree grows to the right and down from a first view chosen when
   * it was its root alone.
   */
  outgrown(layout: Layout): boolean {
    const first = this.initialTransform(layout);
    const now = this.transform;
    const b = layout.bounds;
    const whole = [
      [b.x0 - MARKER_RADIUS, b.x1],
      [b.y0 - ROW_HEIGHT / 2, b.y1 + ROW_HEIGHT / 2],
    ] as const;
    if (this.holds(now, ...whole)) return false;
    const same = Math.abs(first.k - now.k) < 1e-6 && Math.abs(first.x - now.x) < 0.5 && Math.abs(first.y - now.y) < 0.5;
    return !same && (this.holds(first, ...whole) || first.k < now.k - 1e-6);
  }

  /** Whether view `t` shows the layout box [x0, x1] × [y0, y1] (a pixel of slack). */
  private holds(t: Transform, [x0, x1]: readonly [number, number], [y0, y1]: readonly [number, number]): boolean {
    const { width, height } = this.size();
    const slack = 1;
    return (
      x0 * t.k + t.x >= -slack &&
      x1 * t.k + t.x <= width + slack &&
      y0 * t.k + t.y >= -slack &&
      y1 * t.k + t.y <= height + slack
    );
  }

  /** Whether any node is on screen (no margin). */
  showsAny(layout: Layout): boolean {
    return layout.nodes.some(inWindow(this.window(0)));
  }

  /** The node nearest a click (client coordinates), within 14 screen px. */
  nearest(layout: Layout, clientX: number, clientY: number): Placed | null {
    const r = this.svg.getBoundingClientRect();
    const [x, y] = this.transform.invert([clientX - r.left, clientY - r.top]);
    let best: Placed | null = null;
    let dist = (14 / this.transform.k) ** 2;
    for (const p of layout.nodes) {
      const d = (p.x - x) ** 2 + (p.y - y) ** 2;
      if (d < dist) {
        dist = d;
        best = p;
      }
    }
    return best;
  }

  set(t: Transform, animate = false): void {
    const next = zoomIdentity.translate(t.x, t.y).scale(t.k);
    const s = select(this.svg);
    if (animate) s.transition().duration(300).call(this.behavior.transform, next);
    else s.interrupt().call(this.behavior.transform, next);
  }

  /**
   * Fit: the whole tree in view, no larger than 1:1, centred. When that
   * would draw dots, but every row fits at the scale where labels are drawn
   * (or nearly: within NEAR_OVERVIEW of it), the tree is shown at that
   * scale instead, its rows centred, from its roots at the left edge (as far
   * right as `keep`, the selected node, needs): a few rows or the right
   * columns out of view beat a picture of dots. A tree of 50 rows in a panel
   * narrowed by the details pane was fitted by its width alone, as dots.
   */
  fitTransform(layout: Layout, keep?: Placed): Transform {
    const { width, height } = this.size();
    const b = layout.bounds;
    const bw = b.x1 - b.x0 + MARKER_RADIUS * 2;
    const bh = b.y1 - b.y0 + ROW_HEIGHT;
    const rows = (height - 2 * PAD) / bh;
    const k = Math.max(0.002, Math.min(1, (width - 2 * PAD) / bw, rows));
    if (k < OVERVIEW_SCALE && rows >= OVERVIEW_SCALE * NEAR_OVERVIEW) return this.readableFit(layout, keep);
    return {
      k,
      x: PAD - (b.x0 - MARKER_RADIUS) * k + Math.max(0, (width - 2 * PAD - bw * k) / 2),
      y: PAD - (b.y0 - ROW_HEIGHT / 2) * k + Math.max(0, (height - 2 * PAD - bh * k) / 2),
    };
  }

  /** Fit at the scale where labels are drawn: rows centred (from the first when they do not all fit), roots at the left edge, `keep` in view. */
  private readableFit(layout: Layout, keep?: Placed): Transform {
    const { width, height } = this.size();
    const b = layout.bounds;
    const k = OVERVIEW_SCALE;
    const spare = width - 2 * PAD - (b.x1 - b.x0 + MARKER_RADIUS * 2) * k;
    let x = PAD - (b.x0 - MARKER_RADIUS) * k + Math.max(0, spare / 2);
    // Rows centred when they all fit; else from the first (centred, it sat half under the toolbar).
    const fits = (b.y1 - b.y0 + ROW_HEIGHT) * k <= height - 2 * PAD;
    let y = fits ? height / 2 - ((b.y0 + b.y1) / 2) * k : PAD - (b.y0 - ROW_HEIGHT / 2) * k;
    if (keep) {
      // Its label's end (with its children's, when open: an opened fold's page) at the right edge, not past the tree's end.
      const last = keep.children[0] ?? keep;
      const right = width - PAD - (last.x + LABEL_X + (layout.room[last.depth] ?? 0)) * k;
      if (right < x) x = Math.max(right, width - PAD - b.x1 * k, PAD - (keep.x - MARKER_RADIUS) * k);
      const sy = keep.y * k + y;
      if (sy < PAD) y += PAD - sy;
      else if (sy > height - PAD) y -= sy - (height - PAD);
    }
    return { k, x, y };
  }

  /**
   * The first view of a run: the whole tree when it is readable fitted (or
   * nearly: then a little smaller); else the top of its structure: the root, its nursery and their children (the
   * first three columns), scaled (not below 0.6) to fit the panel, and
   * centred on their rows, or from their top when they are still taller
   * (centred on the root when that would leave it below the area).
   */
  initialTransform(layout: Layout): Transform {
    const fit = this.fitTransform(layout);
    if (fit.k >= MIN_READABLE * NEAR_READABLE) return fit;
    const { width, height } = this.size();
    const top = layout.nodes.filter((p) => p.depth <= 2);
    const third = top.find((p) => p.depth === 2);
    const right = third ? third.x + LABEL_X + (layout.room[2] ?? 0) - layout.bounds.x0 : 0;
    let y0 = Infinity;
    let y1 = -Infinity;
    for (const p of top) {
      y0 = Math.min(y0, p.y);
      y1 = Math.max(y1, p.y);
    }
    const wide = right > 0 ? (width - 2 * PAD) / right : 1;
    const tall = y1 > y0 ? (height - 2 * PAD) / (y1 - y0 + ROW_HEIGHT) : 1;
    // Not below the whole tree's floor: just under it, this view is then about the fitted one (a run's
    // banner taking a few px at its end flipped a 400 px tree from fitted at 0.62 to cut at 0.75).
    const k = Math.max(MIN_READABLE * NEAR_READABLE, Math.min(1, wide, tall));
    let y = (y1 - y0) * k <= height - 2 * PAD ? height / 2 - ((y0 + y1) / 2) * k : PAD + ROW_HEIGHT / 2 - y0 * k;
    // From their top, the root (centred on its children) may fall below a short area: then centred on the root.
    const root = top.find((p) => p.depth === 0);
    if (root && root.y * k + y > height - PAD - ROW_HEIGHT / 2) y = height / 2 - root.y * k;
    return { k, x: PAD - (layout.bounds.x0 - MARKER_RADIUS) * k, y: Number.isFinite(y) ? y : height / 2 };
  }

  /**
   * A view that shows `p` readable: the smallest pan (panTo) at a scale where
   * labels are drawn; from a picture of dots, 1:1 with `p` near the left edge
   * and in the middle. Null when it is in view already.
   */
  showing(p: Placed): Transform | null {
    if (this.transform.k >= OVERVIEW_SCALE) return this.panTo(p);
    const { height } = this.size();
    return { k: 1, x: SHOWN_EDGE - p.x, y: height / 2 - p.y };
  }

  /**
   * The view that keeps node `now` where it was on screen when it stood at
   * `was` (layout coordinates; the user opened or closed it); null when that
   * is the view already.
   */
  holding(now: Placed, was: { x: number; y: number }): Transform | null {
    const t = this.transform;
    const held = { k: t.k, x: t.x - (now.x - was.x) * t.k, y: t.y - (now.y - was.y) * t.k };
    // A node just opened shows its children's column: a sideways pan at most, the node itself stays in view.
    const child = now.children[0];
    if (child) {
      const { width } = this.size();
      const childRight = (child.x + CHILD_LABEL_ROOM) * held.k + held.x;
      if (childRight > width) held.x = Math.max(held.x - (childRight - width), OPENED_EDGE - now.x * held.k);
    }
    return held.x !== t.x || held.y !== t.y ? held : null;
  }

  /** The smallest pan that brings `p` (with its label) into view; null when it already is. */
  panTo(p: Placed, labelWidth = 200): Transform | null {
    const { width, height } = this.size();
    const t = this.transform;
    const margin = 32;
    const sx0 = p.x * t.k + t.x - MARKER_RADIUS * t.k;
    const sx1 = (p.x + labelWidth) * t.k + t.x;
    const sy = p.y * t.k + t.y;
    let dx = 0;
    let dy = 0;
    if (sx0 < margin) dx = margin - sx0;
    else if (sx1 > width - margin) dx = Math.max(margin - sx0, width - margin - sx1);
    if (sy < margin) dy = margin - sy;
    else if (sy > height - margin) dy = height - margin - sy;
    if (dx === 0 && dy === 0) return null;
    return { k: t.k, x: t.x + dx, y: t.y + dy };
  }
}

/** A test for "this node is within window `w`" (layout coordinates). */
function inWindow(w: { x0: number; y0: number; x1: number; y1: number }): (p: Placed) => boolean {
  return (p) => p.x >= w.x0 && p.x <= w.x1 && p.y >= w.y0 && p.y <= w.y1;
}
