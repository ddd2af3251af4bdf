// The reducer for nursery events (nursery.opened, nursery.closed): nursery
// rows hang under their owner task; a closed one with no visible tasks left
// is handed to retention.
import type { NurseryClosedEvent, NurseryOpenedEvent } from '../../contract/wire';
import type { Retention } from './retention';
import type { RunTree } from './runTree';
import type { NurseryEntry } from './rowEntries';

export class NurseryEvents {
  constructor(
    private readonly tree: RunTree,
    private readonly retention: Retention,
  ) {}

  opened(e: NurseryOpenedEvent): void {
    const tree = this.tree;
    const id = e.id;
    tree.snapshotSeen?.add(id);
    const site = tree.site(e.site);
    const existing = tree.nurseries.get(id);
    const groupKind = e.kind === undefined || e.kind === 'nursery' ? undefined : e.kind;
    if (existing) {
      existing.site = site;
      existing.groupKind = groupKind;
      tree.changes.touch(existing);
      return;
    }
    const owner = e.task;
    const row: NurseryEntry = {
      kind: 'nursery',
      id,
      parent: owner,
      site,
      openedAt: e.ts,
      closedAt: undefined,
      system: e.system === true,
      start: e.start === true,
      groupKind,
      dirty: false,
      sent: false,
      gone: false,
    };
    tree.nurseries.set(id, row);
    const owned = tree.ownedNurseries.get(owner);
    if (owned) owned.push(id);
    else tree.ownedNurseries.set(owner, [id]);
    tree.changes.touch(row);
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
