// What changed in one run since a consumer last looked: the rows to send again
// and the ids of rows that left the store after a consumer had seen them. The
// panel bridge drains it (take) for the run it shows and drops it (discard)
// for the others, which get a snapshot when shown.
import type { Row } from '../../contract/rows';
import { copyRow, type Entry } from './rowEntries';

export interface Delta {
  upsert: Row[];
  remove: number[];
}

export class DeltaLog {
  private dirtyRows: Entry[] = [];
  private removedIds: number[] = [];

  /** `storedRows`: how many rows the run holds now (bounds the log when nobody takes deltas). */
  constructor(private readonly storedRows: () => number) {}

  /** The row changed (or is new): it goes out with the next delta. */
  touch(row: Entry): void {
    if (row.dirty) return;
    row.dirty = true;
    this.dirtyRows.push(row);
    // Nobody taking deltas (a recording being replayed): do not keep removed rows alive.
    if (this.dirtyRows.length > 65_536 && this.dirtyRows.length > 4 * this.storedRows()) {
      this.dirtyRows = this.dirtyRows.filter((r) => {
        if (!r.gone) return true;
        r.dirty = false;
        return false;
      });
    }
  }

  /** The row leaves the store: consumers that saw it hear of it. */
  forget(row: Entry): void {
    row.gone = true;
    if (row.sent) this.removedIds.push(row.id);
  }

  /** Copies of the rows changed since the last take, and the ids removed; null when nothing changed. `stored(id)`: the id is in the store now. */
  take(stored: (id: number) => boolean): Delta | null {
    if (!this.dirtyRows.length && !this.removedIds.length) return null;
    const upsert: Row[] = [];
    const remove: number[] = [];
    if (this.removedIds.length) {
      const seen = new Set<number>();
      for (const id of this.removedIds) {
        if (seen.has(id) || stored(id)) continue; // gone and back (a replayed snapshot): an upsert
        seen.add(id);
        remove.push(id);
      }
    }
    for (const r of this.dirtyRows) {
      r.dirty = false;
      if (r.gone) continue;
      r.sent = true;
      upsert.push(copyRow(r));
    }
    this.dirtyRows = [];
    this.removedIds = [];
    if (!upsert.length && !remove.length) return null;
    return { upsert, remove };
  }

  /** Hands each changed row, as stored (not a copy), to `visit`, and forgets the changes: for a watcher that reads rows as they change. */
  drain(visit: (row: Entry) => void): void {
    const rows = this.dirtyRows;
    if (rows.length) {
      this.dirtyRows = [];
      for (const r of rows) {
        r.dirty = false;
        visit(r);
      }
    }
    if (this.removedIds.length) this.removedIds = [];
  }

  /** Drops pending changes (nobody is watching this run; a snapshot follows when someone does). */
  discard(): void {
    if (this.dirtyRows.length) {
      for (const r of this.dirtyRows) r.dirty = false;
      this.dirtyRows = [];
    }
    if (this.removedIds.length) this.removedIds = [];
  }
}
