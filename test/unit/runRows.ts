// A RunState fed with events, and its rows looked up by id: what the reducer
// tests read back.
import { RunState } from '../../extension/store/runState';
import type { NurseryRow, Row, TaskRow } from '../../contract/rows';
import type { WireEvent } from '../../contract/wire';

export function run(events: WireEvent[], options?: { retainFinished?: number }): RunState {
  const r = new RunState('c1.r1', 'prog.py', options);
  for (const e of events) r.apply(e);
  return r;
}
export const byId = (rows: Row[]): Map<number, Row> => new Map(rows.map((r) => [r.id, r]));
export const task = (r: RunState, id: number): TaskRow => byId(r.rows()).get(id) as TaskRow;
export const nursery = (r: RunState, id: number): NurseryRow => byId(r.rows()).get(id) as NurseryRow;
