// The drawing of one frame: the nodes near the view, the cancel links and
// wait-for edges, the root's pinned label; and the pace of the overview's
// repaints (zoomed far out, thousands of dots change colour twice a second,
// not every frame). FrameLoop decides what is due; this draws it.
import type { RunInfo } from '../contract/rows';
import type { FrameParts } from './frameLoop';
import { cancelLinks } from './tree/cancelLinks';
import { DIRTY } from './tree/frameScheduler';
import { OVERVIEW_SCALE, TRANSITION_LIMIT } from './tree/geometry';
import type { Layout } from './tree/layout';
import type { RunMirror } from './tree/mirror';
import { waitPicture } from './tree/waitEdges';

const OVERVIEW_REPAINT_MS = 500;
const EMPTY_LAYOUT: Layout = {
  nodes: [],
  byKey: new Map(),
  roots: [],
  bounds: { x0: 0, y0: 0, x1: 0, y1: 0 },
  room: [],
};
const NO_WAITS = { edges: [], stuck: new Set<string>() };

export class FramePaint {
  /** Zoomed far out: dots and one path per state instead of node elements. */
  overview = false;
  /** A frame drew the run (the next may animate from it). */
  rendered = false;
  private lastOverviewPaint = 0;

  constructor(private readonly p: FrameParts) {}

  /** Zoomed far out, state colours of thousands of dots repaint twice a second: calm, and cheap. */
  pace(flags: number): number {
    const onlyContent = (flags & (DIRTY.structure | DIRTY.view)) === 0;
    if (!this.overview || !onlyContent || !(flags & DIRTY.content)) return flags;
    const wait = OVERVIEW_REPAINT_MS - (performance.now() - this.lastOverviewPaint);
    if (wait <= 0) return flags;
    this.p.scheduler.after('overview', wait, DIRTY.content);
    return flags & ~DIRTY.content;
  }

  /** Draws the nodes near the view; true when a countdown needs ticks. */
  draw(run: RunMirror, layout: Layout, flags: number): boolean {
    const { p } = this;
    const visible = p.viewport.cull(layout);
    const t = p.viewport.transform;
    this.overview = t.k < OVERVIEW_SCALE;
    if (this.overview) this.lastOverviewPaint = performance.now();
    const selected = p.choices.selected;
    const hover = p.selection.hover;
    const model = p.tree.model;
    const { links, related } = model
      ? cancelLinks(model, layout, run.rows, p.tree.victims, visible, selected ?? hover)
      : { links: [], related: new Set<string>() };
    const animate =
      (flags & DIRTY.structure) !== 0 && this.rendered && visible.length < TRANSITION_LIMIT && !p.reducedMotion.matches;
    const drawn = p.renderer.render({
      layout,
      visible,
      rows: run.rows,
      info: run.info,
      selected,
      hover,
      cancelLinks: links,
      related,
      picked: p.picks?.keys(p.current(), model?.keyOf, selected),
      animate,
      overview: this.overview,
      scale: t.k,
      viewKey: `${p.tree.version}:${t.k}:${t.x}:${t.y}`,
      wallNow: Date.now(),
      measures: p.measures,
      palette: p.tree.palette,
      debug: p.tree.debug,
    });
    p.waits.render(
      model ? waitPicture(model, layout, run.rows, run.info, selected, p.choices.state.showWaits) : NO_WAITS,
      this.overview,
    );
    // A label outgrew its column (a task started waiting somewhere with a
    // longer name): lay out again, measuring it.
    if (p.tree.noteCramped(drawn.cramped, run.rows)) p.scheduler.request(DIRTY.rows);
    this.rendered = true;
    // (the signs first: the root's pinned label keeps off those at the left)
    const size = p.viewport.size();
    p.edgeHints?.update(layout, t, size, this.overview);
    p.rootLabel?.update(layout, run, p.tree, p.measures, t, size, this.overview, {
      drawn: visible,
      widthOf: (key) => p.renderer.lookOf(key)?.width,
      taken: p.edgeHints?.leftRows(size.height) ?? [],
    });
    p.svg.classList.toggle('zoomed-out', this.overview);
    p.selection.markActive(layout, this.overview);
    return drawn.ticking;
  }

  /** No run, or nothing built yet: an empty tree. */
  nothing(info: RunInfo | undefined): void {
    const { p } = this;
    p.renderer.render({
      layout: EMPTY_LAYOUT,
      visible: [],
      rows: new Map(),
      info: info ?? (undefined as unknown as RunInfo),
      selected: null,
      hover: null,
      cancelLinks: [],
      related: new Set(),
      animate: false,
      overview: false,
      scale: 1,
      viewKey: '',
      wallNow: 0,
      measures: p.measures,
      palette: p.tree.palette,
    });
    p.waits.render(NO_WAITS, false);
    p.rootLabel?.hide();
    p.edgeHints?.hide();
  }
}
