// A run's wait-for graph, read from its rows: an edge from each waiting task
// to the tasks that hold what it waits for (its waits' holders; a nursery's
// live children for a task waiting for them, or the tasks an asyncio gather
// still waits for, sent as its holders). Two questions are asked of it:
// which tasks can never be woken by the others (a deadlock), and whether every
// user task waits with nothing able to wake it (a hang). Pure functions of
// the rows; the verdicts room decides when to believe the answers.
import type { WaitInfo } from '../../contract/rows';
import type { RunTree } from './runTree';
import type { TaskEntry } from './rowEntries';

/** The tasks of a deadlock: those on a cycle, and those stuck behind it. */
export interface Deadlock {
  cycle: TaskEntry[];
  behind: TaskEntry[];
  /** For each task in either list, its holders that are in the deadlock. */
  on: Map<number, number[]>;
}

/** A waiting task nothing but another task can wake (no deadline, I/O or thread). */
function onlyTasksWake(t: TaskEntry): t is TaskEntry & { waits: WaitInfo } {
  const w = t.waits;
  return t.state === 'waiting' && t.exitedAt === undefined && w !== undefined && !w.wakes && w.until === undefined;
}

/** A task waiting for children (a nursery's, a gather's) is stuck while any of them is; any other wait, while every holder is. */
const waitsForAll = (w: WaitInfo): boolean => w.kind === 'children';

/** The tasks `t` waits for, or null when not known. */
function holdersOf(tree: RunTree, w: WaitInfo): readonly number[] | null {
  if (waitsForAll(w) && w.holders === undefined) {
    if (w.obj === undefined) return null;
    const kids = tree.children.get(w.obj);
    if (!kids) return [];
    const live: number[] = [];
    for (const id of kids) if (tree.tasks.get(id)?.exitedAt === undefined) live.push(id);
    return live;
  }
  return w.holders ?? null;
}

/**
 * The deadlock among `waiting` tasks, or null: the largest set of tasks each
 * of which waits only on tasks of the set (every holder in it; for a nursery,
 * any child in it) and that nothing else can wake. Such tasks wait forever.
 */
export function findDeadlock(tree: RunTree, waiting: Iterable<number>): Deadlock | null {
  const candidates: Array<TaskEntry & { waits: WaitInfo }> = [];
  for (const id of waiting) {
    const t = tree.tasks.get(id);
    if (t && onlyTasksWake(t)) candidates.push(t);
  }
  const unsure = disagreeing(candidates);
  const edges = new Map<number, { all: boolean; to: readonly number[] }>();
  for (const t of candidates) {
    const id = t.id;
    if (unsure.has(objectKey(t.waits))) continue;
    const to = holdersOf(tree, t.waits);
    if (to && to.length) edges.set(id, { all: waitsForAll(t.waits), to });
  }
  // Take out, until none is left to take, each task that a task outside the set can wake.
  const stuck = new Set(edges.keys());
  let changed = true;
  while (changed && stuck.size) {
    changed = false;
    for (const id of stuck) {
      const e = edges.get(id)!;
      const free = e.all ? !e.to.some((h) => stuck.has(h)) : e.to.some((h) => !stuck.has(h));
      if (free) {
        stuck.delete(id);
        changed = true;
      }
    }
  }
  if (!stuck.size) return null;
  const on = new Map<number, number[]>();
  for (const id of stuck)
    on.set(
      id,
      edges.get(id)!.to.filter((h) => stuck.has(h)),
    );
  const inCycle = onCycles(stuck, on);
  const cycle: TaskEntry[] = [];
  const behind: TaskEntry[] = [];
  for (const id of [...stuck].sort((a, b) => a - b)) {
    const t = tree.tasks.get(id)!;
    if (inCycle.has(id)) cycle.push(t);
    else if (!t.system) behind.push(t); // the library's root waiting on its nursery is no news
  }
  return cycle.length ? { cycle, behind, on } : null;
}

const objectKey = (w: WaitInfo): string => (w.obj === undefined ? '' : `${w.kind}:${w.obj}`);

/**
 * The objects whose waiters name different holders. Each waiter's holders
 * are those of its own last sample, and a busy program's tasks are sampled
 * in turn: 2,000 workers queueing for one Lock can each name the holder of
 * another moment, and three of them chain into a cycle that never was. At
 * any one moment an object's waiters agree, and a real deadlock holds still,
 * so they agree once each was sampled again: until then the edges through
 * that object are not evidence. (A nursery's children are the tree's own.)
 */
function disagreeing(waiters: ReadonlyArray<{ waits: WaitInfo }>): Set<string> {
  const seen = new Map<string, string>();
  const unsure = new Set<string>();
  for (const { waits: w } of waiters) {
    if (w.obj === undefined || w.kind === 'children' || w.holders === undefined) continue;
    const key = objectKey(w);
    const holders = [...w.holders].sort((a, b) => a - b).join(',');
    const first = seen.get(key);
    if (first === undefined) seen.set(key, holders);
    else if (first !== holders) unsure.add(key);
  }
  return unsure;
}

/** Nodes on a cycle of `on` (strongly connected groups of two or more, or a task waiting on itself): Tarjan's, without recursion. */
function onCycles(nodes: ReadonlySet<number>, on: ReadonlyMap<number, number[]>): Set<number> {
  const index = new Map<number, number>();
  const low = new Map<number, number>();
  const stack: number[] = [];
  const onStack = new Set<number>();
  const out = new Set<number>();
  let next = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: Array<[number, number]> = [[root, 0]];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const top = work[work.length - 1];
      const [v, i] = top;
      const succ = on.get(v) ?? [];
      if (i < succ.length) {
        top[1]++;
        const w = succ[i];
        if (!index.has(w)) {
          index.set(w, next);
          low.set(w, next++);
          stack.push(w);
          onStack.add(w);
          work.push([w, 0]);
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent)!, low.get(v)!));
      }
      if (low.get(v) !== index.get(v)) continue;
      const group: number[] = [];
      let w: number;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1 || (on.get(v) ?? []).includes(v)) for (const g of group) out.add(g);
    }
  }
  return out;
}

/**
 * The user tasks of a hung run, or null: there is at least one, every one
 * waits on something known that only a task could end, and no task at all
 * (the library's own included) is running or about to run.
 */
export function findHang(tree: RunTree): TaskEntry[] | null {
  const hung: TaskEntry[] = [];
  for (const t of tree.tasks.values()) {
    if (t.exitedAt !== undefined) continue;
    if (t.state === 'running' || t.state === 'scheduled') return null;
    if (t.system) continue;
    if (!onlyTasksWake(t)) return null;
    hung.push(t);
  }
  return hung.length ? hung : null;
}
