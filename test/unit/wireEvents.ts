// Builders for wire events in tests: the same shapes the runtime sends
// (runtime/protocol/events.schema.json), typed as contract/wire.ts says, with
// small defaults. `extra` may also carry fields the protocol does not know.
import type {
  HelloEvent,
  NurseryClosedEvent,
  NurseryOpenedEvent,
  RunFinishedEvent,
  RunStartedEvent,
  ScopeChangedEvent,
  TaskExitedEvent,
  TaskFlaggedEvent,
  TaskMovedEvent,
  TaskSpawnedEvent,
  TaskStateEvent,
  WireError,
  WireEvent,
  WireOutcome,
  WireSite,
  WireTaskFlag,
  WireWaits,
} from '../../contract/wire';

/** A raw event object (e.g. a malformed one). */
export type Ev = Record<string, unknown>;
type Extra<T> = Partial<T> & Ev;

export const site = (line: number, file = '/abs/prog.py', fn = 'main'): WireSite => ({ file, line, function: fn });

export const hello = (extra: Extra<HelloEvent> = {}): HelloEvent => ({
  type: 'hello',
  protocol: 1,
  minor: 0,
  secret: 's3cret',
  runtime: 'trio',
  runtime_version: '0.27.0',
  lens_version: '0.1.0',
  python: '3.11.9',
  pid: 4242,
  argv: ['/abs/prog.py'],
  cwd: '/abs',
  instance: 'abc123',
  ...extra,
});
export const runStarted = (run = 1, extra: Extra<RunStartedEvent> = {}): RunStartedEvent => ({
  type: 'run.started',
  run,
  ts: 0,
  wall: 1_700_000_000_000,
  ...extra,
});
export const runFinished = (
  ts: number,
  outcome: WireOutcome = 'returned',
  extra: Extra<RunFinishedEvent> = {},
  run = 1,
): RunFinishedEvent => ({
  type: 'run.finished',
  run,
  ts,
  outcome,
  ...extra,
});
export const spawned = (
  id: number,
  nursery: number | null,
  name: string,
  ts: number,
  extra: Extra<TaskSpawnedEvent> = {},
  run = 1,
): TaskSpawnedEvent => ({
  type: 'task.spawned',
  run,
  ts,
  id,
  name,
  nursery,
  system: false,
  site: nursery === null ? null : site(10 + id),
  ...extra,
});
export const opened = (
  id: number,
  task: number,
  ts: number,
  extra: Extra<NurseryOpenedEvent> = {},
  run = 1,
): NurseryOpenedEvent => ({
  type: 'nursery.opened',
  run,
  ts,
  id,
  task,
  site: site(20 + id),
  ...extra,
});
export const closed = (id: number, ts: number, run = 1): NurseryClosedEvent => ({
  type: 'nursery.closed',
  run,
  ts,
  id,
});
export const exited = (
  id: number,
  ts: number,
  outcome: WireOutcome = 'returned',
  extra: Extra<TaskExitedEvent> = {},
  run = 1,
): TaskExitedEvent => ({
  type: 'task.exited',
  run,
  ts,
  id,
  outcome,
  ...extra,
});
export const state = (
  id: number,
  ts: number,
  st: TaskStateEvent['state'],
  at?: WireSite | null,
  run = 1,
): TaskStateEvent => ({
  type: 'task.state',
  run,
  ts,
  id,
  state: st,
  ...(at === undefined ? {} : { at }),
});
export const moved = (id: number, nursery: number, ts: number, run = 1): TaskMovedEvent => ({
  type: 'task.moved',
  run,
  ts,
  id,
  nursery,
});
export const scope = (
  id: number,
  task: number,
  ts: number,
  extra: Extra<ScopeChangedEvent> = {},
  run = 1,
): ScopeChangedEvent => ({
  type: 'scope.changed',
  run,
  ts,
  id,
  task,
  deadline: null,
  shield: false,
  cancel_called: false,
  ...extra,
});
export const flagged = (id: number, flag: WireTaskFlag, ts: number, error?: WireError, run = 1): TaskFlaggedEvent => ({
  type: 'task.flagged',
  run,
  ts,
  id,
  flag,
  ...(error ? { error } : {}),
});

/**
 * Trio's usual prologue: the init task (1) with its system nursery (2), and
 * the main task (3) in it. Returns events; the main task is id 3.
 */
export function prologue(run = 1): WireEvent[] {
  return [
    runStarted(run),
    spawned(1, null, '<init>', 0.01, { system: true }, run),
    opened(2, 1, 0.02, { system: true, site: null }, run),
    spawned(3, 2, 'main', 0.03, { main: true }, run),
  ];
}

/**
 * An asyncio run's prologue (protocol 1.2): the main task (1) is a root, as
 * asyncio.run makes it; no init task, no system nursery. The main task is id 1.
 */
export function asyncioPrologue(run = 1, extra: Extra<RunStartedEvent> = {}): WireEvent[] {
  return [
    hello({ minor: 2, runtime: 'asyncio', runtime_version: '3.12.3' }),
    runStarted(run, { library: 'asyncio', library_version: '3.12.3', ...extra }),
    spawned(1, null, 'main', 0.01, { main: true, site: null }, run),
  ];
}

/** An Event wait (`Event e{obj}`), nothing but another task can set it. */
export const event = (obj: number): WireWaits => ({ kind: 'event', obj, label: `Event e${obj}` });
/** Task `id` waiting on `waits` at `ts`. */
export const waiting = (id: number, ts: number, waits: WireWaits): WireEvent => ({
  ...state(id, ts, 'waiting'),
  waits,
});

/** main (3) waits for its nursery 4, whose two workers wait for an Event nobody sets: a hang from 200 ms. */
export function hungEvents(): WireEvent[] {
  return [
    ...prologue(),
    opened(4, 3, 1),
    spawned(5, 4, 'w1', 2),
    spawned(6, 4, 'w2', 3),
    waiting(1, 100, { kind: 'children', obj: 2, label: 'nursery' }),
    waiting(3, 100, { kind: 'children', obj: 4, label: 'nursery' }),
    waiting(5, 100, event(10)),
    waiting(6, 200, event(10)),
  ];
}

/**
 * Task `jobs` (5, in main's nursery 4) opens a task group per job, `count`
 * of them one after another, each with two steps that finish (the first of
 * every tenth raises); the events and the next free ts and id.
 */
export function jobGroups(count: number): { events: WireEvent[]; ts: number; id: number } {
  const events: WireEvent[] = [...prologue(), opened(4, 3, 1), spawned(5, 4, 'jobs', 1.1)];
  let id = 10;
  let ts = 2;
  for (let n = 0; n < count; n++) {
    const nid = id++;
    events.push(opened(nid, 5, ts++));
    for (let k = 0; k < 2; k++) {
      const t = id++;
      events.push(spawned(t, nid, 'step', ts++), exited(t, ts++, n % 10 === 0 && k === 0 ? 'raised' : 'returned'));
    }
    events.push(closed(nid, ts++));
  }
  return { events, ts, id };
}

/**
 * `early` (6) runs one job group (nursery 7, two steps), then waits while
 * `jobs` runs `count` of them (jobGroups): its group is the oldest empty
 * one, the first the store lets go.
 */
export function earlyThenJobs(count: number): WireEvent[] {
  const { events, ts } = jobGroups(count);
  const head = events.findIndex((e) => e.type === 'nursery.opened' && e.id === 4) + 1; // the prologue and main's nursery
  return [
    ...events.slice(0, head),
    spawned(6, 4, 'early', 1.2),
    opened(7, 6, 1.3),
    spawned(8, 7, 'step', 1.4),
    exited(8, 1.5),
    spawned(9, 7, 'step', 1.6),
    exited(9, 1.7),
    closed(7, 1.8),
    ...events.slice(head),
    exited(5, ts),
  ];
}
