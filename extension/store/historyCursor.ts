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

/**
 * Where to go: a moment (ms), or `step` events from where the cursor is;
 * `hideSystem`: the panel hides the library's own rows, so a step goes over
 * the events about them (the user would land on a moment nothing shown changed).
 */
export type CursorTarget = { at: number } | { step: number; hideSystem?: boolean };

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
  /** The moment shown (ms): a moment asked for may be after the last event applied (null: now, none asked for yet). */
  private shownAt: number | null = null;

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
      target = this.stepTarget(Math.trunc(to.step), to.hideSystem === true);
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
    this.shownAt = at;
    const info: RunInfo = { ...this.state!.info(), at };
    if (this.options.judgeMoments) {
      const verdict = this.state!.verdictAt(at);
      if (verdict) info.verdict = verdict;
      else delete info.verdict;
    }
    const moment: PastMoment = { pos: this.pos, at, coarse, reset, rows, remove, info };
    const last = this.pos > h.log.start ? pastEvent(h.log.event(this.pos - 1)) : undefined;
    if (last?.type === 'scope.closed' && last.id !== undefined)
      Object.assign(last, closedScope(h, this.pos - 1, last.id));
    if (last && h.aboutSystem(this.pos - 1)) last.system = true;
    if (last?.type === 'judged' && !h.quietLook(this.pos - 1)) last.found = true;
    if (last) moment.event = last;
    return moment;
  }

  /** The moment shown, as its rows and run info (null before any move). */
  shown(): { rows: Row[]; info: RunInfo; at: number } | null {
    if (!this.state || this.shownAt === null) return null;
    return { rows: this.state.rows(), info: this.state.info(), at: this.shownAt };
  }

  /**
   * Where `n` steps from the moment shown land. Back from a moment between
   * two events (a click on the timeline), the first step is to the moment of
   * the last event before it: from 208 ms, after "check config returned" at
   * 101 ms and nothing since, `[` goes to 101 ms, not to before it at 22 ms.
   */
  private stepTarget(n: number, hideSystem: boolean): number {
    const h = this.history;
    if (n >= 0 || this.shownAt === null || this.shownAt <= h.timeOf(this.pos))
      return this.stepFrom(this.pos, n, hideSystem);
    const counts =
      this.pos <= h.log.start || !(h.quietLook(this.pos - 1) || (hideSystem && h.aboutSystem(this.pos - 1)));
    const last = counts ? this.pos : this.stepFrom(this.pos, -1, hideSystem);
    return n === -1 ? last : this.stepFrom(last, n + 1, hideSystem);
  }

  /**
   * Where `n` steps from `pos` land: an entry each, but the host's looks that
   * changed nothing (a hung run has one every 500 ms) and, with `hideSystem`,
   * the library's own work (Trio's init and its nurseries, open_tcp_stream's
   * attempts), which the tree does not show.
   */
  private stepFrom(pos: number, n: number, hideSystem: boolean): number {
    const h = this.history;
    const dir = Math.sign(n);
    let p = Math.max(0, Math.min(h.length, pos));
    let landed = p;
    let left = Math.abs(n);
    for (; left > 0 && p + dir >= 0 && p + dir <= h.length;) {
      p += dir;
      // The moment after entry p - 1, which the bar names.
      if (!h.quietLook(p - 1) && !(hideSystem && h.aboutSystem(p - 1))) {
        left--;
        landed = p;
      }
    }
    // Past the last event that counts, the end is a moment of its own only when time went on (a hung
    // program's now); a finished run's closing look is not (it read "looked for a deadlock or hang").
    return left > 0 && h.timeOf(p) === h.timeOf(landed) ? landed : p;
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

/** How far back a closed scope's last report is looked for, in entries (~1 ms of decoding). */
const SCOPE_LOOKBACK = 4096;

/**
 * What the last report of scope `id` before entry `pos` said (its task,
 * deadline, cancel, kind): a scope.closed names only the scope, and once
 * it applied the rows hold it no more.
 */
function closedScope(h: RunHistory, pos: number, id: number): Partial<PastEvent> {
  for (let p = pos - 1; p >= Math.max(h.log.start, pos - SCOPE_LOOKBACK); p--) {
    const e = h.log.event(p);
    if ('type' in e && e.type === 'scope.changed' && e.id === id) {
      const out: Partial<PastEvent> = { task: e.task, deadline: e.deadline, cancelCalled: e.cancel_called };
      if (e.kind !== undefined) out.scopeKind = e.kind;
      return out;
    }
  }
  return {};
}

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
    case 'scope.changed': {
      const scope: PastEvent = { ...out, id: e.id, task: e.task, deadline: e.deadline, cancelCalled: e.cancel_called };
      if (e.kind !== undefined) scope.scopeKind = e.kind;
      return scope;
    }
    case 'scope.closed':
      return { ...out, id: e.id };
    case 'dropped':
      return { ...out, count: e.count };
    case 'run.finished':
      return { ...out, outcome: e.outcome };
    case 'loop.blocked': {
      const block: PastEvent = { ...out, duration: e.duration };
      if (e.task !== undefined) block.task = e.task;
      if (e.ongoing) block.ongoing = true;
      return block;
    }
    default:
      return out;
  }
}
