// A run's history: every event its reducer took, in order (eventLog.ts), and
// checkpoints, copies of the reducer's state every so many events, so that
// the state at any moment is the nearest checkpoint before it plus a short
// replay through the same reducer. Nothing here interprets an event.
//
// Bounded: checkpoints come every max(MIN_SPACING, SPACING_PER_ROW × rows)
// events, so their copies cost about as much as the events between them,
// and past the budget the oldest events go (whole pages): there the history
// is coarse, only the checkpoints are left (a moment before `exactFrom`
// shows the checkpoint before it), and past that every other old checkpoint
// goes, then the oldest. The recent past stays exact.
import type { Logged } from './eventCodec';
import { EventLog } from './eventLog';
import type { RunState } from './runState';

/** Fewest events between two checkpoints. */
export const MIN_SPACING = 4096;
/** Events between checkpoints per row of the state copied. */
export const SPACING_PER_ROW = 4;
/** Rough bytes of one copied row in a checkpoint (the row, its index entries). */
export const ROW_BYTES = 320;
/** Memory a run's history may hold before its oldest part is made coarse. */
export const HISTORY_BUDGET = 192 * 1024 * 1024;

interface Checkpoint {
  /** The state after this many events. */
  pos: number;
  /** The newest ts of those events (0 for none). */
  ts: number;
  /** Never changed: a moment is rebuilt on a copy of it. */
  state: RunState;
  rows: number;
}

/** A moment of the run as far as the history holds it. */
export interface Moment {
  state: RunState;
  /** Events applied. */
  pos: number;
  /** Only a checkpoint was left for that moment: it is the state at `pos`, not at the moment asked for. */
  coarse: boolean;
}

/** Applies one logged entry to a state: an event through the reducer, a mark through its method. */
export function applyLogged(state: RunState, e: Logged): void {
  if (!('mark' in e)) {
    state.apply(e);
    return;
  }
  if (e.mark === 'recording') state.markRecording();
  else if (e.mark === 'disconnected') state.markDisconnected(e.reason);
  else state.addProblem(e.message);
}

export interface HistoryOptions {
  /** Bytes it may hold (default HISTORY_BUDGET). */
  budget?: number;
  /** Fewest events between checkpoints (default MIN_SPACING; tests take fewer). */
  minSpacing?: number;
}

export class RunHistory {
  readonly log = new EventLog();
  private checkpoints: Checkpoint[] = [];
  /** Entries until the next checkpoint. */
  private due = 0;
  private checkpointBytes = 0;
  private readonly budget: number;
  private readonly minSpacing: number;

  constructor(options: HistoryOptions = {}) {
    this.budget = options.budget ?? HISTORY_BUDGET;
    this.minSpacing = options.minSpacing ?? MIN_SPACING;
  }

  /** Checkpoints held. */
  get checkpointCount(): number {
    return this.checkpoints.length;
  }

  /** `e` is about to change `state` (its state now is the one after every earlier entry). */
  record(e: Logged, state: RunState): void {
    if (--this.due < 0) this.checkpoint(state);
    this.log.append(e);
  }

  private checkpoint(state: RunState): void {
    const rows = state.rowCount;
    this.checkpoints.push({ pos: this.log.length, ts: this.log.lastTs, state: state.copy(), rows });
    this.checkpointBytes += rows * ROW_BYTES;
    this.due = Math.max(this.minSpacing, SPACING_PER_ROW * rows);
    if (this.bytes() > this.budget) this.shrink();
  }

  /** Memory held, roughly, in bytes. */
  bytes(): number {
    return this.log.bytes() + this.checkpointBytes;
  }

  /** The first moment held (run-relative ms). */
  get since(): number {
    return this.checkpoints[0]?.ts ?? 0;
  }

  /** From this moment on every event is held; before it, only checkpoints. */
  get exactFrom(): number {
    const start = this.log.start;
    if (start === 0) return this.since;
    return this.checkpoints.find((c) => c.pos >= start)?.ts ?? this.log.lastTs;
  }

  /** Events recorded. */
  get length(): number {
    return this.log.length;
  }

  /** The time of the state after `pos` events: the newest ts among them. */
  timeOf(pos: number): number {
    return pos <= 0 ? 0 : this.log.tsAt(Math.min(pos, this.log.length) - 1);
  }

  /** The state after the events with ts ≤ t. */
  positionAt(t: number): number {
    return this.log.countUpTo(t);
  }

  /** The last checkpoint at or before `pos`. */
  private checkpointAt(pos: number): Checkpoint | undefined {
    const cps = this.checkpoints;
    let lo = 0;
    let hi = cps.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cps[mid].pos <= pos) lo = mid + 1;
      else hi = mid;
    }
    return cps[lo - 1] ?? cps[0];
  }

  /** Where a replay toward `pos` would start: the checkpoint's position. */
  replayFrom(pos: number): number {
    return this.checkpointAt(pos)?.pos ?? 0;
  }

  /** A fresh state of the moment after `pos` events (a copy: the caller may go on applying to it). */
  stateAt(pos: number): Moment | null {
    const cp = this.checkpointAt(pos);
    if (!cp) return null;
    const state = cp.state.copy();
    const want = Math.min(Math.max(pos, 0), this.log.length);
    if (cp.pos > want || cp.pos < this.log.start) return { state, pos: cp.pos, coarse: cp.pos !== want };
    this.replay(state, cp.pos, want);
    return { state, pos: want, coarse: false };
  }

  /** Applies entries [from, to) to `state`; false when some are no longer held. */
  replay(state: RunState, from: number, to: number): boolean {
    if (from < this.log.start) return false;
    for (let p = from; p < to; p++) applyLogged(state, this.log.event(p));
    return true;
  }

  /** Makes the oldest history coarse until it fits the budget (module comment). */
  private shrink(): void {
    const latest = this.checkpoints[this.checkpoints.length - 1];
    // 1. Events before the newest checkpoints go, oldest first.
    for (const cp of this.checkpoints) {
      if (this.bytes() <= this.budget || cp === latest) break;
      this.log.dropBefore(cp.pos);
    }
    // 2. Every other checkpoint of the coarse part, while that helps.
    while (this.bytes() > this.budget) {
      const coarse = this.checkpoints.filter((c) => c.pos < this.log.start);
      if (coarse.length < 3) break;
      const drop = new Set(coarse.filter((_, i) => i % 2 === 1));
      this.keep((c) => !drop.has(c));
    }
    // 3. The oldest checkpoints: the history starts later.
    while (this.bytes() > this.budget && this.checkpoints.length > 1 && this.checkpoints[0].pos < this.log.start) {
      const first = this.checkpoints[0];
      this.keep((c) => c !== first);
    }
  }

  private keep(which: (c: Checkpoint) => boolean): void {
    this.checkpoints = this.checkpoints.filter(which);
    this.checkpointBytes = this.checkpoints.reduce((sum, c) => sum + c.rows * ROW_BYTES, 0);
  }
}
