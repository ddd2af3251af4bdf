// Tidy-tree layout (d3-hierarchy, linear time) of the model. Siblings are
// spread along y by d3; x comes from columns, one per depth, each as wide as
// the widest label drawn in it (up to a cap), so a column of nurseries (short
// labels) stays narrow, a column of long task names gets their room, and no
// label runs into the next column.
import { hierarchy, tree } from 'd3-hierarchy';
import { COLUMN, COLUMN_EXTRA, MAX_COLUMN, ROW_HEIGHT } from './geometry';
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
  /** Room for a label in each depth's column, in px (index = Placed.depth). */
  room: number[];
}

/** Label widths for the layout: exact widths are asked only of the longest labels of each depth. */
export interface LabelSizer {
  /** Cheap length estimate (characters). */
  chars(node: ViewNode): number;
  /** What the label wants, in px. */
  width(node: ViewNode): number;
  /** Labels to measure whatever their length (they were cut for lack of room before). */
  always?(node: ViewNode): boolean;
}

/** Per depth, this many longest labels (by characters) are measured exactly. */
const MEASURED_PER_DEPTH = 12;

const defaultSizer: LabelSizer = {
  chars: () => 0,
  width: (n) => COLUMN[n.kind] - COLUMN_EXTRA,
};

export function layoutTree(root: ViewNode, sizer: LabelSizer = defaultSizer): Layout {
  const h = hierarchy(root, (n) => n.children);
  // Siblings sit one row apart; cousins get a little more air so groups read as groups.
  tree<ViewNode>()
    .nodeSize([ROW_HEIGHT, 1])
    .separation((a, b) => (a.parent === b.parent ? 1 : 1.3))(h);
  const nodes: Placed[] = [];
  const byKey = new Map<string, Placed>();
  const roots: Placed[] = [];
  const bounds = { x0: 0, y0: 0, x1: 0, y1: 0 };
  // The Placed of each hierarchy node rides on the node itself (cheaper than a Map on big trees).
  type WithPlaced = { placed?: Placed };
  // The longest labels of each depth, by character count; then their widths.
  const longest: ViewNode[][] = [];
  const forced: ViewNode[][] = [];
  h.each((d) => {
    if (d.depth === 0) return;
    const list = (longest[d.depth - 1] ??= []);
    if (sizer.always?.(d.data)) {
      (forced[d.depth - 1] ??= []).push(d.data);
      return;
    }
    const chars = sizer.chars(d.data);
    if (list.length < MEASURED_PER_DEPTH) {
      list.push(d.data);
      list.sort((a, b) => sizer.chars(b) - sizer.chars(a));
    } else if (chars > sizer.chars(list[list.length - 1])) {
      list[list.length - 1] = d.data;
      list.sort((a, b) => sizer.chars(b) - sizer.chars(a));
    }
  });
  const room = longest.map((list, depth) =>
    Math.min(MAX_COLUMN - COLUMN_EXTRA, Math.max(24, ...list.concat(forced[depth] ?? []).map((n) => sizer.width(n)))),
  );
  const columnX = [0];
  for (let i = 0; i < room.length; i++) columnX.push(columnX[i] + room[i] + COLUMN_EXTRA);
  h.each((d) => {
    if (d.depth === 0) return;
    const parent = d.parent && d.parent.depth > 0 ? (d.parent as WithPlaced).placed! : null;
    const x = columnX[d.depth - 1];
    const y = d.x ?? 0;
    const p: Placed = {
      node: d.data,
      x,
      y,
      parent,
      children: [],
      depth: d.depth - 1,
      index: parent ? parent.children.length : roots.length,
    };
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
  if (nodes.length) bounds.x1 += room[room.length - 1] + COLUMN_EXTRA - 34;
  return { nodes, byKey, roots, bounds, room };
}
