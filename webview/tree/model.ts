// Rows + what the user chose (collapsed and opened nodes, pages of folds,
// filters, focus) → the tree that is drawn, in named phases: the shown rows
// under their parents, the subtrees a search keeps, the path to the selected
// row, then the hierarchy assembled level by level (assemble.ts: tasks of one
// kind folded, long lists paged, levels beyond the panel's budget collapsed
// with counts). Pure: no DOM, no D3 nodes kept between builds, so every
// choice survives every rebuild (it lives in Sets and Maps of keys).
// Rows whose parents form a cycle (a store should refuse them) are left out:
// every walk up the parent chain stops after as many steps as there are rows.
import type { Row, TaskState } from '../../contract/rows';
import { assemble, type Assembly } from './assemble';
import { isFinishedRow } from './mirror';

export type NodeKind = 'task' | 'nursery' | 'retired' | 'fold' | 'more';

/** What a collapsed node hides, so its label can say "+312 tasks in 14 nurseries". */
export interface HiddenCount {
  tasks: number;
  nurseries: number;
  raised: number;
}

export interface ViewNode {
  /** Stable key: the row id as a string, `f<nursery>:<kind>` for a fold, `m:<owner>` for a "more" node. */
  key: string;
  kind: NodeKind;
  /** Row id (task/nursery/retired); for a fold, the row it hangs under (a nursery, or the task that made loose tasks); for "more", its owner's id. */
  id: number;
  children: ViewNode[];
  /** Items collapsed away (0 when expanded or a leaf). */
  hiddenChildren: number;
  /** Collapsed task or nursery: what is below it. */
  hidden?: HiddenCount;
  /** Collapsed by the panel's budget rather than by the user. */
  auto?: boolean;
  /** The node has children when expanded (collapsed or not). */
  expandable: boolean;
  /** Fold: task ids of the tasks it stands for (its kind, in this nursery), in spawn order. */
  members?: number[];
  /** Task: its name; fold: what its kind is called (`worker`). */
  name?: string;
  /** "More": the node whose next page it shows, the page's size and how many items wait. */
  more?: { owner: string; page: number; left: number };
  /** The name matches the search. */
  match: boolean;
}

/** How much the first view may open: leaf rows, columns, and items per node before a list is paged. */
export interface Budget {
  rows: number;
  depth: number;
  width: number;
}

export interface ModelOptions {
  hideSystem: boolean;
  hideFinished: boolean;
  /** Lower-case search text; '' = no search. */
  search: string;
  /** Nodes the user collapsed. */
  collapsed: ReadonlySet<string>;
  /** Nodes the user opened (the budget leaves them open). */
  opened: ReadonlySet<string>;
  /** Nodes whose whole subtree the user opened (no budget below them). */
  deep: ReadonlySet<string>;
  /** Folds: pages of members shown (absent = folded); long lists: pages shown beyond the budget. */
  pages: ReadonlyMap<string, number>;
  /** More tasks of one kind than this fold into one node. */
  foldThreshold: number;
  /** Members or items a page adds. */
  pageSize: number;
  /** null: everything opens (no panel to fit). */
  budget: Budget | null;
  /** The node shown as the root of the view (a row id or a fold key), or null for the whole run. */
  focus: string | null;
  /** The selected node's key: a selected task stays drawn (lifted out of its fold, its path opened). */
  selected: string | null;
}

export interface Model {
  /** Synthetic root (not drawn); its children are the visible roots. */
  root: ViewNode;
  byKey: Map<string, ViewNode>;
  /** Keys of drawn matching nodes in tree order. */
  matches: string[];
  /** Rows matching the search, drawn or not (in a fold's later pages). */
  matchCount: number;
  /** Key of the node that stands for a row id (itself, its fold, its list's "more", or its nearest shown ancestor). */
  keyOf(id: number): string | null;
  /** With a focus: the nodes from the top of the run down to the focused one (the breadcrumb); else null. */
  focusPath: ViewNode[] | null;
  /** Columns the budget opened before it collapsed the rest (Infinity: it did not have to). */
  autoDepth: number;
  /** The selected row is drawn only because it is selected: selecting another rebuilds. */
  holdsSelection: boolean;
}

export const foldKeyOf = (nursery: number, kindHash: string): string => `f${nursery}:${kindHash}`;

export function included(row: Row, o: ModelOptions): boolean {
  if (o.hideFinished && isFinishedRow(row)) return false;
  if (o.hideSystem && row.kind !== 'retired' && row.system) return false;
  return true;
}

export const matchesSearch = (name: string, search: string): boolean =>
  search !== '' && name.toLowerCase().includes(search);

export function buildModel(rows: ReadonlyMap<number, Row>, o: ModelOptions): Model {
  const kids = shownChildren(rows, o);
  const search = o.search ? subtreesWithMatches(kids, o.search) : null;
  const pinned =
    o.selected !== null && /^\d+$/.test(o.selected) && rows.has(Number(o.selected)) ? Number(o.selected) : null;
  const a: Assembly = {
    rows,
    o,
    kids,
    kept: search?.kept ?? null,
    pinned,
    path: pinned === null ? new Set() : pathTo(pinned, rows),
    held: heldOpen(rows, o),
    byKey: new Map(),
    matches: [],
    memberOf: new Map(),
    usedPin: false,
    groups: new Map(),
    hiddenLists: new Map(),
  };
  const built = assemble(a);
  const keyOf = (id: number): string | null => {
    let cur: number | null = id;
    for (let steps = 0; cur !== null && steps <= rows.size; steps++) {
      const key = String(cur);
      if (a.byKey.has(key)) return key;
      const stand = a.memberOf.get(cur);
      if (stand) return stand;
      cur = rows.get(cur)?.parent ?? null;
    }
    return null;
  };
  return {
    root: built.root,
    byKey: a.byKey,
    matches: a.matches,
    matchCount: search?.count ?? 0,
    keyOf,
    focusPath: built.focusPath,
    autoDepth: built.autoDepth,
    holdsSelection: a.usedPin,
  };
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
      if (memo !== undefined) {
        found = memo;
        break;
      }
      const row = rows.get(cur);
      if (!row) break;
      if (included(row, o)) {
        found = cur;
        break;
      }
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

/** Phase 2, only when searching: the rows whose subtree holds a match (the others are left out), and how many match. */
function subtreesWithMatches(
  kids: ReadonlyMap<number | null, Row[]>,
  search: string,
): { kept: Set<number>; count: number } {
  const post: Row[] = [];
  const stack: Row[] = [...(kids.get(null) ?? [])];
  while (stack.length) {
    const row = stack.pop()!;
    post.push(row);
    for (const c of kids.get(row.id) ?? []) stack.push(c);
  }
  const kept = new Set<number>();
  let count = 0;
  for (let i = post.length - 1; i >= 0; i--) {
    const row = post[i];
    const own = row.kind === 'task' && matchesSearch(row.name, search);
    if (own) count++;
    if (own || (kids.get(row.id) ?? []).some((c) => kept.has(c.id))) kept.add(row.id);
  }
  return { kept, count };
}

/** Phase 3: the ancestors of the selected row (it stays drawn: the budget does not collapse its path). */
function pathTo(id: number, rows: ReadonlyMap<number, Row>): Set<number> {
  const path = new Set<number>();
  let cur = rows.get(id)?.parent ?? null;
  while (cur !== null && !path.has(cur) && path.size <= rows.size) {
    path.add(cur);
    cur = rows.get(cur)?.parent ?? null;
  }
  return path;
}

/**
 * The rows the user opened something under (a node opened by hand or whole,
 * a fold or long list shown a page further) and their ancestors: they stay
 * open whatever the panel's size closes, so what the user opened stays drawn.
 */
function heldOpen(rows: ReadonlyMap<number, Row>, o: ModelOptions): Set<number> {
  const held = new Set<number>();
  const hold = (id: number | null | undefined): void => {
    for (let steps = 0; id != null && !held.has(id) && steps <= rows.size; steps++) {
      held.add(id);
      id = rows.get(id)?.parent;
    }
  };
  const rowOf = (key: string): number | null => (/^-?\d+$/.test(key) ? Number(key) : null);
  for (const key of [...o.opened, ...o.deep]) {
    const id = rowOf(key);
    if (id !== null) hold(rows.get(id)?.parent);
  }
  for (const [key, pages] of o.pages) {
    // A fold hangs under its row (`f<row>:<kind>`); a long list's pages belong to its owner.
    const fold = /^f(-?\d+):/.exec(key);
    if (pages > 0) hold(fold ? Number(fold[1]) : rowOf(key));
  }
  return held;
}

/** The states of a fold's members (rows the host removed are skipped). */
export function* memberStates(node: ViewNode, rows: ReadonlyMap<number, Row>): Iterable<TaskState> {
  for (const id of node.members ?? []) {
    const t = rows.get(id);
    if (t?.kind === 'task') yield t.state;
  }
}
