// What the debugger points at (the task paused at a breakpoint, the one whose
// frame the user picked in the Call Stack), as the host last said: shown on
// the tree only while that run is in view.
import type { HostMessage } from '../contract/messages';
import { DIRTY } from './tree/frameScheduler';
import type { ShownTree } from './tree/shownTree';

export interface DebuggerMarkParts {
  tree: ShownTree;
  /** The run in view. */
  readonly current: string | null;
  changed(flags: number, save?: boolean): void;
}

/** The debugger's pause of the run in view: why it stopped, and the task paused there (null: no task owns the stopped thread's stack). */
export interface DebuggerPause {
  reason: string;
  task: number | null;
}

export class DebuggerMarks {
  /** What the debugger points at, in whichever run it is. */
  private last: Extract<HostMessage, { type: 'debugMarks' }> | null = null;
  private pauseKey = '';

  constructor(private readonly p: DebuggerMarkParts) {}

  receive(m: Extract<HostMessage, { type: 'debugMarks' }>): void {
    this.last = m;
    this.point();
  }

  /** The pause of the run in view, if the debugger has paused it. */
  pause(): DebuggerPause | null {
    const m = this.last;
    return m && m.run !== null && m.run === this.p.current && m.reason !== null
      ? { reason: m.reason, task: m.paused }
      : null;
  }

  /** The debugger's marks for the run in view (a new badge width: a relayout; a pause: the banner). */
  point(): void {
    const m = this.last;
    const pause = this.pause();
    const pauseKey = pause ? `${pause.reason}:${pause.task}` : '';
    if (pauseKey !== this.pauseKey) {
      this.pauseKey = pauseKey;
      this.p.changed(DIRTY.chrome, false);
    }
    const mine = m && m.run !== null && m.run === this.p.current && (m.paused !== null || m.focus !== null);
    const next = mine ? { paused: m.paused, focus: m.focus, reason: m.reason } : undefined;
    const now = this.p.tree.debug;
    if (now?.paused === next?.paused && now?.focus === next?.focus && now?.reason === next?.reason) return;
    this.p.tree.debug = next;
    this.p.changed(DIRTY.structure | DIRTY.chrome, false);
  }
}
