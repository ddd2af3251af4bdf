// Memory stays bounded on long runs: past `retainFinished` finished tasks the
// oldest fold, with everything still visible below them, into one RetiredRow
// per nursery (counts by outcome), or per task for the loose tasks it made;
// closed nurseries left without visible tasks stay as summaries up to a
// bound, then go too, their counts kept by the task that opened them (its
// `folded`). A loose task still live when its maker folds stays, and one
// that raised stays past the bound (up to KEPT_LOOSE_FAILURES). Whatever
// folds keeps its counts of tasks and task groups in the row it folds into,
// so a fold's "+340 tasks in 84 nurseries" counts every one.
import type { RunFacts } from './runFacts';
import type { RunTree } from './runTree';
import type { FoldedCounts } from '../../contract/rows';
import { emptyCounts, type NurseryEntry, type OutcomeCounts, type RetiredEntry, type TaskEntry } from './rowEntries';

/**
 * Loose tasks that raised, kept unfolded past the bound (the oldest fold
 * beyond it). Nobody awaits a loose task, so the tree is where its failure
 * shows, and asyncio says "exception never retrieved" only when the task is
 * collected, often much later: a crawler's background task raised at 3 s,
 * was folded among thousands of finished fetches, and its flag at the end
 * found no row (no lint, no name; the fold said "1 raised").
 */
export const KEPT_LOOSE_FAILURES = 100;
/** Closed nurseries whose children are all retired that stay visible (as a summary) before they fold too. */
const RETAIN_EMPTY_NURSERIES = 100;
const OUTCOMES = Object.keys(emptyCounts()) as (keyof OutcomeCounts)[];

/** Stands in a copied queue for a finished task the store already let go (never folded again). */
const GONE = Object.freeze({ kind: 'task', id: 0, gone: true }) as unknown as TaskEntry;

/** A FIFO with a moving head, compacted now and then (shift() on a long array is slow). */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  push(item: T): void {
    this.items.push(item);
  }

  get length(): number {
    return this.items.length - this.head;
  }

  shift(): T {
    return this.items[this.head++];
  }

  /** A copy holding `map(item)` for each item still queued. */
  copy<U>(map: (item: T) => U): Fifo<U> {
    const c = new Fifo<U>();
    for (let i = this.head; i < this.items.length; i++) c.items.push(map(this.items[i]));
    return c;
  }

  compact(): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

export class Retention {
  constructor(
    private readonly tree: RunTree,
    private readonly facts: RunFacts,
    readonly retainFinished: number,
    /** Finished tasks, oldest first. */
    private readonly finished = new Fifo<TaskEntry>(),
    /** Closed nurseries with no visible children left, oldest first. */
    private readonly emptyNurseries = new Fifo<number>(),
    /** Raised loose tasks past the bound, oldest first (KEPT_LOOSE_FAILURES). */
    private readonly looseFailures = new Fifo<TaskEntry>(),
  ) {}

  /**
   * The same queues over a copied tree (history). A queued task the store let
   * go stays queued as a gone placeholder: the queue's length decides when
   * the next ones fold.
   */
  copy(from: RunTree, tree: RunTree, facts: RunFacts): Retention {
    const same = (t: TaskEntry) => (from.tasks.get(t.id) === t ? tree.tasks.get(t.id)! : GONE);
    return new Retention(
      tree,
      facts,
      this.retainFinished,
      this.finished.copy(same),
      this.emptyNurseries.copy((id) => id),
      this.looseFailures.copy(same),
    );
  }

  /** A task is over (exited or lost): it waits its turn to fold. */
  queue(row: TaskEntry): void {
    this.finished.push(row);
  }

  /** Folds the oldest finished tasks beyond the bound. */
  retain(): void {
    while (this.finished.length > this.retainFinished) {
      const row = this.finished.shift();
      if (row.gone || row.exitedAt === undefined) continue;
      if (row.loose && row.state === 'raised') this.looseFailures.push(row);
      else this.foldTask(row);
    }
    this.finished.compact();
    while (this.looseFailures.length > KEPT_LOOSE_FAILURES) {
      const row = this.looseFailures.shift();
      // (folded meanwhile with the task that made it, it is not the tree's any more)
      if (!row.gone && this.tree.tasks.get(row.id) === row) this.foldTask(row);
    }
    this.looseFailures.compact();
  }

  /** A closed nursery has no visible children left. */
  nurseryEmptied(n: NurseryEntry): void {
    if (n.start && !this.tree.retired.has(-n.id)) {
      // The temporary nursery of start(): once its task moved out it is noise.
      this.removeNursery(n.id);
      return;
    }
    this.emptyNurseries.push(n.id);
    while (this.emptyNurseries.length > RETAIN_EMPTY_NURSERIES) {
      const id = this.emptyNurseries.shift();
      const still = this.tree.nurseries.get(id);
      if (still && still.closedAt !== undefined && !this.tree.hasChildren(id)) this.removeNursery(id);
    }
    this.emptyNurseries.compact();
  }

  /** Folds a finished task, and everything still visible below it, into its nursery's RetiredRow. */
  private foldTask(row: TaskEntry): void {
    if (!this.tree.ownedNurseries.has(row.id) && !this.tree.children.has(row.id) && row.parent !== null) {
      // The common case: a leaf task. No walk, no temporary arrays.
      this.tree.tasks.delete(row.id);
      this.tree.awaited.delete(row.id);
      this.tree.changes.forget(row);
      this.facts.retired++;
      this.facts.changed = true;
      const r = this.retiredRow(row.parent);
      if (r) {
        r.count++;
        r.byOutcome[row.state as keyof OutcomeCounts]++;
        if (row.folded) addFolded(r, row.folded);
        this.tree.changes.touch(r);
      }
      this.childGone(row.parent, row.id);
      return;
    }
    const { counts, n, nurseries, removedTasks } = this.foldSubtree(row);
    // Descendants merged from retired rows were counted when they retired.
    this.facts.retired += removedTasks;
    this.facts.changed = true;
    const parent = row.parent;
    if (parent === null) return;
    const r = this.retiredRow(parent);
    if (r) {
      addFolded(r, { count: n, byOutcome: counts, nurseries });
      this.tree.changes.touch(r);
    }
    this.childGone(parent, row.id);
  }

  /** Removes a task with its nurseries and everything below them; returns what they count as retired. */
  private foldSubtree(row: TaskEntry): { counts: OutcomeCounts; n: number; nurseries: number; removedTasks: number } {
    const tree = this.tree;
    const counts = emptyCounts();
    // what was folded below already (retired rows, the tasks' let-go groups) adds its tasks and groups
    const below: FoldedCounts = { count: 0, byOutcome: counts, nurseries: 0 };
    const stack: TaskEntry[] = [row];
    const removedTasks: TaskEntry[] = [];
    const removedNurseries: number[] = [];
    const visited = new Set<number>();
    while (stack.length) {
      const t = stack.pop()!;
      if (visited.has(t.id)) continue; // a malformed stream may form a cycle
      visited.add(t.id);
      removedTasks.push(t);
      this.foldLoose(t, row, stack);
      this.takeRetired(t.id, below);
      if (t.folded) addFolded(below, t.folded);
      const owned = tree.ownedNurseries.get(t.id);
      if (!owned) continue;
      for (const nid of owned) {
        if (!tree.nurseries.has(nid)) continue;
        removedNurseries.push(nid);
        this.takeRetired(nid, below);
        for (const cid of tree.children.get(nid) ?? []) {
          const child = tree.tasks.get(cid);
          if (child && child !== row) stack.push(child);
        }
      }
    }
    for (const t of removedTasks) {
      const outcome = t.exitedAt !== undefined ? (t.state as keyof OutcomeCounts) : 'lost';
      counts[outcome]++;
      // only reachable with a malformed stream (a task pending at close was counted out at its flag)
      if (t.exitedAt === undefined && !t.flags?.includes('pending_at_close')) this.facts.taskLeft(t.system);
      tree.tasks.delete(t.id);
      tree.awaited.delete(t.id);
      tree.ownedNurseries.delete(t.id);
      tree.children.delete(t.id);
      tree.changes.forget(t);
      this.dropRetired(t.id);
    }
    for (const nid of removedNurseries) {
      const nr = tree.nurseries.get(nid);
      tree.nurseries.delete(nid);
      tree.children.delete(nid);
      tree.firstRaised.delete(nid);
      if (nr) tree.changes.forget(nr);
      this.dropRetired(nid);
    }
    return {
      counts,
      n: below.count + removedTasks.length,
      nurseries: below.nurseries + removedNurseries.length,
      removedTasks: removedTasks.length,
    };
  }

  /** Adds the retired row under `parent` (its folded children) to `into`. */
  private takeRetired(parent: number, into: FoldedCounts): void {
    const r = this.tree.retired.get(-parent);
    if (r) addFolded(into, r);
  }

  /**
   * The loose tasks `t` made fold with it when they are over; one still live
   * outlived its maker (asyncio allows that): it stays, as a root. So does
   * one that raised (a handler's fire-and-forget task that failed after the
   * handler returned): it folds in its turn (KEPT_LOOSE_FAILURES).
   */
  private foldLoose(t: TaskEntry, top: TaskEntry, stack: TaskEntry[]): void {
    const kids = this.tree.children.get(t.id);
    if (!kids) return;
    for (const cid of [...kids]) {
      const child = this.tree.tasks.get(cid);
      if (!child || child === top) continue;
      const stays = child.loose && (child.exitedAt === undefined || child.state === 'raised');
      if (!stays) {
        stack.push(child);
        continue;
      }
      kids.delete(cid);
      child.parent = null;
      this.tree.changes.touch(child);
    }
  }

  /** A task left `nursery`'s visible children. */
  childGone(nursery: number, task: number): void {
    const emptied = this.tree.removeChild(nursery, task);
    if (emptied) this.nurseryEmptied(emptied);
  }

  /**
   * The RetiredRow under a nursery (or a loose task's maker) the store holds,
   * created on first use. Undefined for one it does not know (its opening was
   * lost, or never sent): such a row would never be removed, so a stream
   * naming endless unknown nurseries would grow the store; the run's total
   * still counts.
   */
  private retiredRow(parent: number): RetiredEntry | undefined {
    let r = this.tree.retired.get(-parent);
    if (!r) {
      if (!this.tree.nurseries.has(parent) && !this.tree.tasks.has(parent)) return undefined;
      r = {
        kind: 'retired',
        id: -parent,
        parent,
        count: 0,
        byOutcome: emptyCounts(),
        dirty: false,
        sent: false,
        gone: false,
      };
      this.tree.retired.set(-parent, r);
    }
    return r;
  }

  /**
   * Removes an empty closed nursery. Its task keeps its counts (`folded`):
   * the group itself, and the finished tasks its retired row stood for (the
   * temporary nursery of start() is not a group of the program's, and held none).
   */
  private removeNursery(id: number): void {
    const tree = this.tree;
    const n = tree.nurseries.get(id);
    if (!n) return;
    const owner = n.start ? undefined : tree.tasks.get(n.parent);
    if (owner) {
      const kept: FoldedCounts = { count: 0, byOutcome: emptyCounts(), nurseries: 1 };
      if (owner.folded) addFolded(kept, owner.folded);
      this.takeRetired(id, kept);
      owner.folded = kept; // a new object: rows that left the store share the old one
      tree.changes.touch(owner);
    }
    tree.nurseries.delete(id);
    tree.firstRaised.delete(id);
    tree.children.delete(id);
    const owned = tree.ownedNurseries.get(n.parent);
    if (owned) {
      const i = owned.indexOf(id);
      if (i >= 0) owned.splice(i, 1);
      if (!owned.length) tree.ownedNurseries.delete(n.parent);
    }
    tree.changes.forget(n);
    this.dropRetired(id);
  }

  private dropRetired(nursery: number): void {
    const r = this.tree.retired.get(-nursery);
    if (!r) return;
    this.tree.retired.delete(-nursery);
    this.tree.changes.forget(r);
  }
}

/** Adds `c`'s tasks (by outcome) and task groups to `into`. */
function addFolded(
  into: { count: number; byOutcome: OutcomeCounts; nurseries?: number },
  c: { count: number; byOutcome: OutcomeCounts; nurseries?: number },
): void {
  into.count += c.count;
  for (const k of OUTCOMES) into.byOutcome[k] += c.byOutcome[k];
  if (c.nurseries) into.nurseries = (into.nurseries ?? 0) + c.nurseries;
}
