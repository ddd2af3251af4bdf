// The timeline's facts about a run, watched from the reducer's rows as a
// replay of its history changes them (timelineIndex.ts drives it): per task
// its spawn, its sampled states, its end; per nursery when it was open; the
// live-task count over time; deadlines that expired, flags, drops, and the
// lints the runtime reports (the loop held, a coroutine never awaited: the
// events themselves, which change no row). Rows are read, never interpreted
// anew: a task's state and times are the row's.
// Held in columns (a run may have had 500,000 tasks), bounded by the run's
// history.
import type { ErrorInfo, LiveState, Outcome, Site } from '../../contract/rows';
import type { TimelineMark } from '../../contract/timeline';
import type { LoopBlockedEvent, WarningEvent, WireCancelSource, WireSite } from '../../contract/wire';
import { coroutineOf } from './lintWords';
import { clip, MAX_TEXT, type Entry, type NurseryEntry, type TaskEntry } from './rowEntries';

const LIVE: ReadonlySet<string> = new Set<LiveState>(['running', 'scheduled', 'waiting']);
export const SYSTEM = 1;
export const LOOSE = 2;

/** What ended a task, kept only for tasks that raised or were cancelled. */
export interface Ending {
  error?: ErrorInfo;
  cancelledBy?: number;
  cancelSource?: WireCancelSource;
}

export interface Band {
  id: number;
  owner: number;
  opened: number;
  closed: number | undefined;
  system: boolean;
}

/** Marks kept per run; past this the oldest go (the curve and the lines say the rest). */
const MAX_MARKS = 20_000;
/** Blocks whose later reports still update their mark (only the latest block is ever re-reported). */
const MAX_BLOCKS = 256;

export class Lifelines {
  private readonly slots = new Map<number, number>();
  readonly ids: number[] = [];
  readonly parent: (number | null)[] = [];
  readonly name: string[] = [];
  readonly bits: number[] = [];
  readonly spawned: number[] = [];
  /** NaN while it lives. */
  readonly exited: number[] = [];
  readonly end: (Outcome | 'lost' | null)[] = [];
  readonly endings = new Map<number, Ending>();
  /** Segments: each slot's chain from `first` through `next`, in time order. */
  readonly first: number[] = [];
  private readonly last: number[] = [];
  readonly segT: number[] = [];
  readonly segS: LiveState[] = [];
  readonly segNext: number[] = [];
  readonly bands = new Map<number, Band>();
  readonly curveT: number[] = [];
  readonly curveN: number[] = [];
  readonly marks: TimelineMark[] = [];
  private live = 0;
  /** Per task, its open scopes that have a deadline: scope id → deadline. */
  private readonly deadlines = new Map<number, Map<number, number>>();
  private readonly flagsSeen = new Map<number, number>();
  /** Tasks pending when their loop closed, already counted out of the curve. */
  private readonly closedPending = new Set<number>();
  private droppedSeen = 0;
  /** Each block's mark, by the runtime's block id (its reports share it). */
  private readonly blocks = new Map<number, TimelineMark>();

  get size(): number {
    return this.ids.length;
  }

  slotOf(id: number): number | undefined {
    return this.slots.get(id);
  }

  /** A row the reducer changed, `now` being the run's time then. */
  observe(row: Entry, now: number): void {
    if (row.kind === 'task') this.task(row, now);
    else if (row.kind === 'nursery') this.nursery(row);
  }

  /** The run reports `total` events dropped so far. */
  dropped(total: number, now: number): void {
    if (total <= this.droppedSeen) return;
    this.mark({ t: now, kind: 'dropped', count: total - this.droppedSeen });
    this.droppedSeen = total;
  }

  /** The loop was held: one mark per block, from `since` to where the latest report says it was given back. */
  blocked(e: LoopBlockedEvent): void {
    let m = this.blocks.get(e.block);
    if (!m) {
      m = { t: e.since, kind: 'blocked' };
      this.blocks.set(e.block, m);
      if (this.blocks.size > MAX_BLOCKS) this.blocks.delete(this.blocks.keys().next().value as number);
      this.mark(m);
    }
    m.until = e.since + e.duration;
    if (e.ongoing) m.ongoing = true;
    else delete m.ongoing;
    if (e.task !== undefined) m.id = e.task;
    if (e.at) m.site = siteOf(e.at);
  }

  /** A coroutine never awaited (other warnings are no lint). */
  warning(e: WarningEvent): void {
    if (e.kind !== 'never_awaited') return;
    const m: TimelineMark = { t: e.ts, kind: 'warning' };
    if (e.task !== undefined) m.id = e.task;
    if (e.site) m.site = siteOf(e.site);
    const coroutine = coroutineOf(e.message);
    if (coroutine !== undefined) m.coroutine = clip(coroutine, MAX_TEXT);
    this.mark(m);
  }

  /** The run ended: no block holds its loop any more. */
  ended(): void {
    for (const m of this.blocks.values()) delete m.ongoing;
  }

  private task(row: TaskEntry, now: number): void {
    let slot = this.slots.get(row.id);
    if (slot === undefined) slot = this.born(row);
    if (this.parent[slot] !== row.parent) this.parent[slot] = row.parent;
    const ended = !Number.isNaN(this.exited[slot]);
    if (!ended && LIVE.has(row.state)) this.sample(slot, row.state as LiveState, row.since);
    if (!ended && row.exitedAt !== undefined) this.died(slot, row);
    this.scopes(row, now);
    const flags = row.flags?.length ?? 0;
    if (flags > (this.flagsSeen.get(row.id) ?? 0)) {
      for (const flag of row.flags!.slice(this.flagsSeen.get(row.id) ?? 0)) {
        this.mark({ t: now, kind: 'flag', id: row.id, flag });
        // Its loop closed with it pending: out of the live-task curve from then on.
        if (flag === 'pending_at_close' && Number.isNaN(this.exited[slot]) && !this.closedPending.has(row.id)) {
          this.closedPending.add(row.id);
          if (!(this.bits[slot] & SYSTEM)) this.count(now, -1);
        }
      }
      this.flagsSeen.set(row.id, flags);
    }
  }

  private born(row: TaskEntry): number {
    const slot = this.ids.length;
    this.slots.set(row.id, slot);
    this.ids.push(row.id);
    this.parent.push(row.parent);
    this.name.push(row.name);
    this.bits.push((row.system ? SYSTEM : 0) | (row.loose ? LOOSE : 0));
    this.spawned.push(row.spawnedAt);
    this.exited.push(NaN);
    this.end.push(null);
    this.first.push(-1);
    this.last.push(-1);
    if (!row.system) this.count(row.spawnedAt, 1); // the curve counts the program's tasks, as the toolbar does
    return slot;
  }

  private sample(slot: number, state: LiveState, since: number): void {
    const last = this.last[slot];
    if (last >= 0 && this.segS[last] === state) return;
    const seg = this.segT.length;
    this.segT.push(since);
    this.segS.push(state);
    this.segNext.push(-1);
    if (last >= 0) this.segNext[last] = seg;
    else this.first[slot] = seg;
    this.last[slot] = seg;
  }

  private died(slot: number, row: TaskEntry): void {
    const at = row.exitedAt!;
    this.exited[slot] = at;
    this.end[slot] = row.state as Outcome | 'lost';
    if (row.state === 'raised' || row.state === 'cancelled') {
      const ending: Ending = {};
      if (row.error) ending.error = row.error;
      if (row.cancelledBy !== undefined) ending.cancelledBy = row.cancelledBy;
      if (row.cancelSource !== undefined) ending.cancelSource = row.cancelSource;
      this.endings.set(row.id, ending);
    }
    if (!this.closedPending.delete(row.id) && !(this.bits[slot] & SYSTEM)) this.count(at, -1);
  }

  /** Deadlines of the task's scopes: one that passed while its scope was open is marked where it fell. */
  private scopes(row: TaskEntry, now: number): void {
    const known = this.deadlines.get(row.id);
    if (!known && !row.scopes.length) return;
    const open = new Map<number, number>();
    for (const s of row.scopes) if (s.deadline !== null) open.set(s.id, s.deadline);
    if (known) {
      for (const [id, deadline] of known) {
        if (!open.has(id) && now >= deadline) this.mark({ t: deadline, kind: 'deadline', id: row.id, count: id });
      }
    }
    if (open.size) this.deadlines.set(row.id, open);
    else this.deadlines.delete(row.id);
  }

  private nursery(row: NurseryEntry): void {
    const b = this.bands.get(row.id);
    if (b) {
      b.closed = row.closedAt;
      return;
    }
    this.bands.set(row.id, {
      id: row.id,
      owner: row.parent,
      opened: row.openedAt,
      closed: row.closedAt,
      system: row.system,
    });
  }

  /** The live count changes by `d` at `t`. */
  private count(t: number, d: number): void {
    this.live += d;
    const n = this.curveT.length;
    if (n && this.curveT[n - 1] >= t)
      this.curveN[n - 1] = this.live; // one point per moment
    else {
      this.curveT.push(t);
      this.curveN.push(this.live);
    }
  }

  private mark(m: TimelineMark): void {
    if (this.marks.length >= MAX_MARKS) this.marks.splice(0, MAX_MARKS / 4);
    this.marks.push(m);
  }
}

/** A mark's own copy of a wire site (cut: one line cannot make an answer huge). */
const siteOf = (s: WireSite): Site => ({
  file: clip(s.file, MAX_TEXT),
  line: s.line,
  function: clip(s.function, MAX_TEXT),
});
