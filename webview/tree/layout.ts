// Tidy-tree layout (d3-hierarchy, linear time) of the model. Siblings are
// spread along y by d3; x comes from the columns each ancestor kind needs, so
// a nursery (a small square with a short label) takes less room than a task.
import { hierarchy, tree } from 'd3-hierarchy';
import { COLUMN, ROW_HEIGHT } from './geometry';
import type { ViewNode } from './model';

export interface Placed {
  node: ViewNode;
  x: number;
  y: number;
  parent: Placed | null;
  children: Placed[];
  depth: number;
  /** Position among its siblings (0-based). */
  index: number;
}

export interface Layout {
  /** Every drawn node, in breadth-first order (parents before children). */
  nodes: Placed[];
  byKey: Map<string, Placed>;
  roots: Placed[];
  bounds: { x0: number; y0: number; x1: number; y1: number };
}

export function layoutTree(root: ViewNode): Layout {
  const h = hierarchy(root, (n) => n.children);
  // Siblings sit one row apart; cousins get a little more air so groups read as groups.
  tree<ViewNode>().nodeSize([ROW_HEIGHT, 1]).separation((a, b) => (a.parent === b.parent ? 1 : 1.3))(h);
  const nodes: Placed[] = [];
  const byKey = new Map<string, Placed>();
  const roots: Placed[] = [];
  const bounds = { x0: 0, y0: 0, x1: 0, y1: 0 };
  // The Placed of each hierarchy node rides on the node itself (cheaper than a Map on big trees).
  type WithPlaced = { placed?: Placed };
  h.each((d) => {
    if (d.depth === 0) return;
    const parent = d.parent && d.parent.depth > 0 ? (d.parent as WithPlaced).placed! : null;
    const x = parent ? parent.x + COLUMN[parent.node.kind] : 0;
    const y = d.x ?? 0;
    const p: Placed = { node: d.data, x, y, parent, children: [], depth: d.depth - 1, index: parent ? parent.children.length : roots.length };
    (d as WithPlaced).placed = p;
    if (parent) parent.children.push(p);
    else roots.push(p);
    nodes.push(p);
    byKey.set(p.node.key, p);
    if (nodes.length === 1) Object.assign(bounds, { x0: x, x1: x, y0: y, y1: y });
    else {
      if (x < bounds.x0) bounds.x0 = x;
      if (x > bounds.x1) bounds.x1 = x;
      if (y < bounds.y0) bounds.y0 = y;
      if (y > bounds.y1) bounds.y1 = y;
    }
  });
  // The deepest column still needs room for its labels.
  bounds.x1 += COLUMN.task;
  return { nodes, byKey, roots, bounds };
}
