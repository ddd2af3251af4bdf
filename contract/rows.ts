// The store's view of one run, as flat rows keyed by id. The host's store
// produces these; the webview mirrors them in a Map<id, Row> by applying
// snapshots and deltas, and builds its hierarchy from `parent` links. Neither
// side interprets wire events twice: the reducer is the only place that does.
// No `vscode` import here: the webview bundles this module too.

import type { WireCancelSource, WireLibrary, WireNurseryKind, WireScopeKind, WireTaskFlag } from './wire';

/** A source location, as on the wire. */
export interface Site {
  file: string;
  line: number;
  function: string;
}

export interface ErrorInfo {
  type: string;
  message: string;
  /** Where the program raised it (protocol 1.6). */
  site?: Site;
  exceptions?: ErrorInfo[];
}

export type LiveState = 'running' | 'scheduled' | 'waiting';
export type Outcome = 'returned' | 'raised' | 'cancelled';
/** `lost`: the task was live when the collector lost contact and never reported back. */
export type TaskState = LiveState | Outcome | 'lost';

/** What cancelled a task or a scope (protocol 1.2's cause), as far as known. */
export interface CauseInfo {
  source?: WireCancelSource;
  reason?: string;
  /** The task whose failure or cancel() call caused it. */
  by?: number;
  /** Where cancel() was called, or where the expired scope was entered. */
  site?: Site;
  /** The exception that made a nursery cancel its children. */
  error?: ErrorInfo;
}

/** What a waiting task waits for (protocol 1.2's task.state.waits). */
export interface WaitInfo {
  /** lock, semaphore, limiter, event, condition, parking_lot, send, receive, sleep, io, thread, start, children, task, future, or a kind a later runtime adds. */
  kind: string;
  /** The object waited on, shared by its waiters; for `children`, the nursery. */
  obj?: number;
  /** The object in words: `Lock lock_a`, `trio.sleep`, `socket`. */
  label: string;
  /** Tasks on the other end (a Lock's owner, a limiter's borrowers); absent: not known. */
  holders?: number[];
  /** Run-relative ms when a deadline wakes the task. */
  until?: number;
  /** Something besides a task can wake it: a deadline, I/O, a thread. */
  wakes?: true;
  detail?: string;
}

/** How a wait's holders relate to its object: `held by`, `borrowed by`… (the panel and the tree as text say the same). */
function holdersWord(w: WaitInfo): string {
  switch (w.kind) {
    case 'limiter':
      return 'borrowed by';
    case 'semaphore':
      return 'taken by';
    case 'start':
      return 'started by';
    case 'task':
      return ''; // `task other: clerk`: the task awaited is the holder
    case 'future':
      return 'done by';
    case 'children':
      return 'of';
    default:
      return 'held by';
  }
}

/**
 * The label already names the one holder: an awaited asyncio task's wait,
 * labelled with that task's own name (`task warm cache`), is not followed by
 * the name again (`task warm cache: warm cache`). Older recordings name the
 * variable (`task warmer`): then the holder follows (`task warmer: warm cache`).
 */
export function labelNamesHolder(w: WaitInfo, holderNames: readonly string[]): boolean {
  return w.kind === 'task' && holderNames.length === 1 && w.label === `task ${holderNames[0]}`;
}

/** What goes between a wait's label and its holders' names: ` held by `…, or `: ` (`task other: clerk`). */
export function holdersJoint(w: WaitInfo): string {
  const word = holdersWord(w);
  return word ? ` ${word} ` : ': ';
}

/** A task named in a verdict, with what it waits for. */
export interface VerdictTask {
  id: number;
  name: string;
  waits: WaitInfo;
  /** Deadlock: the tasks in the deadlock it waits for (its edges in the cycle). */
  on: number[];
}

/**
 * The store's finding about a whole run (issue #15): a deadlock (a cycle of
 * tasks each waiting for another, nothing else able to wake them) or a hang
 * (every user task waiting, nothing able to wake any). Claimed only once the
 * situation held still for a while (see the store's verdicts.ts).
 */
export interface Verdict {
  kind: 'deadlock' | 'hang';
  /** The tasks of the cycle (deadlock) or the waiting user tasks (hang), at most MAX_VERDICT_TASKS. */
  tasks: VerdictTask[];
  /** Deadlock: tasks stuck behind the cycle (waiting on a task in it, directly or not), at most MAX_VERDICT_TASKS. */
  behind: VerdictTask[];
  /** How many tasks each list had before it was cut. */
  taskCount: number;
  behindCount: number;
  /** Run-relative ms: since when nothing in it changed; when it was claimed; when things moved again (if they did). */
  since: number;
  confirmedAt: number;
  endedAt?: number;
}

/** Most tasks a verdict lists by name (the rest are counted): it travels with every run header. */
export const MAX_VERDICT_TASKS = 20;

export interface ScopeInfo {
  id: number;
  /** Run-relative ms, or null for no deadline. */
  deadline: number | null;
  shield: boolean;
  cancelCalled: boolean;
  reason?: string;
  /** What made the scope (protocol 1.2); absent = a Trio cancel scope. */
  kind?: WireScopeKind;
  /** Where the scope was entered in user code, when known. */
  site?: Site;
  /** What user code called to make it (move_on_after, fail_after, timeout…), when known. */
  call?: string;
  /** Why it was cancelled, when known. */
  cause?: CauseInfo;
}

/**
 * A structured-concurrency lint (issue #17): the event loop held, a start()
 * never started, a runaway nursery, a loose task that outlived its maker, a
 * task pending when its loop closed, an exception nobody retrieved, a
 * coroutine never awaited.
 */
export type LintCode =
  | 'loop-blocked'
  | 'start-not-started'
  | 'runaway-nursery'
  | 'outlived-maker'
  | 'pending-at-close'
  | 'exception-never-retrieved'
  | 'never-awaited';

/** A lint on a row, with the words the panel shows for it (plain text). */
export interface LintMark {
  code: LintCode;
  /** A few words beside the node: `blocked the loop 420 ms`. */
  badge: string;
  /** A sentence for the details and the hover card. */
  sentence: string;
}

export interface TaskRow {
  kind: 'task';
  /** Wire id; unique within the run across tasks, nurseries and scopes. */
  id: number;
  /**
   * The nursery (task group) the task belongs to; for a loose task (`loose`)
   * the task that made it. null for a root: Trio's init task, an asyncio run's
   * main task, a loose task whose maker is not known.
   */
  parent: number | null;
  /** Made outside any task group (asyncio.create_task, ensure_future, gather…): owned by none. */
  loose?: true;
  name: string;
  /** The library's own name when `name` shows another: asyncio's default `Task-N` (protocol 1.2 `default_name`). */
  defaultName?: string;
  system: boolean;
  main: boolean;
  state: TaskState;
  /** Run-relative ms when `state` last changed; while waiting, when its present wait began (its `waits`, or its await site, changed). */
  since: number;
  spawnedAt: number;
  exitedAt?: number;
  /** Where start_soon/start was called. */
  site: Site | null;
  /** Where the task's function is defined (protocol 1.2); absent = not known. Same func + site = same kind of task. */
  func?: Site;
  /** Innermost user frame of the await chain at the last sample. */
  awaitSite: Site | null;
  /** The whole await chain at the last sample that carried one (protocol 1.2), outermost first, library frames included. */
  chain?: Site[];
  error?: ErrorInfo;
  /** For cancelled tasks: the task whose failure (or cancel call) caused it, when known or inferred. */
  cancelledBy?: number;
  cancelSource?: WireCancelSource;
  cancelReason?: string;
  /** The scope (or the nursery whose scope it was) that cancelled it, when known. */
  cancelScope?: number;
  /** Where the cancel came from: the cancel() call, the expired scope's entry. */
  cancelSite?: Site;
  /** The exception that made the nursery cancel it. */
  cancelError?: ErrorInfo;
  /** What it waits for, while waiting (protocol 1.2). */
  waits?: WaitInfo;
  /** Cancel scopes entered in this task that have a deadline, a shield or a cancel. Outer first. */
  scopes: ScopeInfo[];
  /** True while the task waits in `nursery.start()`'s temporary nursery. */
  starting?: boolean;
  /** What the runtime found about the task apart from its exit (protocol 1.2), in arrival order. */
  flags?: WireTaskFlag[];
  /** The exception of an `exception_never_retrieved` flag. */
  unretrieved?: ErrorInfo;
  /** Lints on this task (the store's, at most a few times a second); absent = none. */
  lints?: LintMark[];
  /**
   * Closed task groups below this task (its own, and those of its finished
   * children that folded into them) let go to keep memory bounded, with the
   * finished tasks they held; absent = none. Its collapsed count keeps them.
   */
  folded?: FoldedCounts;
}

/** Finished tasks folded away (by how they ended), and the task groups that went with them. */
export interface FoldedCounts {
  count: number;
  byOutcome: Record<Outcome | 'lost', number>;
  nurseries: number;
}

export interface NurseryRow {
  kind: 'nursery';
  id: number;
  /** Owner task id. */
  parent: number;
  site: Site | null;
  openedAt: number;
  closedAt?: number;
  system: boolean;
  /** The temporary nursery of a `nursery.start()` call. */
  start: boolean;
  /** What the user opened (protocol 1.2): an asyncio TaskGroup, an AnyIO task group; absent = a Trio nursery. */
  groupKind?: Exclude<WireNurseryKind, 'nursery'>;
  /** Lints on this task group (a runaway nursery); absent = none. */
  lints?: LintMark[];
}

/**
 * Finished tasks folded away by retention: one row per nursery (or, for loose
 * tasks, per task that made them) that lost children to it. Its id is the
 * negative of its parent's id, so it never collides with a wire id.
 */
export interface RetiredRow {
  kind: 'retired';
  id: number;
  parent: number;
  count: number;
  byOutcome: Record<Outcome | 'lost', number>;
  /** Task groups folded away with these tasks (those the tasks opened); absent = none. */
  nurseries?: number;
}

export type Row = TaskRow | NurseryRow | RetiredRow;

export type RunStatus = 'live' | 'finished' | 'disconnected' | 'recording';

export interface RunInfo {
  /** Store key of the run, unique in the extension host (e.g. "c3.r1"). */
  key: string;
  /** Human name: the debug session's name, or the script's file name. */
  label: string;
  status: RunStatus;
  runtime: string;
  runtimeVersion: string;
  /** The async library running this run (protocol 1.2's run.started); absent = Trio. */
  library?: WireLibrary;
  libraryVersion?: string;
  /** AnyIO's version when the run was started through AnyIO. */
  anyio?: string;
  pid?: number;
  argv: string[];
  cwd?: string;
  /** Unix epoch ms at run start. */
  wall: number;
  /** A clock pair for countdowns: run-relative `ts` observed at host time `hostWall` (epoch ms). */
  clock: { ts: number; hostWall: number };
  outcome?: Outcome;
  error?: ErrorInfo;
  /** Events the runtime reported dropped. */
  dropped: number;
  liveTasks: number;
  totalTasks: number;
  /** Of liveTasks and totalTasks, the library's own tasks (`system`), which the panel hides unless asked. */
  systemLive: number;
  systemTotal: number;
  /** Finished tasks folded into RetiredRows. */
  retired: number;
  /** Problems worth showing (protocol errors, lost connection). */
  problems: string[];
  /** The run did not finish: its program stopped (or its connection ended) at this run time; a recording's `run.stopped` says it too. */
  stoppedAt?: number;
  /** A recording saved while its program was still running (it went on): it ends at `stoppedAt`, the save. */
  savedRunning?: true;
  /** Disconnected as its debug session ended (Stop, or the program exited under the debugger): no lost connection to warn of. */
  sessionEnded?: true;
  /** A past moment of the run (run-relative ms): these are its rows and counts then. Absent: now. */
  at?: number;
  /** A deadlock or hang the store found (the last one, with `endedAt` once things moved again). */
  verdict?: Verdict;
}

/**
 * A run's state in one word, the same in the run picker and the status bar's
 * tooltip: a run whose debug session ended first (Stop) is "stopped", not
 * "disconnected" (its program did not lose the connection: it was stopped).
 */
export function runStatusWord(r: Pick<RunInfo, 'status' | 'sessionEnded'>): string {
  return r.status === 'disconnected' && r.sessionEnded ? 'stopped' : r.status;
}
