// A run's history: every event its reducer took, in order (eventLog.ts), and
// checkpoints, copies of the reducer's state, so that the state at any
// moment is the nearest checkpoint before it plus a replay through the same
// reducer. Nothing here interprets an event.
//
// Checkpoints cost what copying the state's rows costs, about what the
// reducer spends on an event or two per row, GC included. A live run takes
// them sparsely (every ANCHOR_PER_ROW × rows events), so ingestion (and
// opening a recording) pays little; a replay (a seek, the timeline's pass,
// which goes through the whole run once) leaves finer ones behind wherever
// none is within SPACING_PER_ROW × rows events, so the next seek nearby
// replays little.
//
// Bounded: past the budget the oldest events go (whole pages); there the
// history is coarse, only checkpoints are left (a moment before `exactFrom`
// shows the checkpoint before it), then every other old checkpoint goes,
// then the oldest. The recent past stays exact.
import type { Logged } from './eventCodec';
import { EventLog } from './eventLog';
import type { RunState } from './runState';

/** Fewest events between two checkpoints. */
export const MIN_SPACING = 4096;
/** Events between the checkpoints a replay leaves, per row of the state: a seek replays at most this many per row. */
export const SPACING_PER_ROW = 8;
/** Events between a live run's own checkpoints, per row. */
export const ANCHOR_PER_ROW = 64;
/** Fewest events between a live run's own checkpoints. */
export const MIN_ANCHOR_SPACING = 65_536;
/** Rough bytes of one copied row in a checkpoint (the row, its index entries). */
export const ROW_BYTES = 320;
/** Memory a run's history may hold before its oldest part is made coarse. */
export const HISTORY_BUDGET = 192 * 1024 * 1024;
/** A replay looks for a place to leave a checkpoint this often (events). */
const OFFER_EVERY = 256;

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

export interface HistoryOptions {
  /** Bytes it may hold (default HISTORY_BUDGET). */
  budget?: number;
  /** Fewest events between checkpoints (default MIN_SPACING; tests take fewer). */
  minSpacing?: number;
  /** Take the fine checkpoints while recording, not only sparse ones (tests). */
  dense?: boolean;
}

/** Applies one logged entry to a state: an event through the reducer, a mark through its method. */
export function applyLogged(state: RunState, e: Logged): void {
  if (!('mark' in e)) {
    state.apply(e);
    return;
  }
  if (e.mark === 'recording') state.markRecording();
  else if (e.mark === 'disconnected') state.disconnected(e.reason, e.ts);
  else if (e.mark === 'session ended') state.sessionEnded();
  else if (e.mark === 'judged') state.judgeAt(e.ts);
  else state.addProblem(e.message);
}

export class RunHistory {
  readonly log = new EventLog();
  private checkpoints: Checkpoint[] = [];
  /** Entries until the live state's next checkpoint. */
  private due = 0;
  private checkpointBytes = 0;
  /** Entries that are looks of the host's which changed the run's verdict (the others changed nothing to show). */
  private readonly changedLooks = new Set<number>();
  private readonly budget: number;
  private readonly minSpacing: number;
  private readonly dense: boolean;

  constructor(options: HistoryOptions = {}) {
    this.budget = options.budget ?? HISTORY_BUDGET;
    this.minSpacing = options.minSpacing ?? MIN_SPACING;
    this.dense = options.dense ?? false;
  }

  /** Checkpoints held. */
  get checkpointCount(): number {
    return this.checkpoints.length;
  }

  /**
   * `e` is about to change `state` (its state now is the one after every
   * earlier entry); `system`: it is about the library's own work (RunTree.aboutSystem).
   */
  record(e: Logged, state: RunState, system = false): void {
    if (--this.due < 0) {
      const rows = state.rowCount;
      this.add(this.log.length, state);
      this.due = this.dense ? this.spacing(rows) : Math.max(MIN_ANCHOR_SPACING, this.minSpacing, ANCHOR_PER_ROW * rows);
    }
    this.log.append(e, system);
  }

  private spacing(rows: number): number {
    return Math.max(this.minSpacing, SPACING_PER_ROW * rows);
  }

  /** Keeps a copy of `state`, the state after `pos` events. */
  private add(pos: number, state: RunState): void {
    const rows = state.rowCount;
    const cp: Checkpoint = { pos, ts: this.timeOf(pos), state: state.copy(), rows };
    const at = this.indexAfter(pos);
    if (this.checkpoints[at - 1]?.pos === pos) return;
    this.checkpoints.splice(at, 0, cp);
    this.checkpointBytes += rows * ROW_BYTES;
    if (this.bytes() > this.budget) this.shrink();
  }

  /** Index of the first checkpoint after `pos`. */
  private indexAfter(pos: number): number {
    const cps = this.checkpoints;
    let lo = 0;
    let hi = cps.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cps[mid].pos <= pos) lo = mid + 1;
      else hi = mid;
    }
    return lo;
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

  /** The entry just recorded was a look (RunState.judgeAt) that changed the run's verdict. */
  lookChanged(): void {
    this.changedLooks.add(this.log.length - 1);
  }

  /** Entry `i` is a look of the host's that changed nothing: no moment of its own to step to. */
  quietLook(i: number): boolean {
    if (i < this.log.start || i >= this.log.length) return false;
    const e = this.log.event(i);
    return 'mark' in e && e.mark === 'judged' && !this.changedLooks.has(i);
  }

  /** Entry `i` is about the library's own work (a system task, nursery or scope), which Hide system leaves out. */
  aboutSystem(i: number): boolean {
    return i >= this.log.start && i < this.log.length && this.log.system(i);
  }

  /** The time of the state after `pos` events: the newest ts among them. */
  timeOf(pos: number): number {
    return pos <= 0 ? 0 : this.log.tsAt(Math.min(pos, this.log.length) - 1);
  }

  /** The state after the events with ts ≤ t. */
  positionAt(t: number): number {
    return this.log.countUpTo(t);
  }

  /** Where a replay toward `pos` would start: the position of the checkpoint it would copy. */
  replayFrom(pos: number): number {
    return (this.checkpoints[this.indexAfter(pos) - 1] ?? this.checkpoints[0])?.pos ?? 0;
  }

  /**
   * A fresh state of the moment after `pos` events (a copy: the caller may go
   * on applying to it). The replay leaves checkpoints behind where none are near.
   */
  stateAt(pos: number): Moment | null {
    const cp = this.checkpoints[this.indexAfter(pos) - 1] ?? this.checkpoints[0];
    if (!cp) return null;
    const state = cp.state.copy();
    const want = Math.min(Math.max(pos, 0), this.log.length);
    if (cp.pos > want || cp.pos < this.log.start) return { state, pos: cp.pos, coarse: cp.pos !== want };
    this.replay(state, cp.pos, want);
    return { state, pos: want, coarse: false };
  }

  /**
   * Applies entries [from, to) to `state` (the state after `from` events),
   * leaving checkpoints where none are near, `after` each (it is handed the
   * entry); false when some are no longer held.
   */
  replay(state: RunState, from: number, to: number, after?: (e: Logged) => void): boolean {
    if (from < this.log.start) return false;
    const log = this.log;
    const every = Math.min(OFFER_EVERY, this.minSpacing);
    for (let p = from; p < to; p++) {
      if (p % every === 0 && p > from) this.offer(p, state);
      const e = log.event(p);
      applyLogged(state, e);
      after?.(e);
    }
    return true;
  }

  /** The earliest moment from which every event is held: a copy of its checkpoint. */
  firstExact(): Moment | null {
    const cp = this.checkpoints.find((c) => c.pos >= this.log.start);
    return cp ? { state: cp.state.copy(), pos: cp.pos, coarse: false } : null;
  }

  /** A replay reached `pos`: a checkpoint is left there when the nearest before is far and none follows soon. */
  private offer(pos: number, state: RunState): void {
    const at = this.indexAfter(pos);
    const spacing = this.spacing(state.rowCount);
    const before = this.checkpoints[at - 1];
    const after = this.checkpoints[at];
    if (before && pos - before.pos < spacing) return;
    if (after && after.pos - pos < spacing / 2) return;
    this.add(pos, state);
  }

  /** Makes the oldest history coarse until it fits the budget (module comment). */
  private shrink(): void {
    const latest = this.checkpoints[this.checkpoints.length - 1];
    // 1. Events before the newest checkpoints go, oldest first.
    for (const cp of this.checkpoints) {
      if (this.bytes() <= this.budget || cp === latest) break;
      this.log.dropBefore(cp.pos);
    }
    for (const i of this.changedLooks) if (i < this.log.start) this.changedLooks.delete(i);
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
