// What a node shows when it is open: its children as items. Tasks of one kind
// beyond the threshold fold into one node (taskKinds.ts); a fold's failing
// members, and a selected one no page shows, stand beside it so they stay in
// sight. An open fold shows its members a page at a time, followed by a
// "50 more… (1,950 left)" node; a long list of other children keeps its
// first and last items (the newest stay in sight) around such a node.
// Nodes made here are not indexed yet: assemble.ts indexes the ones it draws.
import type { Row, TaskRow } from '../../contract/rows';
import type { Assembly } from './assemble';
import { foldKeyOf, matchesSearch, type ViewNode } from './model';
import { kindHash, kindKey, kindLabel } from './taskKinds';

function order(a: Row, b: Row): number {
  // Spawn order; retired rows (negative ids) last, they summarise the oldest.
  if (a.kind === 'retired') return 1;
  if (b.kind === 'retired') return -1;
  return a.id - b.id;
}

export function rowNode(a: Assembly, row: Row): ViewNode {
  const node: ViewNode = {
    key: String(row.id),
    kind: row.kind,
    id: row.id,
    children: [],
    hiddenChildren: 0,
    expandable: false,
    match: row.kind === 'task' && matchesSearch(row.name, a.o.search),
  };
  if (row.kind === 'task') node.name = row.name;
  return node;
}

/** A nursery's tasks grouped by kind, only the groups beyond the threshold (they fold). */
function foldGroups(children: readonly Row[], threshold: number): Map<string, TaskRow[]> | null {
  if (children.length <= threshold) return null;
  const groups = new Map<string, TaskRow[]>();
  for (const c of children) {
    if (c.kind !== 'task') continue;
    const k = kindKey(c);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(c);
  }
  for (const [k, g] of groups) if (g.length <= threshold) groups.delete(k);
  return groups.size ? groups : null;
}

/** The members a fold's group keeps, split: failing ones (beside the fold) and the rest (its pages). */
export interface FoldGroup {
  all: TaskRow[];
  /** Members shown inside the fold when it is open, in order (while searching: the matching ones). */
  pool: TaskRow[];
  /** Members that raised: drawn beside the fold. */
  failing: TaskRow[];
}

/** The fold's groups of this build, by fold key (its pages are made from them when it opens). */
export type FoldGroups = Map<string, FoldGroup>;

/** The children of row `rowId` (null: the roots) as items; `owner` is the key of the node they hang under. */
export function rowItems(a: Assembly, rowId: number | null, owner: string, deep: boolean): ViewNode[] {
  const children = (a.kids.get(rowId) ?? []).slice().sort(order);
  const parent = rowId === null ? undefined : a.rows.get(rowId);
  // A nursery's tasks fold, and so do the loose tasks a task made.
  const groups = parent?.kind === 'nursery' || parent?.kind === 'task' ? foldGroups(children, a.o.foldThreshold) : null;
  const items: ViewNode[] = [];
  for (const c of children) {
    const g = groups && c.kind === 'task' ? groups.get(kindKey(c)) : undefined;
    if (g) {
      // A fold stands where its first member would.
      if (g[0] === c) items.push(...foldWithFailing(a, rowId!, g));
      continue;
    }
    if (a.kept && !a.kept.has(c.id)) continue;
    items.push(rowNode(a, c));
  }
  return a.kept || deep ? items : pagedList(a, owner, rowId ?? 0, items);
}

/** A fold and the members that stand beside it: those that raised, and the selected one when no page shows it. */
function foldWithFailing(a: Assembly, nursery: number, all: TaskRow[]): ViewNode[] {
  const kept = a.kept;
  const members = kept ? all.filter((t) => kept.has(t.id)) : all;
  if (!members.length) return [];
  const key = foldKeyOf(nursery, kindHash(kindKey(all[0])));
  const failing = members.filter((t) => t.state === 'raised');
  const pool = failing.length ? members.filter((t) => t.state !== 'raised') : members;
  a.groups.set(key, { all, pool, failing });
  const fold: ViewNode = {
    key,
    kind: 'fold',
    id: nursery,
    children: [],
    hiddenChildren: 0,
    expandable: true,
    members: all.map((t) => t.id),
    name: kindLabel(all[0]),
    match: false,
  };
  const beside = failing.map((t) => rowNode(a, t));
  if (a.pinned !== null) {
    // The selected member, or the member whose subtree holds the selected row.
    const i = pool.findIndex((t) => t.id === a.pinned || a.path.has(t.id));
    if (i >= 0 && i >= shownMembers(a, key)) {
      beside.push(rowNode(a, pool[i]));
      a.usedPin = true;
    }
  }
  return [fold, ...beside];
}

/** How many members an open fold shows (its pages); 0 while folded. */
function shownMembers(a: Assembly, key: string): number {
  const pages = a.o.pages.get(key) ?? 0;
  const open = pages > 0 || a.kept !== null || a.o.focus === key;
  return open ? Math.max(1, pages) * a.o.pageSize : 0;
}

/** The items of an open fold: a page of members (a focused fold shows its failing ones first), then "more". */
export function foldItems(a: Assembly, fold: ViewNode): ViewNode[] {
  const g = a.groups.get(fold.key);
  if (!g) return [];
  const pool = a.o.focus === fold.key ? [...g.failing, ...g.pool] : g.pool;
  const n = shownMembers(a, fold.key);
  const items = pool.slice(0, n).map((t) => rowNode(a, t));
  const left = pool.length - items.length;
  if (left > 0) {
    const more = moreNode(fold.key, fold.id, a.o.pageSize, left);
    for (const t of pool.slice(n)) if (t.id !== a.pinned) a.memberOf.set(t.id, fold.key);
    items.push(more);
  }
  return items;
}

function moreNode(owner: string, id: number, page: number, left: number): ViewNode {
  return {
    key: `m:${owner}`,
    kind: 'more',
    id,
    children: [],
    hiddenChildren: 0,
    expandable: false,
    match: false,
    more: { owner, page: Math.min(page, left), left },
  };
}

/**
 * A list longer than the budget's width keeps its first items (and one more
 * page for each time the user asked), "N more…", and its last items (the
 * newest); the selected row and failing tasks stay wherever they are.
 */
function pagedList(a: Assembly, owner: string, ownerId: number, items: ViewNode[]): ViewNode[] {
  const b = a.o.budget;
  if (!b) return items;
  const tail = Math.floor(b.width / 2);
  const head = b.width - tail + (a.o.pages.get(owner) ?? 0) * a.o.pageSize;
  // Hiding a few saves a row or two and hides the list's shape (a showcase's 14 fetches cut to 12 and
  // "2 more…"): only a list at least half a width longer than the budget is cut.
  if (items.length <= head + tail + Math.max(1, Math.ceil(b.width / 2))) return items;
  const out: ViewNode[] = [];
  const hidden: ViewNode[] = [];
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    if (i < head || i >= items.length - tail || keepsInList(a, it)) out.push(it);
    else hidden.push(it);
    if (i === head - 1) out.push(moreNode(owner, ownerId, a.o.pageSize, 0));
  }
  const more = out[head];
  more.more!.left = hidden.length;
  more.more!.page = Math.min(a.o.pageSize, hidden.length);
  a.hiddenLists.set(more.key, hidden);
  return out;
}

/** An item a long list never hides: the selected row, the way to it, or a task that raised. */
function keepsInList(a: Assembly, it: ViewNode): boolean {
  if (it.kind !== 'task' && it.kind !== 'nursery') return false;
  if (it.id === a.pinned || a.path.has(it.id)) {
    a.usedPin = true;
    return true;
  }
  const r = a.rows.get(it.id);
  return r?.kind === 'task' && r.state === 'raised';
}
