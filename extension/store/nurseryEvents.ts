// The reducer for nursery events (nursery.opened, nursery.closed): nursery
// rows hang under their owner task; a closed one with no visible tasks left
// is handed to retention.
import type { NurseryClosedEvent, NurseryOpenedEvent } from '../../contract/wire';
import type { Retention } from './retention';
import type { RunTree } from './runTree';
import type { NurseryEntry } from './rowEntries';
import { REFUSED, type Refusal } from './refusals';
import { wouldCycle } from './treeLinks';

export class NurseryEvents {
  constructor(
    private readonly tree: RunTree,
    private readonly retention: Retention,
  ) {}

  opened(e: NurseryOpenedEvent): Refusal | undefined {
    const tree = this.tree;
    const id = e.id;
    const existing = tree.nurseries.get(id);
    const groupKind = e.kind === undefined || e.kind === 'nursery' ? undefined : e.kind;
    if (existing) {
      // A snapshot replay: the owner never changes.
      tree.snapshotSeen?.add(id);
      existing.site = tree.site(e.site);
      existing.groupKind = groupKind;
      tree.changes.touch(existing);
      return undefined;
    }
    const owner = e.task;
    // (Above every id seen, see RunTree.maxId, only the owner needs a look.)
    if (id <= tree.maxId || owner === id) {
      if (tree.tasks.has(id)) return REFUSED.duplicateId;
      // Nurseries already name this id as their owner task.
      if (tree.ownedNurseries.has(id)) return REFUSED.wrongKind;
      if (owner === id || (tree.children.has(id) && wouldCycle(tree, id, owner))) return REFUSED.cycle;
    }
    if (tree.nurseries.has(owner)) return REFUSED.wrongKind;
    tree.noteIds(id, owner);
    tree.snapshotSeen?.add(id);
    const row: NurseryEntry = {
      kind: 'nursery',
      id,
      parent: owner,
      site: tree.site(e.site),
      openedAt: e.ts,
      closedAt: undefined,
      system: e.system === true,
      start: e.start === true,
      groupKind,
      lints: undefined,
      dirty: false,
      sent: false,
      gone: false,
    };
    tree.nurseries.set(id, row);
    const owned = tree.ownedNurseries.get(owner);
    if (owned) owned.push(id);
    else tree.ownedNurseries.set(owner, [id]);
    tree.changes.touch(row);
    return undefined;
  }

  closed(e: NurseryClosedEvent): void {
    const row = this.tree.nurseries.get(e.id);
    if (!row || row.closedAt !== undefined) return;
    this.close(row, e.ts);
  }

  /** Closes a nursery (nursery.closed, or not replayed in a snapshot). */
  close(row: NurseryEntry, ts: number): void {
    row.closedAt = ts;
    this.tree.changes.touch(row);
    if (!this.tree.hasChildren(row.id)) this.retention.nurseryEmptied(row);
  }
}
