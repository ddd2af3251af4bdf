// Wire protocol v1 in TypeScript: one type per event. runtime/protocol/
// events.schema.json is the source of truth; test/unit/protocolDrift.test.ts
// fails when these types, the collector's validator and the schema disagree.
// Part of the contract shared by host and webview: imports nothing.

export const PROTOCOL_MAJOR = 1;
/**
 * The newest minor this reader knows (1.1: snapshots after `dropped`; 1.2: asyncio and AnyIO;
 * 1.3: batch lines, `tasks.spawned` and `tasks.exited`; 1.4: a library's own nurseries and tasks are `system`;
 * 1.5: `run.stopped`, the collector's line in a saved recording).
 */
export const PROTOCOL_MINOR = 6;
/** 1.3: most tasks one batch line names. */
export const MAX_BATCH = 4096;
/** No line is longer than this (bytes, without the newline). */
export const MAX_LINE_BYTES = 1024 * 1024;

export interface WireSite {
  file: string;
  line: number;
  function: string;
}
export interface WireError {
  type: string;
  message: string;
  /** 1.6: where the program raised it (the innermost frame of its own code in the traceback). */
  site?: WireSite | null;
  exceptions?: WireError[];
}
export type WireOutcome = 'returned' | 'raised' | 'cancelled';
/** 1.2: the async library of a run. */
export type WireLibrary = 'trio' | 'asyncio';
export type WireCancelSource = 'deadline' | 'explicit' | 'nursery' | 'interrupt' | 'shutdown' | 'unknown';
/** 1.2: what the user opened (absent: a Trio nursery). */
export type WireNurseryKind = 'nursery' | 'taskgroup' | 'anyio';
/** 1.2: what made a cancel scope (absent: a Trio cancel scope). */
export type WireScopeKind = 'cancel_scope' | 'timeout' | 'wait_for' | 'shield' | 'anyio';
/** 1.2: things found about a task apart from its exit. */
export type WireTaskFlag = 'pending_at_close' | 'exception_never_retrieved';

interface RunEvent {
  run: number;
  ts: number;
}

/** 1.2: what a waiting task waits for (PROTOCOL.md, "What a task waits for"). */
export interface WireWaits {
  /** lock, semaphore, limiter, event, condition, parking_lot, send, receive, sleep, io, thread, start, children, task, future; more may come. */
  kind: string;
  /** The object, an id shared by its waiters; for `children`, the nursery. */
  obj?: number;
  label: string;
  /** Tasks on the other end; absent: not known. */
  holders?: number[];
  /** Run-relative ms when a deadline wakes the task. */
  until?: number;
  /** Something besides a task can wake it (a deadline, I/O, a thread). */
  wakes?: boolean;
  detail?: string;
}
/** What cancelled a task or a scope (1.2 adds scope, site, error). */
export interface WireCause {
  source?: WireCancelSource;
  reason?: string;
  by?: number;
  /** task.exited only: the scope (or nursery) that delivered the cancel. */
  scope?: number;
  /** Where cancel() was called; where the expired scope was entered. */
  site?: WireSite | null;
  /** The exception that made a nursery cancel its children. */
  error?: WireError;
}

export interface HelloEvent {
  type: 'hello';
  protocol: 1;
  minor: number;
  secret?: string;
  runtime: WireLibrary;
  runtime_version: string;
  lens_version: string;
  python: string;
  pid: number;
  argv: string[];
  cwd: string;
  instance: string;
  reconnect?: number;
  /** 1.2: the program's sys.path (absolute), for which source files open without asking. */
  sys_path?: string[];
}
export interface RunStartedEvent extends RunEvent {
  type: 'run.started';
  wall: number;
  resumed?: boolean;
  library?: WireLibrary;
  library_version?: string;
  anyio?: string;
}
export interface RunFinishedEvent extends RunEvent {
  type: 'run.finished';
  outcome: WireOutcome;
  error?: WireError;
}
/** 1.5: written by the collector (never by the runtime) into a saved recording: the run did not finish; its program stopped at `ts`. */
export interface RunStoppedEvent extends RunEvent {
  type: 'run.stopped';
  reason: string;
  session_ended?: boolean;
  /** The program was still running when the recording was saved (it went on): the recording ends here. */
  running?: boolean;
}
export interface TaskSpawnedEvent extends RunEvent {
  type: 'task.spawned';
  id: number;
  name: string;
  nursery: number | null;
  system: boolean;
  main?: boolean;
  site: WireSite | null;
  /** 1.2: the creating task of a loose task (nursery null). */
  parent?: number;
  /** 1.2: where the task's coroutine function is defined. */
  func?: WireSite | null;
  /** 1.2: the library's own name for the task when `name` shows another (asyncio's default `Task-N`). */
  default_name?: string;
}
export interface TaskMovedEvent extends RunEvent {
  type: 'task.moved';
  id: number;
  nursery: number;
}
export interface TaskStateEvent extends RunEvent {
  type: 'task.state';
  id: number;
  state: 'running' | 'scheduled' | 'waiting';
  at?: WireSite | null;
  /** 1.2: the whole await chain, outermost first; absent = unchanged. */
  chain?: WireSite[];
  /** 1.2: what it waits for; absent = unchanged, null = nothing known. */
  waits?: WireWaits | null;
}
export interface TaskExitedEvent extends RunEvent {
  type: 'task.exited';
  id: number;
  outcome: WireOutcome;
  error?: WireError;
  cancel?: WireCause;
}
/**
 * 1.3: the `task.spawned` events of ids `first`, `first + 1`, … (one per
 * `after_us` entry), each at `ts + after_us[i] / 1000`, with this line's other fields.
 */
export interface TasksSpawnedEvent extends Omit<TaskSpawnedEvent, 'type' | 'id'> {
  type: 'tasks.spawned';
  first: number;
  after_us: number[];
  /** asyncio's own name of each task (`Task-N`), one per `after_us` entry: each event's `default_name`. */
  default_names?: string[];
}
/** 1.3: the `task.exited` events of `ids`, each at `ts + after_us[i] / 1000`. */
export interface TasksExitedEvent extends RunEvent {
  type: 'tasks.exited';
  ids: number[];
  after_us: number[];
  outcome: 'returned';
}
export interface TaskFlaggedEvent extends RunEvent {
  type: 'task.flagged';
  id: number;
  flag: WireTaskFlag;
  error?: WireError;
}
/** 1.2: the event loop was held past options.block_ms (reports of one block share `block`; the last has no `ongoing`). */
export interface LoopBlockedEvent extends RunEvent {
  type: 'loop.blocked';
  block: number;
  since: number;
  duration: number;
  ongoing?: boolean;
  task?: number;
  at?: WireSite | null;
}
/** 1.2: what the runtime knows a warning is about. */
export type WireWarningKind = 'never_awaited';
/** 1.2: Python warned on a run's loop thread (a coroutine never awaited). */
export interface WarningEvent extends RunEvent {
  type: 'warning';
  category: string;
  message: string;
  kind?: WireWarningKind;
  site: WireSite | null;
  func?: WireSite | null;
  task?: number;
}
export interface NurseryOpenedEvent extends RunEvent {
  type: 'nursery.opened';
  id: number;
  task: number;
  site: WireSite | null;
  system?: boolean;
  start?: boolean;
  kind?: WireNurseryKind;
}
export interface NurseryClosedEvent extends RunEvent {
  type: 'nursery.closed';
  id: number;
}
export interface ScopeChangedEvent extends RunEvent {
  type: 'scope.changed';
  id: number;
  task: number;
  deadline: number | null;
  shield: boolean;
  cancel_called: boolean;
  reason?: string;
  kind?: WireScopeKind;
  site?: WireSite | null;
  /** 1.2: what user code called to make it (move_on_after, fail_after, timeout…). */
  call?: string;
  /** 1.2: why it was cancelled. */
  cause?: WireCause;
}
export interface ScopeClosedEvent extends RunEvent {
  type: 'scope.closed';
  id: number;
}
export interface DroppedEvent {
  type: 'dropped';
  run?: number;
  ts: number;
  count: number;
  total: number;
}
export interface SnapshotBeginEvent extends RunEvent {
  type: 'snapshot.begin';
}
export interface SnapshotEndEvent extends RunEvent {
  type: 'snapshot.end';
}
/** `run` (1.2): that run only is no longer observed; absent: the whole process. */
export interface RuntimeDisabledEvent {
  type: 'runtime.disabled';
  reason: string;
  run?: number;
  ts?: number;
}

export type WireEvent =
  | HelloEvent
  | RunStartedEvent
  | RunFinishedEvent
  | RunStoppedEvent
  | TaskSpawnedEvent
  | TaskMovedEvent
  | TaskStateEvent
  | TaskExitedEvent
  | TaskFlaggedEvent
  | LoopBlockedEvent
  | WarningEvent
  | NurseryOpenedEvent
  | NurseryClosedEvent
  | ScopeChangedEvent
  | ScopeClosedEvent
  | DroppedEvent
  | SnapshotBeginEvent
  | SnapshotEndEvent
  | RuntimeDisabledEvent;
export type WireEventType = WireEvent['type'];
/** 1.3: a line standing for several events (readers expand it: extension/collector/batches.ts). */
export type WireBatch = TasksSpawnedEvent | TasksExitedEvent;
/** What one line may hold. */
export type WireLine = WireEvent | WireBatch;
export type WireLineType = WireLine['type'];
