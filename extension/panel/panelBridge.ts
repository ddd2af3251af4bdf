// The host side of the panel's message protocol (messages.ts), without
// vscode: it answers `ready` with the run list and a snapshot of the selected
// run, then sends that run's changes as batched deltas and the run list when
// it changes (rowsFeed.ts: when, and paced by the page's drawing). Which run is selected
// lives here too; however many runs are added or selected in one turn (a
// recording of many programs), the panel gets one run list and one snapshot.
// The vscode panel only moves messages in and out.
import type { HostMessage, ImageFormat, PanelCommand, WebviewMessage } from '../../contract/messages';
import type { RunEntry, RunStore } from '../store/runStore';
import type { ProgramPaths } from '../collector/connection';
import { messageOf } from '../errorMessage';
import { TimeTravel } from './timeTravel';
import { EXPORT_TIMEOUT_MS, PictureRequests } from './pictureRequests';
import { DELTA_INTERVAL_MS, RowsFeed } from './rowsFeed';
import type { LintSwitches } from '../store/timelineQuery';
import type { DebugMarks, TaskFocus, TaskRef } from './taskFocus';

export interface BridgeDeps {
  post(message: HostMessage): void;
  /**
   * Opens an absolute file a run reported, at a 1-based line; `programs` are
   * the live programs that reported it (their folders open without asking).
   * Resolves to an error message, or undefined.
   */
  openSite(file: string, line: number, programs: ProgramPaths[]): Promise<string | undefined>;
  /** Where a live run's program runs (none for recordings: a file's hello vouches for nothing). */
  programPaths?(entry: RunEntry): ProgramPaths | undefined;
  runCommand(command: PanelCommand): void;
  log?: { warn(message: string): void };
  /** The selected run changed (its label, or null): e.g. for the panel's title. */
  selected?(label: string | null): void;
  /** Where an opened recording shows first (the nurseryLens.recordingsOpenAt setting); default its start. */
  recordingsOpenAt?(): 'start' | 'end';
  /** The selected run changed (its key, or null): e.g. for the Tasks view. */
  selectedRun?(key: string | null): void;
  /** The task selection shared with the Tasks view and the debugger. */
  focus?: TaskFocus;
  /** The lint settings (the timeline leaves out the marks of lints switched off). */
  lintSettings?(): LintSwitches;
  /** The host's clock (epoch ms) for the debugger's pause moment; tests fix it. */
  now?(): number;
}

export { DELTA_INTERVAL_MS };

const COMMANDS = new Set<string>([
  'runFile',
  'openRecording',
  'clearFinished',
  'copyText',
  'exportSvg',
  'exportPng',
  'exportTrace',
] satisfies PanelCommand[]);
/** Tasks one pick names at most (a hint counts more, the panel marks these). */
const MAX_PICKED = 500;

export class PanelBridge {
  private attached = false;
  private selected: string | null = null;
  private pendingLaunch: string | null = null;
  /** The selection changed: the run list and the selected run's snapshot are owed to the panel. */
  private snapshotDue = false;
  private showQueued = false;
  /** A selection made outside the panel (Tasks view, debugger) it has not shown yet: sent after its next snapshot. */
  private hostSelection: TaskRef | null = null;
  private readonly subscriptions: Array<{ dispose(): void }>;
  /** The time cursor and the timeline (past moments beside the live path). */
  private readonly time: TimeTravel;
  /** The run the debugger has paused (its marks' run): the panel's time cursor stays at the pause. */
  private pausedRun: string | null = null;
  private readonly pictures: PictureRequests;
  private readonly feed: RowsFeed;

  constructor(
    private readonly store: RunStore,
    private readonly deps: BridgeDeps,
  ) {
    this.feed = new RowsFeed(
      store,
      {
        attached: () => this.attached,
        selected: () => this.selected,
        post: (m) => deps.post(m),
        postRuns: () => this.postRuns(),
        warn: (m) => deps.log?.warn(m),
      },
      deps.now?.bind(deps),
    );
    this.pictures = new PictureRequests(
      () => this.attached,
      (m) => deps.post(m),
    );
    this.time = new TimeTravel({
      store,
      post: (m) => deps.post(m),
      log: deps.log,
      lintSettings: deps.lintSettings?.bind(deps),
      now: deps.now?.bind(deps),
    });
    this.subscriptions = [
      store.onDidChange((e) => {
        if (e.kind === 'added') this.onAdded(e.entries);
        else if (e.kind === 'removed') this.onRemoved(e.keys);
        this.feed.schedule();
      }),
    ];
    const focus = deps.focus;
    if (focus) {
      this.subscriptions.push(
        focus.onDidSelect(({ ref, origin }) => {
          if (origin !== 'panel') this.showTask(ref);
        }),
        focus.onDidChangeMarks((marks) => {
          this.postMarks();
          this.pauseTime(marks);
        }),
      );
    }
  }

  /** Selects a row chosen outside the panel: its run first, then the row (the webview waits for the row to arrive). */
  private showTask(ref: TaskRef): void {
    if (!this.store.get(ref.run)) return;
    if (ref.run !== this.selected) this.select(ref.run);
    this.hostSelection = ref;
    if (this.attached) this.deps.post({ type: 'select', run: ref.run, id: ref.id });
  }

  /** The debugger's marks and the time cursor agree: a run is paused exactly while the marks name it. */
  private pauseTime(marks: DebugMarks): void {
    if (marks.run === this.pausedRun) return;
    if (this.pausedRun !== null) this.time.paused(this.pausedRun, false);
    this.pausedRun = marks.run;
    if (marks.run === null) return;
    this.time.paused(marks.run, true);
    // The run the debugger stopped is the one to look at, even with no task of it on the stopped
    // thread (the loop idle in its selector): the panel stayed on another run, finished or live.
    if (marks.run !== this.selected) this.select(marks.run);
  }

  private postMarks(): void {
    const focus = this.deps.focus;
    if (!focus || !this.attached) return;
    this.deps.post({ type: 'debugMarks', ...focus.marks });
  }

  get selectedRun(): string | null {
    return this.selected;
  }

  /** The past moment of run `key` the panel shows, if it shows one (not now). */
  pastOf(key: string): ReturnType<TimeTravel['pastOf']> {
    return this.attached ? this.time.pastOf(key) : null;
  }

  /** The webview went away (hidden or closed); it says `ready` when it is back. */
  detach(): void {
    this.attached = false;
    this.pictures.detached();
  }

  /** Selects a run (e.g. a debug session's), and shows it if the panel is up. */
  select(key: string): void {
    if (!this.store.get(key)) return;
    if (!this.attached && key !== this.selected) this.chosenAway = true;
    this.selected = key;
    this.feed.runsChanged();
    this.announceSelection();
    this.showSoon();
  }

  /** Sends the run list and the selected run's snapshot once, when this turn's work is done. */
  private showSoon(): void {
    this.snapshotDue = true;
    if (this.showQueued) return;
    this.showQueued = true;
    queueMicrotask(() => {
      this.showQueued = false;
      if (!this.snapshotDue || !this.attached) return;
      try {
        this.postRuns();
        this.postSnapshot();
        this.postPick();
      } catch (err) {
        this.deps.log?.warn(`panel update failed: ${messageOf(err)}`);
      }
    });
  }

  /** Tasks of `run` to select in the panel (an editor hint's click), sent after the run's snapshot. */
  private pendingPick: { run: string; ids: number[]; label: string } | null = null;

  /** Selects tasks of a run in the panel: the run first if another is shown, then the tasks. */
  selectTasks(run: string, ids: readonly number[], label: string): void {
    if (!this.store.get(run)) return;
    this.pendingPick = { run, ids: ids.filter((id) => Number.isSafeInteger(id)).slice(0, MAX_PICKED), label };
    if (this.selected !== run) this.select(run);
    else this.postPick();
  }

  private postPick(): void {
    const pick = this.pendingPick;
    if (!pick || !this.attached || pick.run !== this.selected) return;
    this.pendingPick = null;
    this.deps.post({ type: 'selectTasks', ...pick });
  }

  /** Select the launch's latest run; when it has none (or `next`: it runs again), its next run when that arrives. */
  selectLaunch(launchKey: string, next = false): void {
    this.notice(null); // what an earlier launch's program did is no longer the news
    const entries = next ? [] : this.store.all().filter((e) => e.launchKey === launchKey);
    if (entries.length) this.select(entries[entries.length - 1].state.key);
    else this.pendingLaunch = launchKey;
  }

  async handle(raw: unknown): Promise<void> {
    if (typeof raw !== 'object' || raw === null) return;
    const msg = raw as WebviewMessage;
    switch (msg.type) {
      case 'ready':
        this.attached = true;
        this.feed.drawn(); // a new page owes nothing
        this.time.pageReady();
        this.deps.post({ type: 'config', hideSystemDefault: true });
        if (!this.selected || !this.store.get(this.selected)) this.selected = this.defaultSelection();
        this.postRuns();
        this.postSnapshot();
        this.postPick();
        if (this.hostNotice !== null) this.deps.post({ type: 'notice', text: this.hostNotice });
        this.pictures.send();
        return;
      case 'drawn':
        this.feed.drawn();
        return;
      case 'exported':
      case 'exportFailed':
        return this.pictures.settle(msg);
      case 'selectRun':
        if (typeof msg.run === 'string') this.select(msg.run);
        return;
      case 'openSite': {
        if (typeof msg.file !== 'string' || typeof msg.line !== 'number' || !Number.isFinite(msg.line)) return;
        const reporting = this.store.all().filter((e) => e.state.reportedFiles.has(msg.file));
        if (!reporting.length) {
          this.deps.log?.warn(`panel asked to open ${msg.file.slice(0, 300)}, which no program reported; ignored`);
          return;
        }
        const programs = reporting.flatMap((e) => {
          const p = e.stream ? this.deps.programPaths?.(e) : undefined;
          return p ? [p] : [];
        });
        const problem = await this.deps.openSite(msg.file, Math.max(1, Math.floor(msg.line)), programs);
        if (problem) this.deps.log?.warn(problem);
        return;
      }
      case 'command':
        if (COMMANDS.has(msg.command)) this.deps.runCommand(msg.command);
        return;
      case 'selected':
        if (typeof msg.run !== 'string' || msg.run !== this.selected) return;
        // The user chose in the panel: an older choice made elsewhere must not come back after a reload.
        this.hostSelection = null;
        if (typeof msg.id === 'number' && Number.isSafeInteger(msg.id))
          this.deps.focus?.select({ run: msg.run, id: msg.id }, 'panel');
        return;
      default:
        this.time.handle(msg);
        return;
    }
  }

  /**
   * A picture of the view as the panel shows it (SVG text, or PNG bytes in
   * base64). Waits for the panel to be there (`ready`) when it is not yet;
   * fails after EXPORT_TIMEOUT_MS.
   */
  requestImage(format: ImageFormat, timeoutMs = EXPORT_TIMEOUT_MS): Promise<string> {
    return this.pictures.request(format, timeoutMs);
  }

  private defaultSelection(): string | null {
    const all = this.store.all();
    const live = all.filter((e) => e.state.currentStatus === 'live');
    const pick = live.length ? live[live.length - 1] : all[all.length - 1];
    return pick ? pick.state.key : null;
  }

  /** The host chose the run while the page was away: a reloaded page takes it over the run it remembers. */
  private chosenAway = false;
  /** The host's word above the tree until a run comes (a program that started no event loop). */
  private hostNotice: string | null = null;

  /** Says `text` above the tree (the panel may show no run, or an older one) until the next launch or run; null: no more. */
  notice(text: string | null): void {
    if (text === this.hostNotice) return;
    this.hostNotice = text;
    if (this.attached) this.deps.post({ type: 'notice', text });
  }

  /** The program of run `key` stopped in the debugger (true) or runs again: the panel's time cursor stays at the pause. */
  paused(key: string, paused: boolean): void {
    this.time.paused(key, paused);
  }

  private onAdded(entries: readonly RunEntry[]): void {
    this.feed.runsChanged();
    if (entries.length) this.notice(null);
    if ((this.deps.recordingsOpenAt?.() ?? 'start') === 'start')
      this.time.recordingsOpened(entries.filter((e) => e.recording).map((e) => e.state.key));
    const launched = this.pendingLaunch ? entries.find((e) => e.launchKey === this.pendingLaunch) : undefined;
    if (launched) {
      this.pendingLaunch = null;
      this.select(launched.state.key);
      return;
    }
    // A new run (a recording's first) takes over the panel unless the user is watching a live one.
    const current = this.selected ? this.store.get(this.selected) : undefined;
    if (entries.length && (!current || current.state.currentStatus !== 'live')) this.select(entries[0].state.key);
  }

  private onRemoved(keys: string[]): void {
    this.feed.runsChanged(keys);
    this.time.removed(keys);
    if (this.selected && keys.includes(this.selected)) {
      this.selected = this.defaultSelection();
      this.announceSelection();
      this.showSoon();
    }
  }

  /** Sends what changed since the last flush. */
  flush(): void {
    this.feed.flush();
  }

  private lastLabel: string | null | undefined;
  private lastKey: string | null | undefined;

  private announceSelection(): void {
    if (this.selected !== this.lastKey) {
      this.lastKey = this.selected;
      this.deps.selectedRun?.(this.selected);
    }
    const label = this.selected ? (this.store.get(this.selected)?.state.label ?? null) : null;
    if (label === this.lastLabel) return;
    this.lastLabel = label;
    this.deps.selected?.(label);
  }

  private postRuns(): void {
    this.announceSelection();
    const runs = this.store.infos();
    this.feed.runsPosted(runs);
    this.deps.post({ type: 'runs', runs, selected: this.selected, ...(this.chosenAway ? { chosenAway: true } : {}) });
    if (this.attached) this.chosenAway = false;
  }

  private postSnapshot(): void {
    this.snapshotDue = false;
    const e = this.selected ? this.store.get(this.selected) : undefined;
    if (!e) return;
    e.state.discardDelta();
    this.deps.post({ type: 'snapshot', run: e.state.info(), rows: e.state.rows() });
    this.feed.snapshotSent();
    this.time.shown(e.state.key);
    // Marks and a selection made elsewhere are not part of the rows: a fresh page needs them again.
    this.postMarks();
    const sel = this.hostSelection;
    if (sel && sel.run === this.selected) this.deps.post({ type: 'select', run: sel.run, id: sel.id });
  }

  dispose(): void {
    this.time.dispose();
    this.pictures.dispose();
    this.feed.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
