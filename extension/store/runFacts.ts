// What a run's header says (RunInfo without its rows): its status, what the
// program's hello told, the run's start and end, a clock pair for countdowns,
// counts and problems, and whether any of it changed since the panel looked.
import type { ErrorInfo, Outcome, RunInfo, RunStatus, Verdict } from '../../contract/rows';
import type { WireLibrary } from '../../contract/wire';

const MAX_PROBLEMS = 20;

/** The problem a run's lost connection adds (a program that ended before its run did). */
export const DISCONNECTED_EARLY = 'The program disconnected before its run finished.';

export class RunFacts {
  status: RunStatus = 'live';
  runtime = 'trio';
  runtimeVersion = '';
  /** The run's library (run.started; absent there = Trio), its version, AnyIO's when started through it. */
  library: WireLibrary = 'trio';
  libraryVersion: string | undefined;
  anyio: string | undefined;
  pid: number | undefined;
  argv: string[] = [];
  cwd: string | undefined;
  /** Unix epoch ms at run start. */
  wall = 0;
  outcome: Outcome | undefined;
  error: ErrorInfo | undefined;
  dropped = 0;
  liveTasks = 0;
  totalTasks = 0;
  /** Of those, the library's own (`system`): the panel hides them by default, so its counts leave them out. */
  systemLive = 0;
  systemTotal = 0;
  retired = 0;
  /** run.finished came: later events of the run are refused. */
  ended = false;
  /** Lines were dropped and no snapshot has healed the tree since. */
  linesLost = false;
  /** info() changed since the last takeChanged(). */
  changed = true;
  /** The deadlock or hang found in the run (verdicts.ts). */
  verdict: Verdict | undefined;
  private readonly problems: string[] = [];
  /** The newest run-relative ts seen. */
  private lastTs = 0;
  private clockTs = 0;
  private clockWall = 0;
  private clockTick = 0;

  /** An event's timestamp. */
  saw(ts: number | undefined): void {
    if (ts === undefined || ts <= this.lastTs) return;
    this.lastTs = ts;
    // The clock pair (ts seen at host time) is refreshed every few events: Date.now() per event shows in profiles.
    if ((++this.clockTick & 63) === 0) this.stampClock();
  }

  /** The newest run-relative ts seen. */
  get lastSeen(): number {
    return this.lastTs;
  }

  /** The run's time at host time `hostNow` (epoch ms): the newest ts, plus the time since it came while live. */
  runNow(hostNow: number): number {
    if (this.status !== 'live') return this.lastTs;
    if (this.clockTs !== this.lastTs || this.clockWall === 0) this.stampClock();
    return this.clockTs + Math.max(0, hostNow - this.clockWall);
  }

  /** Pairs the newest ts with the host's time now. */
  stampClock(): void {
    this.clockTs = this.lastTs;
    this.clockWall = Date.now();
  }

  /** An own copy (history: a checkpoint, or a past moment). */
  copy(): RunFacts {
    return Object.assign(new RunFacts(), this, { argv: [...this.argv], problems: [...this.problems] });
  }

  /** The newest run-relative ts seen. */
  get now(): number {
    return this.lastTs;
  }

  /** A task was announced. */
  taskBegan(system: boolean): void {
    this.liveTasks++;
    this.totalTasks++;
    if (system) {
      this.systemLive++;
      this.systemTotal++;
    }
    this.changed = true;
  }

  /** A task stopped counting as live (it ended, was lost, or its loop closed under it). */
  taskLeft(system: boolean): void {
    this.liveTasks--;
    if (system) this.systemLive--;
    this.changed = true;
  }

  /** The run's debug session ended: the run was cut short by it, not by a lost connection. */
  sessionEnded = false;
  /** The run did not finish: its program stopped at this run time, for this reason (a saved recording says so too). */
  stopped: { at: number; reason: string; running?: true } | undefined;

  removeProblem(message: string): void {
    const i = this.problems.indexOf(message);
    if (i < 0) return;
    this.problems.splice(i, 1);
    this.changed = true;
  }

  addProblem(message: string): void {
    if (this.problems.includes(message)) return;
    if (this.problems.length >= MAX_PROBLEMS) this.problems.shift();
    this.problems.push(message);
    this.changed = true;
  }

  takeChanged(): boolean {
    const d = this.changed;
    this.changed = false;
    return d;
  }

  info(key: string, label: string): RunInfo {
    // (Also once it is over: its frozen time is the newest ts, which a recording cut short may not have stamped.)
    if (this.clockTs !== this.lastTs) this.stampClock();
    const info: RunInfo = {
      key,
      label,
      status: this.status,
      runtime: this.runtime,
      runtimeVersion: this.runtimeVersion,
      library: this.library,
      argv: [...this.argv],
      wall: this.wall,
      clock: { ts: this.clockTs, hostWall: this.clockWall || Date.now() },
      dropped: this.dropped,
      liveTasks: this.liveTasks,
      totalTasks: this.totalTasks,
      systemLive: this.systemLive,
      systemTotal: this.systemTotal,
      retired: this.retired,
      problems: [...this.problems],
    };
    const version = this.libraryVersion ?? (this.runtime === this.library ? this.runtimeVersion : undefined);
    if (version) info.libraryVersion = version;
    if (this.anyio !== undefined) info.anyio = this.anyio;
    if (this.pid !== undefined) info.pid = this.pid;
    if (this.cwd !== undefined) info.cwd = this.cwd;
    if (this.outcome) info.outcome = this.outcome;
    if (this.verdict) info.verdict = this.verdict;
    if (this.sessionEnded) info.sessionEnded = true;
    if (this.stopped) info.stoppedAt = this.stopped.at;
    if (this.stopped?.running) info.savedRunning = true;
    if (this.error) info.error = this.error;
    return info;
  }
}
