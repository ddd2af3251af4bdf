// 1.3's batch lines read back as the events they stand for (PROTOCOL.md,
// `tasks.spawned` and `tasks.exited`): every reader of lines expands them
// here, so the store and everything after it know one kind of spawn and exit.
import type { TaskExitedEvent, TaskSpawnedEvent, WireBatch, WireEvent, WireLine } from '../../contract/wire';

export function isBatch(line: WireLine): line is WireBatch {
  return line.type === 'tasks.spawned' || line.type === 'tasks.exited';
}

/** The events a validated batch line stands for, in order (validation vouches for the lengths and ids). */
export function expandBatch(line: WireBatch): WireEvent[] {
  const { run, ts, after_us } = line;
  const n = after_us.length;
  const out: WireEvent[] = new Array(n);
  if (line.type === 'tasks.exited') {
    const { ids, outcome } = line;
    for (let i = 0; i < n; i++) {
      const e: TaskExitedEvent = { type: 'task.exited', run, ts: ts + after_us[i] / 1000, id: ids[i], outcome };
      out[i] = e;
    }
    return out;
  }
  // Each event is built with its fields in the order a task.spawned line has
  // them (JSON.parse's objects): the reducer's hot paths then see one object
  // shape, not a second one (a spread made them 1.5 times slower per event).
  const { first, name, nursery, system, site, main, parent, func, default_name, default_names } = line;
  for (let i = 0; i < n; i++) {
    const e: TaskSpawnedEvent = {
      type: 'task.spawned',
      run,
      ts: ts + after_us[i] / 1000,
      id: first + i,
      name,
      nursery,
      system,
      site,
    };
    if (func !== undefined) e.func = func;
    if (main !== undefined) e.main = main;
    if (parent !== undefined) e.parent = parent;
    if (default_names !== undefined) e.default_name = default_names[i];
    else if (default_name !== undefined) e.default_name = default_name;
    out[i] = e;
  }
  return out;
}

/** A line's events: a batch's, or the line's own. */
export function eventsOf(line: WireLine): WireEvent[] {
  return isBatch(line) ? expandBatch(line) : [line];
}
