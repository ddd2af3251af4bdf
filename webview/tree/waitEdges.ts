// Which wait-for edges to draw (issue #15): from a waiting task to each task
// holding what it waits for, and from the task that caused a cancel (a failing
// sibling, a cancel() call) to the nursery or task it cancelled. Drawn by default for a deadlock's cycle and the selected
// task (both ways: what it waits for, who waits for it), all of them on the
// user's asking. A folded task is drawn by its fold. Pure: rows, model and
// layout in, pairs of placed nodes out.
import type { Row, RunInfo, TaskRow } from '../../contract/rows';
import type { Layout, Placed } from './layout';
import type { Model } from './model';
import { blockedBy, waitsOf } from './waitWords';

export interface WaitEdge {
  from: Placed;
  to: Placed;
  /** `wait` (waits for), `deadlock` (an edge of a deadlock's cycle), `cause` (its failure or cancel() cancelled that nursery or task). */
  kind: 'wait' | 'deadlock' | 'cause';
}

export interface WaitPicture {
  edges: WaitEdge[];
  /** Node keys of the tasks a held verdict names (the cycle or the hung tasks), and of what is stuck behind a deadlock. */
  stuck: Set<string>;
}

/**
 * The verdict drawn on the tree: one that holds (claimed and not ended), in a
 * live run or in one that stopped while it held (killed while deadlocked: its
 * tasks stayed stuck to the end). One that ended (Ctrl-C, the run went on) is
 * only in the banner, in the past tense.
 */
export function heldVerdict(info: RunInfo | undefined): RunInfo['verdict'] | undefined {
  const v = info?.verdict;
  return v && v.endedAt === undefined ? v : undefined;
}

export function waitPicture(
  model: Model,
  layout: Layout,
  rows: ReadonlyMap<number, Row>,
  info: RunInfo,
  selected: string | null,
  showAll: boolean,
): WaitPicture {
  const edges: WaitEdge[] = [];
  const seen = new Set<string>();
  const stuck = new Set<string>();
  const add = (fromId: number, toId: number, kind: WaitEdge['kind']): void => {
    const fk = model.keyOf(fromId);
    const tk = model.keyOf(toId);
    if (fk === null || tk === null || fk === tk) return;
    const id = `${fk}>${tk}`;
    if (seen.has(id)) return;
    const from = layout.byKey.get(fk);
    const to = layout.byKey.get(tk);
    if (!from || !to) return;
    seen.add(id);
    edges.push({ from, to, kind });
  };
  const v = heldVerdict(info);
  if (v) {
    for (const t of [...v.tasks, ...v.behind]) {
      const k = model.keyOf(t.id);
      if (k !== null) stuck.add(k);
    }
    if (v.kind === 'deadlock') for (const t of v.tasks) for (const h of t.on) add(t.id, h, 'deadlock');
  }
  const holders = (t: TaskRow): void => {
    const w = waitsOf(t);
    for (const h of w?.holders ?? []) add(t.id, h, 'wait');
  };
  if (showAll) {
    for (const r of rows.values()) {
      if (r.kind !== 'task') continue;
      holders(r);
      if (r.state === 'cancelled') causeEdges(r, rows, add);
    }
  }
  const sel = selected !== null ? model.byKey.get(selected) : undefined;
  const row = sel?.kind === 'task' ? rows.get(sel.id) : undefined;
  if (row?.kind === 'task') {
    holders(row);
    for (const b of blockedBy(rows, row.id)) add(b.task.id, row.id, 'wait');
    causeEdges(row, rows, add);
  }
  return { edges, stuck };
}

/**
 * A cancelled task's cause, drawn from the task that caused it: a failing
 * sibling to the nursery its failure cancelled, a task that called cancel()
 * (or got Ctrl-C) to the nursery it cancelled, or to the task when the scope
 * was one inside it. For the failing task, to every nursery its failure cancelled.
 */
function causeEdges(
  t: TaskRow,
  rows: ReadonlyMap<number, Row>,
  add: (from: number, to: number, kind: WaitEdge['kind']) => void,
): void {
  const nurseryOf = (r: TaskRow): number | undefined =>
    r.cancelScope !== undefined && rows.get(r.cancelScope)?.kind === 'nursery' ? r.cancelScope : undefined;
  if (t.state === 'cancelled' && t.cancelledBy !== undefined) {
    const n = nurseryOf(t);
    if (n !== undefined) add(t.cancelledBy, n, 'cause');
    else if (t.cancelSource === 'explicit' || t.cancelSource === 'interrupt') add(t.cancelledBy, t.id, 'cause');
  }
  if (t.state !== 'raised') return;
  for (const r of rows.values()) {
    if (r.kind !== 'task' || r.cancelledBy !== t.id) continue;
    const n = nurseryOf(r);
    if (n !== undefined) add(t.id, n, 'cause');
  }
}
