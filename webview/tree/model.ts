// Rows + what the user chose (collapsed ids, expanded folds, filters) → the
// tree that is drawn. Pure: no DOM, no D3 nodes kept between builds, so
// collapse state survives every rebuild (it lives in Sets of keys).
import type { NurseryRow, Row, TaskRow, TaskState } from '../../contract/rows';
import { isFinishedRow } from './mirror';

export type NodeKind = 'task' | 'nursery' | 'retired' | 'fold';

export interface ViewNode {
  /** Stable key: the row id as a string, or `f<nursery>:<name>` for a fold. */
  key: string;
  kind: NodeKind;
  /** Row id (task/nursery/retired); for a fold, the nursery it belongs to. */
  id: number;
  children: ViewNode[];
  /** Children the user collapsed away (0 when expanded or a leaf). */
  hiddenChildren: number;
  /** The node has children when expanded (collapsed or not). */
  expandable: boolean;
  /** Fold: task ids of the siblings it stands for, and their shared name. */
  members?: number[];
  name?: string;
  /** The name matches the search. */
  match: boolean;
}

export interface ModelOptions {
  hideSystem: boolean;
  hideFinished: boolean;
  /** Lower-case search text; '' = no search. */
  search: string;
  collapsed: ReadonlySet<string>;
  expandedFolds: ReadonlySet<string>;
  /** Siblings with one name beyond this count fold into one "×N" node. */
  foldThreshold: number;
}

export interface Model {
  /** Synthetic root (not drawn); its children are the visible roots. */
  root: ViewNode;
  byKey: Map<string, ViewNode>;
  /** Keys of matching nodes in tree order. */
  matches: string[];
  /** Key of the node that stands for a row id (itself, its fold, or its nearest shown ancestor). */
  keyOf(id: number): string | null;
}

export const foldKey = (nursery: number, name: string): string => `f${nursery}:${name}`;

function included(row: Row, o: ModelOptions): boolean {
  if (o.hideFinished && isFinishedRow(row)) return false;
  if (o.hideSystem && row.kind !== 'retired' && row.system) return false;
  return true;
}

function order(a: Row, b: Row): number {
  // Spawn order; retired rows (negative ids) last, they summarise the oldest.
  if (a.kind === 'retired') return 1;
  if (b.kind === 'retired') return -1;
  return a.id - b.id;
}

export function buildModel(rows: ReadonlyMap<number, Row>, o: ModelOptions): Model {
  // Effective children: an excluded row's children move up to its nearest
  // included ancestor, so hiding Trio's system tasks makes the main task a root.
  const kids = new Map<number | null, Row[]>();
  const effectiveParent = new Map<number, number | null>();
  const resolve = (id: number | null): number | null => {
    // Iterative walk up through excluded rows, memoised.
    const path: number[] = [];
    let cur = id;
    let found: number | null = null;
    for (;;) {
      if (cur === null) { found = null; break; }
      const memo = effectiveParent.get(cur);
      if (memo !== undefined) { found = memo; break; }
      const row = rows.get(cur);
      if (!row) { found = null; break; }
      if (included(row, o)) { found = cur; break; }
      path.push(cur);
      cur = row.parent;
    }
    for (const p of path) effectiveParent.set(p, found);
    return found;
  };
  for (const row of rows.values()) {
    if (!included(row, o)) continue;
    const parentId = row.parent === null ? null : resolve(row.parent);
    let list = kids.get(parentId);
    if (!list) kids.set(parentId, (list = []));
    list.push(row);
  }

  const byKey = new Map<string, ViewNode>();
  const matches: string[] = [];
  const search = o.search;
  const nameOf = (row: Row): string => (row.kind === 'task' ? row.name : '');

  // Subtree match flags, computed bottom-up only when searching.
  const subtreeMatch = new Map<number, boolean>();
  if (search) {
    const post: Row[] = [];
    const stack: Row[] = [...(kids.get(null) ?? [])];
    while (stack.length) {
      const row = stack.pop()!;
      post.push(row);
      for (const c of kids.get(row.id) ?? []) stack.push(c);
    }
    for (let i = post.length - 1; i >= 0; i--) {
      const row = post[i];
      let m = nameOf(row).toLowerCase().includes(search);
      if (!m) for (const c of kids.get(row.id) ?? []) if (subtreeMatch.get(c.id)) { m = true; break; }
      subtreeMatch.set(row.id, m);
    }
  }

  const makeNode = (row: Row): ViewNode => {
    const key = String(row.id);
    const node: ViewNode = {
      key, kind: row.kind, id: row.id, children: [], hiddenChildren: 0, expandable: false,
      match: search !== '' && row.kind === 'task' && row.name.toLowerCase().includes(search),
    };
    if (row.kind === 'task') node.name = row.name;
    byKey.set(key, node);
    if (node.match) matches.push(key);
    return node;
  };

  const root: ViewNode = { key: '', kind: 'nursery', id: 0, children: [], hiddenChildren: 0, expandable: true, match: false };
  // Explicit stack: deep trees (thousands of levels) must not overflow the JS stack.
  const stack: Array<{ node: ViewNode; rowId: number | null; forced: boolean }> = [{ node: root, rowId: null, forced: true }];
  while (stack.length) {
    const { node, rowId, forced } = stack.pop()!;
    let children = (kids.get(rowId) ?? []).slice().sort(order);
    if (search) children = children.filter((c) => subtreeMatch.get(c.id));
    if (children.length === 0) continue;
    node.expandable = true;
    // While searching, the path to every match is open whatever was collapsed.
    if (!forced && !search && o.collapsed.has(node.key)) {
      node.hiddenChildren = children.length;
      continue;
    }
    const built: Array<{ child: ViewNode; rowId: number | null }> = [];
    // Fold large groups of same-named tasks under a nursery.
    const groups = new Map<string, TaskRow[]>();
    const parentRow = rowId === null ? undefined : rows.get(rowId);
    if (parentRow?.kind === 'nursery') {
      for (const c of children) {
        if (c.kind !== 'task') continue;
        let g = groups.get(c.name);
        if (!g) groups.set(c.name, (g = []));
        g.push(c);
      }
    }
    const emittedFolds = new Set<string>();
    for (const c of children) {
      const group = c.kind === 'task' ? groups.get(c.name) : undefined;
      if (group && group.length > o.foldThreshold && c.kind === 'task') {
        const fk = foldKey((parentRow as NurseryRow).id, c.name);
        if (emittedFolds.has(fk)) continue;
        emittedFolds.add(fk);
        const fold: ViewNode = {
          key: fk, kind: 'fold', id: (parentRow as NurseryRow).id, children: [], hiddenChildren: 0,
          expandable: true, members: group.map((t) => t.id), name: c.name,
          match: search !== '' && c.name.toLowerCase().includes(search),
        };
        byKey.set(fk, fold);
        if (fold.match) matches.push(fk);
        built.push({ child: fold, rowId: null });
        if (o.expandedFolds.has(fk)) {
          for (const t of group) {
            const tn = makeNode(t);
            fold.children.push(tn);
            stack.push({ node: tn, rowId: t.id, forced: false });
          }
        } else {
          fold.hiddenChildren = group.length;
        }
        continue;
      }
      const child = makeNode(c);
      built.push({ child, rowId: c.id });
      stack.push({ node: child, rowId: c.id, forced: false });
    }
    node.children = built.map((b) => b.child);
  }

  const keyOf = (id: number): string | null => {
    let cur: number | null = id;
    while (cur !== null) {
      const key = String(cur);
      if (byKey.has(key)) return key;
      const row = rows.get(cur);
      if (!row) return null;
      if (row.kind === 'task' && row.parent !== null) {
        const fk = foldKey(row.parent, row.name);
        if (byKey.has(fk)) return fk;
      }
      cur = row.parent;
    }
    return null;
  };
  return { root, byKey, matches, keyOf };
}

/** The states of a fold's members (rows the host removed are skipped). */
export function* memberStates(node: ViewNode, rows: ReadonlyMap<number, Row>): Iterable<TaskState> {
  for (const id of node.members ?? []) {
    const t = rows.get(id);
    if (t?.kind === 'task') yield t.state;
  }
}
