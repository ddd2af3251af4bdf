// What keeps a run's rows a tree the panel can walk: every parent link ends at
// a root, every cancelledBy chain ends, and no id names two rows. Links
// alternate kinds (a task hangs under a nursery, a nursery under its owner
// task), so a check need only look where a row of the other kind already
// names the new id. A malformed
// or hostile stream (or a shared recording) can ask for a link that breaks
// this — a task moved into its own subtree, a nursery owned by a task below
// it, two tasks cancelled by each other — and the reducer refuses that event
// (refusals.ts says why).
import type { RunTree } from './runTree';

/** Longest walk up the tree for a check; a deeper tree is refused the link (no real program nests this deep). */
export const MAX_WALK = 10_000;
/** Longest cancelledBy chain kept. */
export const MAX_CANCEL_CHAIN = 1000;

/** The row a row hangs under: a task's nursery, a nursery's owner task (null: a root, or unknown). */
function parentOf(tree: RunTree, id: number): number | null {
  const t = tree.tasks.get(id);
  if (t) return t.parent;
  return tree.nurseries.get(id)?.parent ?? null;
}

/** True when hanging `child` under `parent` would put `child` above itself (or the walk is too deep to tell). */
export function wouldCycle(tree: RunTree, child: number, parent: number | null): boolean {
  let at = parent;
  for (let steps = 0; at !== null; steps++) {
    if (at === child || steps >= MAX_WALK) return true;
    at = parentOf(tree, at);
  }
  return false;
}

/** True when `task` may say it was cancelled by `by`: the chain from `by` does not come back to `task`. */
export function cancelLinkOk(tree: RunTree, task: number, by: number): boolean {
  let at: number | undefined = by;
  for (let steps = 0; at !== undefined; steps++) {
    if (at === task || steps >= MAX_CANCEL_CHAIN) return false;
    at = tree.tasks.get(at)?.cancelledBy;
  }
  return true;
}
