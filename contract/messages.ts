// Messages between the extension host and the task-tree webview. Both sides
// import this module, so a renamed field fails to compile on both. Tags are
// strings, never numbers.
import type { Row, RunInfo } from './rows';

export type HostMessage =
  /** The list of runs changed (new run, status, counts). `selected` is the run the panel should show. */
  | { type: 'runs'; runs: RunInfo[]; selected: string | null }
  /** Everything about one run; replaces what the webview held for it. */
  | { type: 'snapshot'; run: RunInfo; rows: Row[] }
  /** Changes to one run since the last snapshot/delta, batched per animation-frame-sized interval. */
  | { type: 'delta'; run: RunInfo; upsert: Row[]; remove: number[] }
  /** Tells the webview which theme/options to honour; sent after ready. */
  | { type: 'config'; hideSystemDefault: boolean }
  /** Select these tasks of `run` (an editor hint was clicked): the first is selected and shown, all are marked. */
  | { type: 'selectTasks'; run: string; ids: number[]; label: string };

export type WebviewMessage =
  /** The page loaded (or reloaded): send `runs` and a snapshot of the selected run. */
  | { type: 'ready' }
  /** The user picked a run; the host answers with its snapshot. */
  | { type: 'selectRun'; run: string }
  /** Open a source location; the host checks the file exists first. */
  | { type: 'openSite'; file: string; line: number }
  /** Empty-state buttons. */
  | { type: 'command'; command: 'runFile' | 'openRecording' | 'clearFinished' };
