// A panel's view of one run at a past moment: where it is in the run's
// history, and the state it shows there. A move answers with what the panel
// needs to show the new moment: everything the first time, then only the
// rows that differ. Forward it replays from where it is when that costs less
// than starting again from the nearest checkpoint (a copy of the state and a
// comparison of every row, besides the replay); otherwise it starts again.
import type { Row, RunInfo } from '../../contract/rows';
import type { PastEvent } from '../../contract/timeline';
import type { Logged } from './eventCodec';
import type { RunHistory } from './runHistory';
import type { RunState } from './runState';

export interface PastMoment {
  /** Events applied. */
  pos: number;
  /** The moment shown (run-relative ms). */
  at: number;
  /** Only a checkpoint was held there: the rows are of `pos`, a little before `at`. */
  coarse: boolean;
  /** The rows are all of them (the panel starts over), not a change. */
  reset: boolean;
  rows: Row[];
  remove: number[];
  info: RunInfo;
  /** The moment's last event. */
  event?: PastEvent;
}

/** Where to go: a moment (ms), or `step` events from where the cursor is. */
export type CursorTarget = { at: number } | { step: number };

export interface CursorOptions {
  /**
   * The host's looks for a deadlock or hang are not in the history (a
   * recording): each moment shown is looked at, as the host would have live.
   */
  judgeMoments?: boolean;
}

export class HistoryCursor {
  private state: RunState | null = null;
  /** A cursor starts at now: a first step counts from the end. */
  private pos: number;

  constructor(
    private readonly history: RunHistory,
    private readonly options: CursorOptions = {},
  ) {
    this.pos = history.length;
  }

  /**
   * To a moment or by steps. `end`: the run's time now (a live run's goes
   * on past its last entry: a hung program sends nothing); a moment up to it
   * shows the run as it was then, not as at its last event.
   */
  move(to: CursorTarget, end = 0): PastMoment | null {
    const h = this.history;
    let target: number;
    let at: number;
    if ('step' in to) {
      target = this.stepFrom(this.pos, Math.trunc(to.step));
      at = h.timeOf(target);
    } else {
      at = Math.max(h.since, Math.min(to.at, Math.max(end, h.timeOf(h.length))));
      target = h.positionAt(at);
    }
    const old = this.state;
    let reset = false;
    let rows: Row[];
    let remove: number[] = [];
    let coarse = false;
    if (old && this.pos <= target && this.forwardIsCheaper(target, old.rowCount) && h.replay(old, this.pos, target)) {
      this.pos = target;
      const d = old.takeDelta();
      rows = d?.upsert ?? [];
      remove = d?.remove ?? [];
    } else {
      const m = h.stateAt(target);
      if (!m) return null;
      this.state = m.state;
      this.pos = m.pos;
      coarse = m.coarse;
      if (coarse) at = h.timeOf(m.pos);
      if (old) ({ upsert: rows, remove } = m.state.deltaFrom(old));
      else {
        reset = true;
        m.state.discardDelta();
        rows = m.state.rows();
      }
    }
    const info: RunInfo = { ...this.state!.info(), at };
    if (this.options.judgeMoments) {
      const verdict = this.state!.verdictAt(at);
      if (verdict) info.verdict = verdict;
      else delete info.verdict;
    }
    const moment: PastMoment = { pos: this.pos, at, coarse, reset, rows, remove, info };
    const last = this.pos > h.log.start ? pastEvent(h.log.event(this.pos - 1)) : undefined;
    if (last) moment.event = last;
    return moment;
  }

  /** Where `n` steps from `pos` land: an entry each, but the host's looks that changed nothing (a hung run has one every 500 ms). */
  private stepFrom(pos: number, n: number): number {
    const h = this.history;
    const dir = Math.sign(n);
    let p = Math.max(0, Math.min(h.length, pos));
    for (let left = Math.abs(n); left > 0 && p + dir >= 0 && p + dir <= h.length;) {
      p += dir;
      if (!h.quietLook(p - 1)) left--; // the moment after entry p - 1, which the bar names
    }
    return p;
  }

  /**
   * Going forward from where it is replays `target - pos` events; starting
   * again replays from the checkpoint before `target`, copies it and compares
   * every row with the moment shown. A scrub forward across a checkpoint of
   * a big tree keeps going (one small delta) instead of paying the copy.
   */
  private forwardIsCheaper(target: number, rows: number): boolean {
    const h = this.history;
    const from = h.replayFrom(target);
    if (this.pos >= from) return true;
    return target - this.pos <= target - from + RESTART_EVENTS_PER_ROW * rows;
  }
}

/** What copying a state and comparing it with the one shown costs, in events replayed, per row (measured: ~2-4). */
const RESTART_EVENTS_PER_ROW = 4;

/** What the panel says of an event: its kind and ids, none of the program's text. */
function pastEvent(e: Logged): PastEvent | undefined {
  if ('mark' in e) return { type: e.mark };
  const out: PastEvent = { type: e.type };
  switch (e.type) {
    case 'task.spawned':
      return { ...out, id: e.id, nursery: e.nursery };
    case 'task.moved':
      return { ...out, id: e.id, nursery: e.nursery };
    case 'task.state':
      return { ...out, id: e.id, state: e.state };
    case 'task.exited':
      return { ...out, id: e.id, outcome: e.outcome };
    case 'task.flagged':
      return { ...out, id: e.id, flag: e.flag };
    case 'nursery.opened':
      return { ...out, id: e.id, task: e.task };
    case 'nursery.closed':
      return { ...out, id: e.id };
    case 'scope.changed':
      return { ...out, id: e.id, task: e.task, deadline: e.deadline, cancelCalled: e.cancel_called };
    case 'scope.closed':
      return { ...out, id: e.id };
    case 'dropped':
      return { ...out, count: e.count };
    case 'run.finished':
      return { ...out, outcome: e.outcome };
    default:
      return out;
  }
}
