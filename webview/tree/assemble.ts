// The drawn hierarchy, built level by level from the root (or the focused
// node) down. Each level opens whole or not at all: while the leaf rows fit
// the panel's budget and the columns its width, every node opens; from the
// first level that would not fit, nodes stay collapsed with a count ("+312
// tasks in 14 nurseries") unless the user opened them, a search match or
// the selected row lies below them, or the user opened a subtree whole.
// Nodes the user collapsed stay collapsed, except on the way to a search match;
// the way to what the user opened (a fold's page, a node) stays open.
import type { Row } from '../../contract/rows';
import { foldItems, rowItems, rowNode, type FoldGroups } from './childItems';
import type { HiddenCount, ModelOptions, ViewNode } from './model';

/** What the assembly reads, and the indexes it fills. */
export interface Assembly {
  rows: ReadonlyMap<number, Row>;
  o: ModelOptions;
  kids: ReadonlyMap<number | null, Row[]>;
  /** While searching: the rows kept (they or their descendants match); null otherwise. */
  kept: ReadonlySet<number> | null;
  /** The selected row's id, when a row is selected. */
  pinned: number | null;
  /** Its ancestors. */
  path: ReadonlySet<number>;
  /** Rows on the way to what the user opened (model.ts heldOpen): the panel's size does not close them. */
  held: ReadonlySet<number>;
  byKey: Map<string, ViewNode>;
  matches: string[];
  /** Rows not drawn on their own → the fold or "more" node that stands for them. */
  memberOf: Map<number, string>;
  /** The selection kept something drawn that would not be otherwise. */
  usedPin: boolean;
  groups: FoldGroups;
  /** The items a "more" node stands for, by its key. */
  hiddenLists: Map<string, ViewNode[]>;
}

interface Pending {
  node: ViewNode;
  /** Inside a subtree the user opened whole. */
  deep: boolean;
}

/** `root`: the view's root (opens, and spends the budget); `path`: on the way to the selected row. */
type Decision = 'root' | 'open' | 'auto' | 'closed' | 'path';

export interface Assembled {
  root: ViewNode;
  focusPath: ViewNode[] | null;
  autoDepth: number;
}

export function assemble(a: Assembly): Assembled {
  const root: ViewNode = {
    key: '',
    kind: 'nursery',
    id: 0,
    children: [],
    hiddenChildren: 0,
    expandable: true,
    match: false,
  };
  const focus = a.o.focus === null ? null : focusOf(a, a.o.focus);
  const budget = a.o.budget;
  let frontier: Pending[] = [{ node: root, deep: false }];
  let rows = 1;
  let depth = 0;
  let autoDepth = Infinity;
  while (frontier.length) {
    const plans: Array<{ p: Pending; items: ViewNode[]; how: Decision }> = [];
    // Only what opens by itself spends the budget: opening one node never collapses another.
    let grow = 0;
    for (const p of frontier) {
      const items = p.node === root ? (focus ? [focus.node] : rowItems(a, null, '', false)) : itemsOf(a, p);
      if (!items.length) {
        // A task whose task groups were all let go (memory bound) still says what was below it.
        const r = p.node.kind === 'task' ? a.rows.get(p.node.id) : undefined;
        if (r?.kind === 'task' && r.folded) p.node.hidden = countBelow(a, r.id);
        continue;
      }
      p.node.expandable = true;
      const how: Decision = p.node === root || p.node === focus?.node ? 'root' : decide(a, p);
      plans.push({ p, items, how });
      if (how === 'auto' || how === 'root') grow += items.length - 1;
    }
    // This level's items would sit in column `depth`.
    if (autoDepth === Infinity && budget && (depth >= budget.depth || rows + grow > budget.rows)) autoDepth = depth;
    const stopped = autoDepth <= depth;
    const next: Pending[] = [];
    for (const { p, items, how } of plans) {
      if (how === 'closed' || (how === 'auto' && stopped)) {
        collapse(a, p.node, items, how === 'auto');
        continue;
      }
      if (how === 'path' && stopped) a.usedPin = true;
      if (how === 'auto' || how === 'root') rows += items.length - 1;
      p.node.children = items;
      for (const it of items) {
        index(a, it);
        next.push({ node: it, deep: p.deep || a.o.deep.has(it.key) });
      }
    }
    frontier = next;
    depth++;
  }
  return { root, focusPath: focus?.path ?? null, autoDepth };
}

function itemsOf(a: Assembly, p: Pending): ViewNode[] {
  const n = p.node;
  if (n.kind === 'fold') return foldItems(a, n);
  if (n.kind === 'more' || n.kind === 'retired') return [];
  return rowItems(a, n.id, n.key, p.deep);
}

function decide(a: Assembly, p: Pending): Decision {
  const n = p.node;
  // A fold opens when asked to (or while a search shows its matches); never by itself.
  if (n.kind === 'fold') return (a.o.pages.get(n.key) ?? 0) > 0 || a.kept ? 'open' : 'closed';
  // While searching, the path to every match is open whatever was collapsed.
  if (a.kept) return 'open';
  if (a.o.collapsed.has(n.key)) return 'closed';
  if (p.deep || a.o.opened.has(n.key) || a.held.has(n.id)) return 'open';
  return a.path.has(n.id) ? 'path' : 'auto';
}

function index(a: Assembly, node: ViewNode): void {
  a.byKey.set(node.key, node);
  if (node.match) a.matches.push(node.key);
  if (node.kind === 'fold') for (const id of node.members ?? []) if (!a.memberOf.has(id)) a.memberOf.set(id, node.key);
  if (node.kind === 'more') {
    for (const it of a.hiddenLists.get(node.key) ?? []) {
      if (it.kind === 'fold') for (const id of it.members ?? []) a.memberOf.set(id, node.key);
      else a.memberOf.set(it.id, node.key);
    }
  }
}

/** A node that stays closed keeps the number of its items, and for a task or nursery what lies below it. */
function collapse(a: Assembly, node: ViewNode, items: ViewNode[], auto: boolean): void {
  if (auto) node.auto = true;
  if (node.kind === 'fold') {
    node.hiddenChildren = node.members?.length ?? items.length;
    return;
  }
  node.hiddenChildren = items.length;
  node.hidden = countBelow(a, node.id);
}

function countBelow(a: Assembly, id: number): HiddenCount {
  const out: HiddenCount = { tasks: 0, nurseries: 0, raised: 0 };
  // Folded-away tasks count as well, and the task groups that went with them: the node's own let-go
  // groups, and those of every row below it.
  const addFolded = (f: { count: number; byOutcome: { raised: number }; nurseries?: number } | undefined) => {
    if (!f) return;
    out.tasks += f.count;
    out.nurseries += f.nurseries ?? 0;
    out.raised += f.byOutcome.raised;
  };
  const own = a.rows.get(id);
  if (own?.kind === 'task') addFolded(own.folded);
  const stack = [...(a.kids.get(id) ?? [])];
  let steps = 0;
  while (stack.length && steps++ <= a.rows.size) {
    const r = stack.pop()!;
    if (r.kind === 'task') {
      out.tasks++;
      if (r.state === 'raised') out.raised++;
      addFolded(r.folded);
    } else if (r.kind === 'nursery') out.nurseries++;
    else addFolded(r);
    for (const c of a.kids.get(r.id) ?? []) stack.push(c);
  }
  return out;
}

/** The focused node (a shown row, or a fold found among its nursery's items) and the way down to it. */
function focusOf(a: Assembly, key: string): { node: ViewNode; path: ViewNode[] } | null {
  const fold = /^f(\d+):/.exec(key);
  const rowId = fold ? Number(fold[1]) : /^\d+$/.test(key) ? Number(key) : null;
  if (rowId === null) return null;
  const row = a.rows.get(rowId);
  if (!row || !isShown(a, rowId)) return null;
  const path = ancestors(a, rowId);
  const own = rowNode(a, row);
  if (!fold) return { node: own, path: [...path, own] };
  const node = rowItems(a, rowId, String(rowId), true).find((n) => n.key === key);
  return node ? { node, path: [...path, own, node] } : null;
}

/** Is the row among the shown ones (a parent's shown children, or a root)? */
function isShown(a: Assembly, id: number): boolean {
  for (const list of a.kids.values()) if (list.some((r) => r.id === id)) return true;
  return false;
}

/** The shown ancestors of a shown row, top first, as nodes for the breadcrumb. */
function ancestors(a: Assembly, id: number): ViewNode[] {
  const parentOf = new Map<number, number | null>();
  for (const [parent, list] of a.kids) for (const r of list) parentOf.set(r.id, parent);
  const out: ViewNode[] = [];
  let cur = parentOf.get(id) ?? null;
  while (cur !== null && out.length <= a.rows.size) {
    const r = a.rows.get(cur);
    if (!r) break;
    out.unshift(rowNode(a, r));
    cur = parentOf.get(cur) ?? null;
  }
  return out;
}
