// The webview's copy of each run's rows: a flat Map per run, replaced by
// `snapshot` and patched by `delta`. It never interprets wire events (the
// host's reducer does); it only tells the renderer how much changed, so a
// burst of state samples does not force a relayout of 10,000 nodes.
import type { Row, RunInfo } from '../../contract/rows';
import { isFinishedState } from './taskStates';
import { visibleInfo, visibleRow } from './programText';

export interface RunMirror {
  info: RunInfo;
  rows: Map<number, Row>;
}

/** What a delta changed, as far as drawing is concerned. */
export interface Change {
  /** Rows appeared, disappeared, moved, were renamed, or finished: the hierarchy must be rebuilt. */
  structural: boolean;
  /** A task finished or came back (matters when finished tasks are hidden). */
  finishedChanged: boolean;
  /** Ids of rows that are new in this change (for follow mode). */
  added: number[];
}

export function isFinishedRow(row: Row): boolean {
  if (row.kind === 'task') return isFinishedState(row.state);
  if (row.kind === 'nursery') return row.closedAt !== undefined && row.closedAt !== null;
  return true;
}

export class RunsMirror {
  readonly runs = new Map<string, RunMirror>();
  /** The runs as the host last listed them. */
  private listed: RunInfo[] = [];

  get(key: string | null): RunMirror | undefined {
    return key === null ? undefined : this.runs.get(key);
  }

  /** The host's list of runs: keeps only the runs it still lists (a cleared run frees its rows). */
  setListed(runs: RunInfo[]): void {
    runs.forEach(visibleInfo);
    this.listed = runs;
    const keep = new Set(runs.map((r) => r.key));
    for (const key of [...this.runs.keys()]) if (!keep.has(key)) this.runs.delete(key);
    for (const info of runs) {
      const run = this.runs.get(info.key);
      if (run) run.info = info;
    }
  }

  /** The runs to offer: as the host listed them, or, before any list, those we have rows of. */
  list(): RunInfo[] {
    return this.listed.length ? this.listed : [...this.runs.values()].map((r) => r.info);
  }

  snapshot(info: RunInfo, rows: Row[]): Change {
    visibleInfo(info);
    const map = new Map<number, Row>();
    for (const row of rows) map.set(row.id, visibleRow(row));
    const previous = this.runs.get(info.key);
    const added: number[] = [];
    if (previous) for (const id of map.keys()) if (!previous.rows.has(id)) added.push(id);
    this.runs.set(info.key, { info, rows: map });
    return { structural: true, finishedChanged: true, added };
  }

  delta(info: RunInfo, upsert: Row[], remove: number[]): Change {
    let run = this.runs.get(info.key);
    if (!run) {
      // A delta for a run we never got a snapshot of: start from nothing; the
      // host sends a snapshot on `ready`/`selectRun`, so this is rare.
      run = { info, rows: new Map() };
      this.runs.set(info.key, run);
    }
    run.info = visibleInfo(info);
    const change: Change = { structural: remove.length > 0, finishedChanged: false, added: [] };
    for (const id of remove) run.rows.delete(id);
    for (const row of upsert) {
      visibleRow(row);
      const old = run.rows.get(row.id);
      run.rows.set(row.id, row);
      if (!old) {
        change.structural = true;
        change.added.push(row.id);
        continue;
      }
      if (old.kind !== row.kind || old.parent !== row.parent) change.structural = true;
      else if (row.kind === 'task' && old.kind === 'task' && (old.name !== row.name || old.system !== row.system)) {
        change.structural = true;
      }
      if (isFinishedRow(old) !== isFinishedRow(row)) change.finishedChanged = true;
    }
    return change;
  }
}
