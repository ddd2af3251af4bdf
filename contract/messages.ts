// Messages between the extension host and the task-tree webview. Both sides
// import this module, so a renamed field fails to compile on both. Tags are
// strings, never numbers.
import type { Row, RunInfo } from './rows';
import type { PastEvent, TimelineData, TimelineRequest } from './timeline';

export type HostMessage =
  /**
   * The list of runs changed (new run, status, counts). `selected` is the run the panel should show;
   * `chosenAway`: the host chose it while the page was away (hidden: a debugger pause, a new launch),
   * so it wins over the run a reloaded page remembers.
   */
  | { type: 'runs'; runs: RunInfo[]; selected: string | null; chosenAway?: true }
  /** Everything about one run; replaces what the webview held for it. */
  | { type: 'snapshot'; run: RunInfo; rows: Row[] }
  /** Changes to one run since the last snapshot/delta, batched per animation-frame-sized interval. */
  | { type: 'delta'; run: RunInfo; upsert: Row[]; remove: number[] }
  /** Tells the webview which theme/options to honour; sent after ready. */
  | { type: 'config'; hideSystemDefault: boolean }
  /**
   * The run as it was at a past moment (`run.at`), answering the `seek` of the
   * same `seq`: all its rows (`reset`), or the rows that differ from the
   * moment shown before and the ids gone. The live snapshot and deltas go on
   * meanwhile; this is a view of the past beside them.
   */
  | {
      type: 'past';
      seq: number;
      run: RunInfo;
      pos: number;
      coarse: boolean;
      reset: boolean;
      rows: Row[];
      remove: number[];
      event?: PastEvent;
    }
  /** A window of a run's timeline (answering the `timeline` request of the same seq). */
  | { type: 'timeline'; data: TimelineData }
  /**
   * The host moves the time cursor of `run`: to the moment `at` (a recording
   * opens at its start), and/or says the program is paused in the debugger
   * since the moment `paused` (null: it runs again).
   */
  | { type: 'cursor'; run: string; at?: number; paused?: number | null }
  /** Select row `id` of `run` and bring it into view (picked in the Tasks view, or where the debugger stopped). */
  | { type: 'select'; run: string; id: number }
  /**
   * What the debugger points at, in `run` (null: no run is paused): `paused`,
   * the task that hit the breakpoint or raised; `focus`, the task owning the
   * frame or thread picked in the Call Stack. Sent again after every snapshot.
   */
  | { type: 'debugMarks'; run: string | null; paused: number | null; focus: number | null; reason: string | null }
  /** Asks for the picture of the view as it is (answered by `exported` or `exportFailed` with the same id). */
  | { type: 'export'; id: number; format: ImageFormat }
  /** Select these tasks of `run` (an editor hint was clicked): the first is selected and shown, all are marked. */
  | { type: 'selectTasks'; run: string; ids: number[]; label: string }
  /** The host's word above the tree until a new run comes (a program that started no event loop); null: none. */
  | { type: 'notice'; text: string | null };

/** A picture of the view: SVG text, or PNG bytes in base64. */
export type ImageFormat = 'svg' | 'png';

/** Commands the panel's buttons ask the host to run (the empty state's, the toolbar's export menu). */
export type PanelCommand =
  'runFile' | 'openRecording' | 'clearFinished' | 'copyText' | 'exportSvg' | 'exportPng' | 'exportTrace';

export type WebviewMessage =
  /** The page loaded (or reloaded): send `runs` and a snapshot of the selected run. */
  | { type: 'ready' }
  /** The page drew the last snapshot or delta it got: the host may send the next (extension/panel/rowsFeed.ts). */
  | { type: 'drawn' }
  /** The user picked a run; the host answers with its snapshot. */
  | { type: 'selectRun'; run: string }
  /** Open a source location; the host checks the file exists first. */
  | { type: 'openSite'; file: string; line: number }
  /** Empty-state buttons, the toolbar's export menu. */
  | { type: 'command'; command: PanelCommand }
  /** The picture an `export` asked for: `data` is SVG text, or a PNG in base64. */
  | { type: 'exported'; id: number; format: ImageFormat; data: string }
  /** An `export` that could not be made (nothing shown, or the browser failed). */
  | { type: 'exportFailed'; id: number; reason: string }
  /**
   * Show `run` as it was at the moment `at`, or `step` events from the moment
   * shown (with `hideSystem`, over the events about the library's own rows,
   * which the panel hides); the host answers `past` (the latest seek only).
   */
  | { type: 'seek'; run: string; seq: number; at?: number; step?: number; hideSystem?: boolean }
  /** Back to now: the host lets go of the past moment it kept for `run`. */
  | { type: 'live'; run: string }
  /** A window of the timeline; the host answers `timeline` (the latest request only). */
  | { type: 'timeline'; request: TimelineRequest }
  /** The user selected row `id` of `run` in the panel (null: a fold, or nothing), for the Tasks view to follow. */
  | { type: 'selected'; run: string; id: number | null };
