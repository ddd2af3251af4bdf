// One run's store: its tree, built from validated wire events, and what the
// panel reads of it. This is the only place that interprets events (the
// webview mirrors the rows it hands out). Pure: no `vscode`, no I/O, no
// timers, so it is tested and benchmarked in plain Node. The rooms:
// taskEvents / nurseryEvents / scopeEvents / runEvents reduce each event
// family; runTree holds the rows and their indexes, retention folds finished
// tasks, deltaLog keeps what changed for the panel, runFacts the run's header,
// runLints what is worth a warning (issue #17).
import type { Row, RunInfo, RunStatus, TaskRow } from '../../contract/rows';
import type { RunStoppedEvent, WireEvent } from '../../contract/wire';
import type { Delta } from './deltaLog';
import type { Entry } from './rowEntries';
import { NurseryEvents } from './nurseryEvents';
import { Retention } from './retention';
import { RunEvents } from './runEvents';
import { DISCONNECTED_EARLY, RunFacts } from './runFacts';
import { RunLints, type Lint, type LintSettings } from './runLints';
import type { ReportedFiles } from './reportedFiles';
import { RunTree } from './runTree';
import { ScopeEvents } from './scopeEvents';
import { TaskEvents } from './taskEvents';
import { REFUSED, type Refusal } from './refusals';
import { clip, MAX_TEXT } from './rowEntries';
import { RunHistory, type HistoryOptions } from './runHistory';
import { deltaBetween } from './rowDiff';
import { Verdicts } from './verdicts';
import type { Verdict } from '../../contract/rows';

/** A saved recording's end for a run whose program went on. */
const SAVED_RUNNING = 'The recording was saved while the program was still running.';

export interface RunStateOptions {
  /** Finished tasks kept as rows; older ones are folded into RetiredRows. Default DEFAULT_RETAIN_FINISHED. */
  retainFinished?: number;
  /** Keep the run's history (runHistory.ts), with these options; default yes. */
  history?: boolean | HistoryOptions;
}

/** The rooms of a copied state (history). */
interface Rooms {
  tree: RunTree;
  facts: RunFacts;
  retention: Retention;
  /** Copied onto `tree` (the copy's own). */
  verdicts: Verdicts;
}

/** Finished tasks kept visible per run unless the user's setting says otherwise (its default in package.json is this; a test holds them equal). */
export const DEFAULT_RETAIN_FINISHED = 2000;

/** A WireEvent type no case handles: compiling fails until one does. Ignored at run time. */
function unhandled(_event: never): void {}

export class RunState {
  readonly key: string;
  label: string;
  private readonly tree: RunTree;
  private readonly facts: RunFacts;
  private readonly retention: Retention;
  /** Every event taken and checkpoints of this state (null for a copy: a past moment records nothing). */
  readonly history: RunHistory | null;
  private readonly tasks: TaskEvents;
  private readonly nurseries: NurseryEvents;
  private readonly scopes: ScopeEvents;
  private readonly run: RunEvents;
  private readonly lintRoom: RunLints;
  private readonly verdicts: Verdicts;

  constructor(key: string, label: string, options: RunStateOptions = {}, rooms?: Rooms) {
    this.key = key;
    this.label = label;
    const r = options.retainFinished;
    const retainFinished = typeof r === 'number' && r >= 0 ? Math.floor(r) : DEFAULT_RETAIN_FINISHED;
    this.tree = rooms?.tree ?? new RunTree();
    this.facts = rooms?.facts ?? new RunFacts();
    this.retention = rooms?.retention ?? new Retention(this.tree, this.facts, retainFinished);
    const h = options.history ?? true;
    this.history = h === false ? null : new RunHistory(h === true ? {} : h);
    const verdictChanged = () => {
      this.facts.verdict = this.verdicts.verdict;
      this.facts.changed = true;
    };
    this.verdicts = rooms?.verdicts?.copy(this.tree, verdictChanged) ?? new Verdicts(this.tree, verdictChanged);
    this.tasks = new TaskEvents(this.tree, this.facts, this.retention, this.verdicts);
    this.nurseries = new NurseryEvents(this.tree, this.retention);
    this.scopes = new ScopeEvents(this.tree);
    this.run = new RunEvents(this.tree, this.facts, this.retention, this.tasks, this.nurseries);
    this.lintRoom = new RunLints(this.tree, this.facts);
  }

  /**
   * One validated event (the collector's checkEvent vouches for its fields).
   * Returns why it was refused, when it was (it would break the tree, or its
   * run is over); the run's problems say so too.
   */
  apply(ev: WireEvent): Refusal | void {
    if (this.history !== null) this.history.record(ev, this, this.tree.aboutSystem(ev));
    const { type } = ev; // read once: a load from many kinds of object is not cheap
    if (this.facts.ended) return this.refused(this.afterEnd(type));
    if (type !== 'hello') {
      const ts = ev.ts;
      this.facts.saw(ts);
      // A deadlock or hang is looked for before the event changes anything (see verdicts.ts).
      if (ts !== undefined && ts >= this.verdicts.nextLook) this.look(ts, type);
    }
    // One switch here, not in a method of its own: this is the hottest call of ingestion.
    switch (type) {
      case 'task.state':
        return this.tasks.state(ev);
      case 'task.spawned':
        return this.refused(this.tasks.spawned(ev));
      case 'task.exited':
        return this.refused(this.tasks.exited(ev));
      case 'task.moved':
        return this.refused(this.tasks.moved(ev));
      case 'task.flagged':
        return this.tasks.flagged(ev);
      case 'loop.blocked':
        return this.lintRoom.events.blocked(ev);
      case 'warning':
        return this.lintRoom.events.warning(ev);
      case 'nursery.opened':
        return this.refused(this.nurseries.opened(ev));
      case 'nursery.closed':
        return this.nurseries.closed(ev);
      case 'scope.changed':
        return this.refused(this.scopes.changed(ev));
      case 'scope.closed':
        return this.scopes.closed(ev);
      case 'hello':
        return this.run.hello(ev);
      case 'run.started':
        return this.run.started(ev);
      case 'run.finished':
        this.lintRoom.events.runEnded();
        this.verdicts.look(ev.ts, true); // the run's last word on a deadlock or hang it had
        return this.run.finished(ev);
      case 'run.stopped':
        return this.refused(this.recordedStop(ev));
      case 'dropped':
        return this.run.dropped(ev);
      case 'runtime.disabled':
        return this.run.runtimeDisabled(ev);
      case 'snapshot.begin':
        return this.run.snapshotBegin();
      case 'snapshot.end':
        return this.run.snapshotEnd(ev);
      default:
        return unhandled(ev);
    }
  }

  /**
   * A structural copy with no history and no pending changes: a checkpoint,
   * or a past moment to replay onto (runHistory.ts).
   */
  copy(): RunState {
    const tree = this.tree.copy();
    const facts = this.facts.copy();
    const retention = this.retention.copy(this.tree, tree, facts);
    return new RunState(
      this.key,
      this.label,
      { retainFinished: retention.retainFinished, history: false },
      { tree, facts, retention, verdicts: this.verdicts },
    );
  }

  /** Each row changed since the last look, as stored (read, never keep or change it); pending changes are forgotten. */
  drainChanges(visit: (row: Entry) => void): void {
    this.tree.changes.drain(visit);
  }

  /** Every row as stored (read, never keep or change them). */
  rowsAsStored(): Iterable<Entry> {
    return this.tree.entries();
  }

  /** The newest ts the run has seen. */
  get now(): number {
    return this.facts.now;
  }

  /** Events the runtime said it dropped, in all. */
  get dropped(): number {
    return this.facts.dropped;
  }

  /** Rows held (tasks, nurseries, retired counts). */
  get rowCount(): number {
    return this.tree.size;
  }

  /** What differs in this state from `old`'s (another moment of the same run), as a delta; every row counts as seen after. */
  deltaFrom(old: RunState): Delta {
    return deltaBetween(old.tree, this.tree);
  }

  private look(ts: number, type: WireEvent['type']): void {
    // A snapshot after lost lines rebuilds the tree: nothing held still across it.
    if (type !== 'snapshot.begin' && type !== 'run.started') this.verdicts.look(ts);
  }

  /**
   * Looks for a deadlock or hang now (the host calls this on a timer: a stuck
   * program sends nothing). `hostNow`: epoch ms, turned into run time with
   * the run's clock. True when the verdict changed.
   */
  judge(hostNow: number = Date.now()): boolean {
    return this.judgeAt(this.facts.runNow(hostNow));
  }

  /** The run's time at host time `hostNow` (epoch ms): its newest event, plus the time since it came while live. */
  nowAt(hostNow: number): number {
    return this.facts.runNow(hostNow);
  }

  /** judge() at run time `at`; logged at `at`, so a replay of the history looks where and when the host did. */
  judgeAt(at: number): boolean {
    this.history?.record({ mark: 'judged', ts: at }, this);
    const changed = this.verdicts.look(at, true);
    if (changed) this.history?.lookChanged(); // a moment worth a step of the time cursor
    return changed;
  }

  /**
   * The verdict a look at run time `at` would give, leaving this state as it
   * is: a recording's past moment (the host's looks while it ran were not saved).
   */
  verdictAt(at: number): Verdict | undefined {
    const v = this.verdicts.copy(this.tree, () => undefined);
    v.look(at, true);
    return v.verdict;
  }

  /** A verdict claimed since the last call (each is told once). */
  takeVerdictNews(): Verdict | undefined {
    const v = this.verdicts.news;
    this.verdicts.news = undefined;
    return v;
  }

  /** `why`, said once in the run's problems (undefined: nothing was refused). */
  private refused(why: Refusal | undefined): Refusal | undefined {
    if (why) this.facts.addProblem(`${why[0].toUpperCase()}${why.slice(1)}.`);
    return why;
  }

  /** After run.finished nothing revives the run; what the whole process hears (a hello again, drops, the runtime stopping) is quietly not its concern. */
  private afterEnd(type: WireEvent['type']): Refusal | undefined {
    if (type === 'hello' || type === 'dropped' || type === 'runtime.disabled') return undefined;
    return REFUSED.afterFinish;
  }

  /** Files named in sites: the only files the panel may open for this run (bounded, newest kept). */
  get reportedFiles(): ReportedFiles {
    return this.tree.reportedFiles;
  }

  /** Full snapshot: nurseries and tasks in id order (parents before children), retired rows last. */
  rows(): Row[] {
    return this.tree.rows();
  }

  /**
   * The run's lints now (host time `hostNow`, epoch ms) and whether they
   * changed since the last call; rows whose marks changed go out with the
   * next delta.
   */
  lints(settings: LintSettings, hostNow: number): { lints: Lint[]; changed: boolean } {
    return this.lintRoom.evaluate(settings, this.facts.runNow(hostNow));
  }

  /** The task rows as stored (read only): for counts by line in the editor. */
  taskRows(): IterableIterator<TaskRow> {
    return this.tree.tasks.values();
  }

  /** Copies of what changed since the last delta or snapshot; null when nothing did. */
  takeDelta(): Delta | null {
    return this.tree.changes.take((id) => this.tree.row(id) !== undefined);
  }

  /** Drops pending changes (nobody is watching this run; a snapshot follows when someone does). */
  discardDelta(): void {
    this.tree.changes.discard();
  }

  /** True when info() changed since the last call of takeInfoChanged(). */
  takeInfoChanged(): boolean {
    return this.facts.takeChanged();
  }

  info(): RunInfo {
    return this.facts.info(this.key, this.label);
  }

  get currentStatus(): RunStatus {
    return this.facts.status;
  }

  /**
   * The program's connection ended before run.finished: keep what we know, say so.
   * The run ends now (host time `hostNow`), not at its last event: a program stuck
   * for 20 s sent nothing in that time, and its waits lasted until it stopped.
   */
  markDisconnected(reason: string, hostNow: number = Date.now()): void {
    if (this.facts.status !== 'live') return this.disconnected(reason);
    const at = this.facts.runNow(hostNow);
    this.judgeAt(at); // a program killed while stuck: what held until now
    this.disconnected(reason, at);
  }

  /**
   * markDisconnected's change itself, as the history replays it (the look
   * before it is logged on its own); also a recording's `run.stopped`.
   */
  disconnected(reason: string, at?: number): void {
    this.tree.snapshotSeen = null; // a snapshot cut short by the disconnect proves nothing
    // A finished run's connection closing is no news: not a moment of its history ("the connection was lost").
    const f = this.facts;
    if (f.ended || f.stopped || (f.status !== 'live' && f.status !== 'recording')) return;
    this.history?.record(
      at === undefined ? { mark: 'disconnected', reason } : { mark: 'disconnected', reason, ts: at },
      this,
    );
    f.saw(at);
    f.stopped = { at: f.lastSeen, reason };
    if (f.status === 'live') f.status = 'disconnected';
    f.changed = true;
    this.lintRoom.events.runEnded();
    f.addProblem(reason);
  }

  /**
   * A saved recording's `run.stopped` (the collector's line, never the
   * program's): the run ends where its program stopped, and what held until
   * then held until the end. A live connection's is refused.
   */
  private recordedStop(e: RunStoppedEvent): Refusal | undefined {
    const f = this.facts;
    if (f.status !== 'recording') return REFUSED.collectorsLine;
    this.judgeAt(e.ts);
    if (e.running) {
      // Saved while it ran on: the recording ends here (the line's own ts), nothing was lost.
      if (!f.ended && !f.stopped) f.stopped = { at: e.ts, reason: clip(e.reason, MAX_TEXT), running: true };
      f.changed = true;
      return undefined;
    }
    this.disconnected(clip(e.reason, MAX_TEXT), e.ts);
    if (e.session_ended) this.sessionEnded();
    return undefined;
  }

  /**
   * The `run.stopped` line a saved recording ends this run with (run number
   * `run` of its program), if it did not finish: where it stopped, or, still
   * running, the moment of the save (host time `hostNow`).
   */
  stoppedLine(run: number, hostNow: number = Date.now()): string | undefined {
    const f = this.facts;
    if (f.ended) return undefined;
    const stop = f.stopped;
    let e: RunStoppedEvent;
    if (stop) {
      e = { type: 'run.stopped', run, ts: stop.at, reason: stop.reason };
      if (f.sessionEnded) e.session_ended = true;
      if (stop.running) e.running = true;
    } else if (f.status === 'live' && f.wall > 0) {
      // (a run that has started: its run.started gave the wall clock)
      e = { type: 'run.stopped', run, ts: f.runNow(hostNow), reason: SAVED_RUNNING, running: true };
    } else return undefined;
    return JSON.stringify(e);
  }

  /**
   * Its debug session ended while the run had not finished (the connection
   * drops with it, before or after): a neutral end, not a lost connection.
   */
  sessionEnded(): void {
    if (!this.facts.stopped || this.facts.sessionEnded) return;
    this.history?.record({ mark: 'session ended' }, this);
    this.facts.sessionEnded = true;
    this.facts.removeProblem(DISCONNECTED_EARLY);
    this.facts.changed = true;
  }

  /** A replayed recording: its status never turns live/finished. */
  markRecording(): void {
    this.history?.record({ mark: 'recording' }, this);
    this.facts.status = 'recording';
    this.facts.changed = true;
  }

  addProblem(message: string): void {
    this.history?.record({ mark: 'problem', message }, this);
    this.facts.addProblem(message);
  }
}
