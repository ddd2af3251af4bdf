// A run's timeline as the panel draws it under the tree: one lifeline per
// task from spawn to exit, its sampled states as lanes, nurseries as bands,
// the live-task curve and the marks, for one window of time. The host's
// store projects these from the reducer's rows over the run's history
// (extension/store/lifelines.ts); the webview only draws them.
import type { ErrorInfo, LiveState, Outcome, Site } from './rows';
import type { WireCancelSource, WireScopeKind, WireTaskFlag } from './wire';

/** One task's life. */
export interface TimelineLine {
  id: number;
  /** Its nursery, or for a loose task the task that made it (as in TaskRow). */
  parent: number | null;
  name: string;
  system?: true;
  loose?: true;
  spawned: number;
  /** Absent while it lives. */
  exited?: number;
  end?: Outcome | 'lost';
  error?: ErrorInfo;
  cancelledBy?: number;
  cancelSource?: WireCancelSource;
}

/** A nursery (task group) open from `opened` to `closed`. */
export interface TimelineBand {
  id: number;
  /** The task that opened it. */
  owner: number;
  opened: number;
  closed?: number;
  system?: true;
}

/** What happened at one moment (or, for a block, from `t` to `until`), apart from a task's end. */
export interface TimelineMark {
  t: number;
  /** Lints (issue #17): `blocked` the event loop held, `warning` a coroutine never awaited. */
  kind: 'dropped' | 'deadline' | 'flag' | 'blocked' | 'warning';
  /** The task it concerns (none for drops; a block or warning outside any task has none either). */
  id?: number;
  /** Drops: how many events; deadline: the scope's id. */
  count?: number;
  flag?: WireTaskFlag;
  /** Blocks: where the loop was given back (so far, while `ongoing`). */
  until?: number;
  ongoing?: true;
  /** Lints: the program's line (a block's: the line it was held at; a warning's: where the coroutine was made). */
  site?: Site;
  /** Warnings: the coroutine never awaited (program text). */
  coroutine?: string;
}

/** A task's sampled states: state `s[i]` from `t[i]` to the next (or its end). */
export interface TimelineLane {
  id: number;
  t: number[];
  s: LiveState[];
}

export interface TimelineRequest {
  run: string;
  /** Answers carry it back; the latest request wins. */
  seq: number;
  /** The window, run-relative ms. */
  from: number;
  to: number;
  /** Pixels across the window: lanes and the curve need no finer detail. */
  width: number;
  /** Tasks whose lanes are wanted (the rows on screen). */
  lanes: number[];
  hideSystem: boolean;
}

export interface TimelineData {
  run: string;
  seq: number;
  /** The first moment held and the newest (a live run's grows). */
  start: number;
  end: number;
  /** Before this moment only checkpoints are held (a long run's older history is coarse). */
  exactFrom: number;
  from: number;
  to: number;
  /** Tasks alive somewhere in the window, parents before children, siblings in spawn order (the tree's order). */
  lines: TimelineLine[];
  /** Tasks alive in the window that were left out (too many to list): zoom in to see them. */
  more: number;
  bands: TimelineBand[];
  lanes: TimelineLane[];
  /** Live tasks over the window: `n[i]` from `t[i]` (the largest in each pixel). */
  curve: { t: number[]; n: number[] };
  marks: TimelineMark[];
  /** The projection has not caught up with the whole run yet (a long run's first look): another answer follows. */
  partial: boolean;
}

/** The last event of a past moment, as the panel says it (no program text: names come from the rows). */
export interface PastEvent {
  type: string;
  /** The task, nursery or scope it is about. */
  id?: number;
  state?: string;
  outcome?: string;
  /** A spawn's or move's nursery; a nursery's owner task is `task`, a scope's (a closed one's: as last reported). */
  nursery?: number | null;
  task?: number;
  flag?: string;
  deadline?: number | null;
  cancelCalled?: boolean;
  /** A scope's maker (absent: a Trio cancel scope). */
  scopeKind?: WireScopeKind;
  /** Drops: how many. */
  count?: number;
  /** A block of the loop (`task`: the task that held it): for how long (ms), so far while `ongoing`. */
  duration?: number;
  ongoing?: true;
  /** It is about the library's own work (a system task, nursery or scope), which Hide system hides. */
  system?: true;
  /** A look of the host's that changed the run's verdict (the verdict by then is the run header's). */
  found?: true;
}
