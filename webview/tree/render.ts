// Draws the laid-out tree into SVG with keyed joins (one <g> per node, keyed
// by the node's key). Only the nodes near the viewport are in the DOM; an
// element is rewritten only when what it shows changed, so a frame with a
// few state changes touches a few elements. Zoomed far out, the overview
// draws a handful of combined paths instead of thousands of elements.
import { select, type Selection } from 'd3-selection';
import 'd3-transition';
import type { Row, RunInfo } from '../../contract/rows';
import { setAttr } from '../elements';
import { LABEL_X, MARKER_RADIUS, PORT_GAP } from './geometry';
import type { Layout, Placed } from './layout';
import { lookOf, type Look, type LookContext, type Measures } from './look';
import type { DebugPointers } from './debugLook';
import type { SitePalette } from './sitePalette';
import { appendNodeParts } from './nodeParts';
import { DURATION, writeNode, type NodeEl } from './nodeElement';
import { stateClass } from './taskStates';

export interface CancelLink {
  failer: Placed;
  victim: Placed;
}

export interface Frame {
  layout: Layout;
  /** Nodes inside the culling window. */
  visible: Placed[];
  rows: ReadonlyMap<number, Row>;
  info: RunInfo;
  selected: string | null;
  hover: string | null;
  cancelLinks: CancelLink[];
  /** Keys related to the selected/hovered node by a cancelledBy link. */
  related: ReadonlySet<string>;
  /** Keys of the tasks picked from the editor's hints. */
  picked?: ReadonlySet<string>;
  animate: boolean;
  overview: boolean;
  /** Zoom scale (overview dots keep their screen size). */
  scale: number;
  /** Changes whenever the layout or the view changes. */
  viewKey: string;
  wallNow: number;
  measures: Measures;
  palette: SitePalette;
  /** What the debugger points at in this run. */
  debug?: DebugPointers;
}

const linkPath = (sx: number, sy: number, tx: number, ty: number): string => {
  const mx = sx + Math.max(8, (tx - sx) / 2);
  return `M${sx},${sy}C${mx},${sy} ${mx},${ty} ${tx},${ty}`;
};

export class TreeRenderer {
  readonly viewport: Selection<SVGGElement, unknown, null, undefined>;
  private readonly linkLayer: Selection<SVGGElement, unknown, null, undefined>;
  private readonly cancelLayer: Selection<SVGGElement, unknown, null, undefined>;
  private readonly overviewLayer: Selection<SVGGElement, unknown, null, undefined>;
  readonly nodeLayer: Selection<SVGGElement, unknown, null, undefined>;
  private looks = new Map<string, Look>();
  /**
   * The last frame's looks with what each was computed from. A look depends on
   * its node (new after every rebuild), its row (replaced when it changes), the
   * room of its column and, for a few, on more (see reusable): a frame with a
   * few state changes computes a few looks.
   */
  private cache = new Map<string, CachedLook>();
  private cacheFor: { measures: Measures | null; palette: SitePalette | null; debug: DebugPointers | undefined } = {
    measures: null,
    palette: null,
    debug: undefined,
  };
  /** Overview links depend only on layout and view: kept while those stay. */
  private overviewLinks = { key: '', d: '' };

  constructor(svg: SVGSVGElement) {
    const root = select(svg);
    this.viewport = root.append('g').attr('class', 'viewport');
    this.linkLayer = this.viewport.append('g').attr('class', 'links');
    this.overviewLayer = this.viewport.append('g').attr('class', 'overview');
    this.cancelLayer = this.viewport.append('g').attr('class', 'cancel-links');
    this.nodeLayer = this.viewport.append('g').attr('class', 'nodes');
  }

  /** The look of each drawn node in the last frame. */
  lookOf(key: string): Look | undefined {
    return this.looks.get(key);
  }

  /** `cramped`: keys of drawn labels cut to fit their column (a relayout would give them room). */
  render(f: Frame): { ticking: boolean; cramped: string[] } {
    const was = this.cacheFor;
    if (was.measures !== f.measures || was.palette !== f.palette || was.debug !== f.debug) {
      this.cache.clear();
      this.cacheFor = { measures: f.measures, palette: f.palette, debug: f.debug };
    }
    // Looks of nodes the last frame did not draw are dropped (a churning tree brings new keys all the time).
    for (const key of this.cache.keys()) if (!this.looks.has(key)) this.cache.delete(key);
    const looks = new Map<string, Look>();
    let ticking = false;
    const cramped: string[] = [];
    const drawn = f.overview ? [] : f.visible;
    for (const p of drawn) {
      const look = this.look(p, f);
      looks.set(p.node.key, look);
      if (look.ticking) ticking = true;
      if (look.cramped) cramped.push(p.node.key);
    }
    this.looks = looks;
    if (f.overview) this.renderOverview(f);
    else this.overviewLayer.selectAll('*').remove();
    this.renderLinks(f, drawn);
    this.renderCancelLinks(f);
    this.renderNodes(f, drawn, looks);
    return { ticking, cramped };
  }

  private look(p: Placed, f: Frame): Look {
    const room = f.layout.room[p.depth] ?? Infinity;
    const row = f.rows.get(p.node.id);
    const old = this.cache.get(p.node.key);
    if (old && old.node === p.node && old.row === row && old.room === room && old.reusable) return old.look;
    const c: LookContext = {
      rows: f.rows,
      info: f.info,
      measures: f.measures,
      wallNow: f.wallNow,
      palette: f.palette,
      debug: f.debug,
    };
    const look = lookOf(p.node, c, room);
    this.cache.set(p.node.key, { node: p.node, row, room, look, reusable: reusable(p.node, row) });
    return look;
  }

  /** Where links to a node's children start: just after its label. */
  private port(p: Placed, f: Frame): number {
    // A parent outside the drawn window still needs its current label width.
    let look = this.looks.get(p.node.key);
    if (!look) {
      look = this.look(p, f);
      this.looks.set(p.node.key, look);
    }
    return p.x + LABEL_X + look.width + PORT_GAP;
  }

  private renderLinks(f: Frame, drawn: Placed[]): void {
    const withParent = drawn.filter((p) => p.parent !== null);
    const paths = this.linkLayer
      .selectAll<SVGPathElement, Placed>('path.link:not(.exiting)')
      .data(withParent, (p) => p.node.key)
      .join(
        (enter) => enter.append('path').attr('class', 'link'),
        (update) => update,
        (exit) =>
          f.animate
            ? exit.classed('exiting', true).transition().duration(DURATION).style('opacity', 0).remove()
            : exit.remove(),
      );
    const d = (p: Placed): string => {
      const parent = p.parent!;
      return linkPath(this.port(parent, f), parent.y, p.x - MARKER_RADIUS - 3, p.y);
    };
    if (f.animate) {
      paths.each(function (p) {
        const el = select(this);
        const next = d(p);
        if (el.attr('d') === null)
          el.attr('d', next).style('opacity', 0).transition().duration(DURATION).style('opacity', 1);
        else if (el.attr('d') !== next) el.transition().duration(DURATION).attr('d', next);
      });
    } else {
      paths
        .interrupt()
        .style('opacity', null)
        .each(function (p) {
          const next = d(p);
          if (this.getAttribute('d') !== next) this.setAttribute('d', next);
        });
    }
    // Links of finished subtrees are dimmed with their nodes; a loose task hangs
    // from the task that made it by a dashed link: made by it, not owned.
    paths.each((p, i, els) => {
      const faded = this.looks.get(p.node.key)?.faded ?? false;
      setAttr(els[i], 'class', `link${faded ? ' to-finished' : ''}${madeLoose(p, f.rows) ? ' loose' : ''}`);
    });
  }

  private renderCancelLinks(f: Frame): void {
    const data = f.overview ? [] : f.cancelLinks;
    this.cancelLayer
      .selectAll<SVGPathElement, CancelLink>('path.cancel-link')
      .data(data, (l) => `${l.failer.node.key}>${l.victim.node.key}`)
      .join('path')
      .attr('class', (l) => {
        const hl = f.selected ?? f.hover;
        const on = hl !== null && (l.failer.node.key === hl || l.victim.node.key === hl);
        return on ? 'cancel-link hl' : 'cancel-link';
      })
      .attr('data-failer', (l) => l.failer.node.key)
      .attr('data-victim', (l) => l.victim.node.key)
      .attr('d', (l) => {
        const a = l.failer;
        const b = l.victim;
        const bulge = Math.min(70, 14 + Math.abs(b.y - a.y) * 0.18);
        const ax = a.x - MARKER_RADIUS - 1;
        const bx = b.x - MARKER_RADIUS - 1;
        return `M${ax},${a.y}C${ax - bulge},${a.y} ${bx - bulge},${b.y} ${bx},${b.y}`;
      });
  }

  private renderNodes(f: Frame, drawn: Placed[], looks: Map<string, Look>): void {
    const sel = this.nodeLayer
      .selectAll<SVGGElement, Placed>('g.node:not(.exiting)')
      .data(drawn, (p) => p.node.key)
      .join(
        (enter) => {
          const g = appendNodeParts(enter.append('g').attr('role', 'treeitem'));
          if (f.animate) g.style('opacity', 0).transition().duration(DURATION).style('opacity', 1);
          return g;
        },
        (update) => update,
        // Fading nodes leave the join (class `exiting`), so the next frame does not cut their fade short.
        (exit) =>
          f.animate
            ? exit
                .classed('exiting', true)
                .attr('aria-hidden', 'true')
                .transition()
                .duration(DURATION)
                .style('opacity', 0)
                .remove()
            : exit.remove(),
      );

    // One element at a time: only what changed in its place or look is written.
    sel.each(function (p) {
      writeNode(this as NodeEl, p, looks.get(p.node.key)!, f);
    });
  }

  private renderOverview(f: Frame): void {
    // One path per class: thousands of nodes cost a few elements.
    const buckets = new Map<string, string[]>();
    const add = (cls: string, seg: string): void => {
      let b = buckets.get(cls);
      if (!b) buckets.set(cls, (b = []));
      b.push(seg);
    };
    const links: string[] = [];
    // Dots keep a readable size on screen however far out the zoom is.
    const r = Math.max(5, 2 / f.scale);
    const sameView = this.overviewLinks.key === f.viewKey;
    const d = 2 * r;
    for (const p of f.visible) {
      const row = f.rows.get(p.node.id);
      let cls: string = p.node.kind;
      if (p.node.kind === 'task' && row?.kind === 'task') cls = `task ${stateClass(row.state)}`;
      const x = Math.round(p.x);
      const y = Math.round(p.y);
      add(cls, `M${x - r},${y - r}h${d}v${d}h${-d}Z`);
      if (p.node.key === f.selected) add('selected-ring', `M${x - 2 * r},${y - 2 * r}h${2 * d}v${2 * d}h${-2 * d}Z`);
      if (f.debug && p.node.kind === 'task' && p.node.id === f.debug.paused)
        add('paused-ring', `M${x - 3 * r},${y - 3 * r}h${3 * d}v${3 * d}h${-3 * d}Z`);
      if (sameView) continue;
      if (p.parent) links.push(`M${Math.round(p.parent.x + r)},${Math.round(p.parent.y)}L${x - r},${y}`);
    }
    if (!sameView) this.overviewLinks = { key: f.viewKey, d: links.join('') };
    const data = [
      ['link', this.overviewLinks.d] as const,
      ...[...buckets].map(([c, segs]) => [c, segs.join('')] as const),
    ];
    this.overviewLayer
      .selectAll<SVGPathElement, readonly [string, string]>('path')
      .data(data, (d) => d[0])
      .join('path')
      .attr('class', (d) => `ov ${d[0]}`)
      .attr('d', (d) => d[1]);
  }
}

interface CachedLook {
  node: Placed['node'];
  row: Row | undefined;
  room: number;
  look: Look;
  reusable: boolean;
}

/**
 * A look that depends on no more than its node, row and room: not a fold's
 * (its members' states), a deadline's (the clock) or a cancelled task's (the
 * name of the task that cancelled it).
 */
function reusable(node: Placed['node'], row: Row | undefined): boolean {
  if (node.kind === 'fold') return false;
  if (row?.kind !== 'task') return true;
  return !row.scopes.length && row.cancelledBy === undefined;
}

/** The node hangs from a task that made it without a task group: a loose task, a fold of them, their folded-away count. */
function madeLoose(p: Placed, rows: ReadonlyMap<number, Row>): boolean {
  const n = p.node;
  if (n.kind === 'task' || n.kind === 'fold') {
    const row = rows.get(n.kind === 'task' ? n.id : (n.members?.[0] ?? -1));
    return row?.kind === 'task' && row.loose === true;
  }
  return n.kind === 'retired' && rows.get(rows.get(n.id)?.parent ?? 0)?.kind === 'task';
}
