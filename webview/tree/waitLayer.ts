// Draws the wait-for edges (waitEdges.ts) under the nodes: dashed arrows in
// their own colour, from the waiter to the holder, arcing out to the left of
// both so they never cross a label; a deadlock's edges bolder; a failure's
// edge to the nursery it cancelled in the cancel colour. Marks the nodes a
// live verdict names (`stuck`) after each render (the renderer rewrites a
// node's classes only when its look changes, so the mark is put back each time).
import { select, type Selection } from 'd3-selection';
import { MARKER_RADIUS } from './geometry';
import type { WaitEdge, WaitPicture } from './waitEdges';

const SVG_NS = 'http://www.w3.org/2000/svg';
/** One arrowhead per edge kind (a marker's fill cannot follow the path's colour everywhere). */
export const KINDS: ReadonlyArray<WaitEdge['kind']> = ['wait', 'deadlock', 'cause'];
export const arrowId = (kind: WaitEdge['kind']): string => `nl-arrow-${kind}`;

export class WaitLayer {
  private readonly layer: Selection<SVGGElement, unknown, null, undefined>;
  private marked = new Set<string>();

  constructor(
    private readonly svg: SVGSVGElement,
    viewport: SVGGElement,
    before: SVGGElement,
  ) {
    const g = document.createElementNS(SVG_NS, 'g');
    g.setAttribute('class', 'wait-links');
    viewport.insertBefore(g, before);
    this.layer = select(g);
    const defs = document.createElementNS(SVG_NS, 'defs');
    for (const kind of KINDS) {
      const m = document.createElementNS(SVG_NS, 'marker');
      m.setAttribute('id', arrowId(kind));
      m.setAttribute('viewBox', '0 -4 8 8');
      m.setAttribute('refX', '7');
      // sized in the tree's units, not the stroke's: a bold deadlock edge keeps a small head
      m.setAttribute('markerUnits', 'userSpaceOnUse');
      m.setAttribute('markerWidth', '8');
      m.setAttribute('markerHeight', '8');
      m.setAttribute('orient', 'auto');
      m.setAttribute('class', `wait-arrow ${kind}`);
      const p = document.createElementNS(SVG_NS, 'path');
      p.setAttribute('d', 'M0,-4L8,0L0,4Z');
      m.append(p);
      defs.append(m);
    }
    svg.prepend(defs);
  }

  /** Draws `picture` (nothing when zoomed out to the overview). */
  render(picture: WaitPicture, overview: boolean): void {
    const data = overview ? [] : picture.edges;
    this.layer
      .selectAll<SVGPathElement, WaitEdge>('path.wait-link')
      .data(data, (e) => `${e.from.node.key}>${e.to.node.key}`)
      .join('path')
      .attr('class', (e) => `wait-link ${e.kind}`)
      .attr('data-from', (e) => e.from.node.key)
      .attr('data-to', (e) => e.to.node.key)
      .attr('marker-end', (e) => `url(#${arrowId(e.kind)})`)
      .attr('d', (e) => edgePath(e));
    this.mark(overview ? new Set() : picture.stuck);
  }

  private mark(keys: Set<string>): void {
    for (const k of this.marked) if (!keys.has(k)) this.node(k)?.classList.remove('stuck');
    for (const k of keys) this.node(k)?.classList.add('stuck');
    this.marked = keys;
  }

  private node(key: string): SVGGElement | null {
    return this.svg.querySelector<SVGGElement>(`g.node[data-key="${CSS.escape(key)}"]`);
  }
}

/**
 * From the waiter's marker to the holder's, out to the left of both (wider for
 * nodes further apart). An edge pointing up arcs wider than one pointing down,
 * so two tasks waiting for each other show two arcs, not one.
 */
function edgePath(e: WaitEdge): string {
  const a = e.from;
  const b = e.to;
  const ax = a.x - MARKER_RADIUS - 2;
  const bx = b.x - MARKER_RADIUS - 3;
  const dy = b.y - a.y;
  const bulge = Math.min(140, 26 + Math.abs(dy) * 0.3 + Math.abs(b.x - a.x) * 0.1) + (dy < 0 ? 18 : 0);
  const left = Math.min(ax, bx) - bulge;
  // Side by side on one row (a parent and its first child): bow upwards instead of running along the link.
  const lift = Math.abs(dy) < 8 ? -28 : 0;
  return `M${ax},${a.y}C${left},${a.y + lift} ${left},${b.y + lift} ${bx},${b.y}`;
}
