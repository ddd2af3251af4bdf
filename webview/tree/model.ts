// Rows + what the user chose (collapsed ids, expanded folds, filters) → the
// tree that is drawn, in named phases: the shown rows under their parents,
// the subtrees a search keeps, same-named siblings folded, the hierarchy
// assembled from the root down. Pure: no DOM, no D3 nodes kept between
// builds, so collapse state survives every rebuild (it lives in Sets of keys).
// Rows whose parents form a cycle (a store should refuse them) are left out:
// every walk up the parent chain stops after as many steps as there are rows.
import type { Row, TaskRow, TaskState } from '../../contract/rows';
import { isFinishedRow } from './mirror';

export type NodeKind = 'task' | 'nursery' | 'retired' | 'fold';

export interface ViewNode {
  /** Stable key: the row id as a string, or `f<nursery>:<name>` for a fold. */
  key: string;
  kind: NodeKind;
  /** Row id (task/nursery/retired); for a fold, the row it hangs under (a nursery, or the task that made loose tasks). */
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

const matchesSearch = (name: string, search: string): boolean => search !== '' && name.toLowerCase().includes(search);

export function buildModel(rows: ReadonlyMap<number, Row>, o: ModelOptions): Model {
  const kids = shownChildren(rows, o);
  const a: Assembly = { rows, o, kids, kept: o.search ? subtreesWithMatches(kids, o.search) : null, byKey: new Map(), matches: [] };
  const root = assemble(a);
  return { root, byKey: a.byKey, matches: a.matches, keyOf: (id) => keyOf(id, rows, a.byKey) };
}

/**
 * Phase 1: every shown row under its parent. A hidden row's children move up
 * to its nearest shown ancestor, so hiding Trio's system tasks makes the main
 * task a root; a row with no shown ancestor is a root.
 */
function shownChildren(rows: ReadonlyMap<number, Row>, o: ModelOptions): Map<number | null, Row[]> {
  const kids = new Map<number | null, Row[]>();
  const shownAncestor = new Map<number, number | null>();
  const resolve = (id: number): number | null => {
    // Iterative walk up through hidden rows, memoised.
    const path: number[] = [];
    let cur: number | null = id;
    let found: number | null = null;
    while (cur !== null && path.length <= rows.size) {
      const memo = shownAncestor.get(cur);
      if (memo !== undefined) { found = memo; break; }
      const row = rows.get(cur);
      if (!row) break;
      if (included(row, o)) { found = cur; break; }
      path.push(cur);
      cur = row.parent;
    }
    for (const p of path) shownAncestor.set(p, found);
    return found;
  };
  for (const row of rows.values()) {
    if (!included(row, o)) continue;
    const parentId = row.parent === null ? null : resolve(row.parent);
    let list = kids.get(parentId);
    if (!list) kids.set(parentId, (list = []));
    list.push(row);
  }
  return kids;
}

/** Phase 2, only when searching: the rows whose subtree holds a match (the others are left out). */
function subtreesWithMatches(kids: ReadonlyMap<number | null, Row[]>, search: string): Set<number> {
  const post: Row[] = [];
  const stack: Row[] = [...(kids.get(null) ?? [])];
  while (stack.length) {
    const row = stack.pop()!;
    post.push(row);
    for (const c of kids.get(row.id) ?? []) stack.push(c);
  }
  const kept = new Set<number>();
  for (let i = post.length - 1; i >= 0; i--) {
    const row = post[i];
    const own = row.kind === 'task' && matchesSearch(row.name, search);
    if (own || (kids.get(row.id) ?? []).some((c) => kept.has(c.id))) kept.add(row.id);
  }
  return kept;
}

/** Phase 3: a parent's same-named tasks beyond the threshold fold into one node; name → the tasks. */
function foldGroups(children: readonly Row[], threshold: number): Map<string, TaskRow[]> {
  const groups = new Map<string, TaskRow[]>();
  for (const c of children) {
    if (c.kind !== 'task') continue;
    let g = groups.get(c.name);
    if (!g) groups.set(c.name, (g = []));
    g.push(c);
  }
  for (const [name, g] of groups) if (g.length <= threshold) groups.delete(name);
  return groups;
}

/** What phase 4 builds from, and the indexes it fills. */
interface Assembly {
  rows: ReadonlyMap<number, Row>;
  o: ModelOptions;
  kids: ReadonlyMap<number | null, Row[]>;
  /** While searching: the rows kept (phase 2); null otherwise. */
  kept: ReadonlySet<number> | null;
  byKey: Map<string, ViewNode>;
  matches: string[];
}

/** Phase 4: the drawn hierarchy from the root down; a collapsed node keeps only a count, a fold its members. */
function assemble(a: Assembly): ViewNode {
  const root: ViewNode = { key: '', kind: 'nursery', id: 0, children: [], hiddenChildren: 0, expandable: true, match: false };
  // Explicit stack: deep trees (thousands of levels) must not overflow the JS stack.
  const stack: Array<{ node: ViewNode; rowId: number | null }> = [{ node: root, rowId: null }];
  while (stack.length) {
    const { node, rowId } = stack.pop()!;
    let children = (a.kids.get(rowId) ?? []).slice().sort(order);
    if (a.kept) children = children.filter((c) => a.kept!.has(c.id));
    if (children.length === 0) continue;
    node.expandable = true;
    // While searching, the path to every match is open whatever was collapsed.
    if (rowId !== null && !a.o.search && a.o.collapsed.has(node.key)) {
      node.hiddenChildren = children.length;
      continue;
    }
    const parent = rowId === null ? undefined : a.rows.get(rowId);
    // A nursery's tasks fold, and so do the loose tasks a task made.
    const groups = parent?.kind === 'nursery' || parent?.kind === 'task' ? foldGroups(children, a.o.foldThreshold) : null;
    for (const c of children) {
      const group = c.kind === 'task' ? groups?.get(c.name) : undefined;
      // A fold stands where its first member would.
      if (group && group[0] !== c) continue;
      const child = group ? foldNode(a, rowId!, group) : rowNode(a, c);
      node.children.push(child);
      for (const n of group ? child.children : [child]) stack.push({ node: n, rowId: n.id });
    }
  }
  return root;
}

function indexed(a: Assembly, node: ViewNode): ViewNode {
  a.byKey.set(node.key, node);
  if (node.match) a.matches.push(node.key);
  return node;
}

function rowNode(a: Assembly, row: Row): ViewNode {
  const node: ViewNode = {
    key: String(row.id), kind: row.kind, id: row.id, children: [], hiddenChildren: 0, expandable: false,
    match: row.kind === 'task' && matchesSearch(row.name, a.o.search),
  };
  if (row.kind === 'task') node.name = row.name;
  return indexed(a, node);
}

function foldNode(a: Assembly, nursery: number, group: TaskRow[]): ViewNode {
  const name = group[0].name;
  const fold = indexed(a, {
    key: foldKey(nursery, name), kind: 'fold', id: nursery, children: [], hiddenChildren: 0,
    expandable: true, members: group.map((t) => t.id), name, match: matchesSearch(name, a.o.search),
  });
  if (a.o.expandedFolds.has(fold.key)) for (const t of group) fold.children.push(rowNode(a, t));
  else fold.hiddenChildren = group.length;
  return fold;
}

/** The key of the node that stands for row `id`: itself, its fold, or its nearest drawn ancestor. */
function keyOf(id: number, rows: ReadonlyMap<number, Row>, byKey: ReadonlyMap<string, ViewNode>): string | null {
  let cur: number | null = id;
  for (let steps = 0; cur !== null && steps <= rows.size; steps++) {
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
}

/** The states of a fold's members (rows the host removed are skipped). */
export function* memberStates(node: ViewNode, rows: ReadonlyMap<number, Row>): Iterable<TaskState> {
  for (const id of node.members ?? []) {
    const t = rows.get(id);
    if (t?.kind === 'task') yield t.state;
  }
}
