// The host side of the panel's time cursor and timeline (messages.ts: seek,
// live, timeline → past, timeline, cursor), beside the live path the bridge
// keeps unchanged. Seeks and timeline requests are answered in a later turn,
// the latest of each only, so a cursor dragged across a big run costs one
// answer per turn, not one per mouse move; a long run's timeline is built in
// slices (timelineIndex.ts) and answered in parts meanwhile. No vscode.
import type { HostMessage, WebviewMessage } from '../../contract/messages';
import type { TimelineRequest } from '../../contract/timeline';
import { HistoryCursor, type CursorTarget } from '../store/historyCursor';
import type { RunEntry, RunStore } from '../store/runStore';
import { TimelineIndex } from '../store/timelineIndex';
import { timelineData, type LintSwitches } from '../store/timelineQuery';
import { messageOf } from '../errorMessage';

/** Events a timeline build replays per turn (~20-50 ms). */
const SLICE_EVENTS = 40_000;
/** Runs whose timeline is kept built; the least recently asked for goes first. */
const KEPT_TIMELINES = 3;
/** How far into a recording to look for its first task (events). */
const FIRST_TASK_SCAN = 100_000;
/** While a timeline is being built, a partial answer goes out at most this often. */
const PARTIAL_EVERY_MS = 300;

type Seek = Extract<WebviewMessage, { type: 'seek' }>;

export interface TimeTravelDeps {
  store: RunStore;
  post(message: HostMessage): void;
  log?: { warn(message: string): void };
  /** The lint settings: a lint switched off leaves no mark on the timeline (default: all on). */
  lintSettings?(): LintSwitches;
  /** The host's clock (epoch ms; tests move it). */
  now?(): number;
}

export class TimeTravel {
  /** The past moment the panel shows, for the run it shows. */
  private cursor: { run: string; cursor: HistoryCursor } | null = null;
  private pendingSeek: Seek | null = null;
  private pendingTimeline: TimelineRequest | null = null;
  private readonly indexes = new Map<string, TimelineIndex>();
  private seekQueued = false;
  private timelineQueued = false;
  private lastPartial = 0;
  /** Recordings opened, waiting for their first snapshot to move the cursor to their start. */
  private readonly openAtStart = new Set<string>();
  /** Runs paused in the debugger: the moment each was paused. */
  private readonly pausedAt = new Map<string, number>();
  private disposed = false;

  constructor(private readonly deps: TimeTravelDeps) {}

  handle(msg: WebviewMessage): boolean {
    switch (msg.type) {
      case 'seek':
        if (typeof msg.run !== 'string' || typeof msg.seq !== 'number') return true;
        this.pendingSeek = msg;
        this.soon('seek');
        return true;
      case 'live':
        if (this.cursor?.run === msg.run) this.cursor = null;
        if (this.pendingSeek?.run === msg.run) this.pendingSeek = null; // asked before it went live: not to be answered
        return true;
      case 'timeline':
        if (typeof msg.request !== 'object' || msg.request === null || typeof msg.request.run !== 'string') return true;
        this.pendingTimeline = msg.request;
        this.soon('timeline');
        return true;
      default:
        return false;
    }
  }

  /** A new page (the panel shown again, or reloaded) shows now: the moment of the page before is let go. */
  pageReady(): void {
    this.cursor = null;
    this.pendingSeek = null;
  }

  /** The past moment the panel shows of run `key` (Copy Tree as Text copies it); null while it shows now. */
  pastOf(key: string): ReturnType<HistoryCursor['shown']> {
    return this.cursor?.run === key ? this.cursor.cursor.shown() : null;
  }

  /** Recordings just opened show their start first (unless the user wants their end). */
  recordingsOpened(keys: readonly string[]): void {
    for (const k of keys) this.openAtStart.add(k);
  }

  /** The panel was sent a snapshot of `key`: a past moment of another run is let go; a new recording goes to its start. */
  shown(key: string | null): void {
    if (this.cursor && this.cursor.run !== key) this.cursor = null;
    const pausedAt = key === null ? undefined : this.pausedAt.get(key);
    if (pausedAt !== undefined) this.deps.post({ type: 'cursor', run: key!, paused: pausedAt }); // a fresh page learns of the pause again
    if (key === null || !this.openAtStart.delete(key)) return;
    const at = this.firstTaskAt(this.deps.store.get(key));
    if (at !== null) this.deps.post({ type: 'cursor', run: key, at });
  }

  /** The program of `key` stopped in the debugger at its moment now (or runs again: null). */
  paused(key: string, paused: boolean): void {
    const state = this.deps.store.get(key)?.state;
    if (!state) return;
    // The moment of the pause: the run's time now (its newest event plus the host's time since it came,
    // so a program quiet for 5 s before its breakpoint is not shown 5 s back); samples taken while
    // paused, and events queued before the stop that come after it, do not move it.
    if (!paused) this.pausedAt.delete(key);
    else if (!this.pausedAt.has(key)) this.pausedAt.set(key, state.nowAt(this.deps.now?.() ?? Date.now()));
    this.deps.post({ type: 'cursor', run: key, paused: this.pausedAt.get(key) ?? null });
  }

  removed(keys: readonly string[]): void {
    for (const k of keys) {
      this.indexes.delete(k);
      this.openAtStart.delete(k);
      this.pausedAt.delete(k);
      if (this.cursor?.run === k) this.cursor = null;
    }
  }

  private soon(what: 'seek' | 'timeline'): void {
    if (what === 'seek' ? this.seekQueued : this.timelineQueued) return;
    if (what === 'seek') this.seekQueued = true;
    else this.timelineQueued = true;
    setImmediate(() => {
      if (what === 'seek') this.seekQueued = false;
      else this.timelineQueued = false;
      if (this.disposed) return;
      try {
        if (what === 'seek') this.answerSeek();
        else this.answerTimeline();
      } catch (err) {
        this.deps.log?.warn(`panel ${what} failed: ${messageOf(err)}`);
      }
    });
  }

  private answerSeek(): void {
    const msg = this.pendingSeek;
    this.pendingSeek = null;
    if (!msg) return;
    const state = this.deps.store.get(msg.run)?.state;
    const history = state?.history;
    if (!state || !history) return;
    if (this.cursor?.run !== msg.run) {
      // A recording's history holds none of the looks the host made while it ran: the cursor looks itself.
      const judgeMoments = state.currentStatus === 'recording';
      this.cursor = { run: msg.run, cursor: new HistoryCursor(history, { judgeMoments }) };
    }
    const target: CursorTarget | null =
      typeof msg.at === 'number' && Number.isFinite(msg.at)
        ? { at: msg.at }
        : typeof msg.step === 'number' && Number.isFinite(msg.step)
          ? { step: msg.step, hideSystem: msg.hideSystem === true }
          : null;
    if (!target) return;
    // Up to the run's time now: a live program quiet since its last event (hung) is still there after it.
    const m = this.cursor.cursor.move(target, state.nowAt(this.deps.now?.() ?? Date.now()));
    if (!m) return;
    const answer: HostMessage = {
      type: 'past',
      seq: msg.seq,
      run: m.info,
      pos: m.pos,
      coarse: m.coarse,
      reset: m.reset,
      rows: m.rows,
      remove: m.remove,
    };
    if (m.event) answer.event = m.event;
    this.deps.post(answer);
  }

  private answerTimeline(): void {
    const req = this.pendingTimeline;
    if (!req) return;
    const entry = this.deps.store.get(req.run);
    const history = entry?.state.history;
    if (!entry || !history) {
      this.pendingTimeline = null;
      return;
    }
    let index = this.indexes.get(req.run);
    if (!index) {
      index = new TimelineIndex(history);
      this.indexes.set(req.run, index);
      for (const k of [...this.indexes.keys()].slice(0, -KEPT_TIMELINES)) this.indexes.delete(k);
    } else {
      this.indexes.delete(req.run); // most recently asked for last
      this.indexes.set(req.run, index);
    }
    const done = index.advance(SLICE_EVENTS);
    if (done || Date.now() - this.lastPartial >= PARTIAL_EVERY_MS) {
      if (!done) this.lastPartial = Date.now();
      const span = { start: history.since, end: history.timeOf(history.length), exactFrom: history.exactFrom };
      const lints = this.deps.lintSettings?.();
      this.deps.post({ type: 'timeline', data: timelineData(index.lines, span, req, !done, lints) });
    }
    if (done) this.pendingTimeline = null;
    else this.soon('timeline'); // the same request (or a newer one) goes on in the next turn
  }

  /** Where a recording opens: the moment its first task of the program's own was spawned. */
  private firstTaskAt(entry: RunEntry | undefined): number | null {
    const h = entry?.state.history;
    if (!h || !h.length) return null;
    const end = Math.min(h.length, h.log.start + FIRST_TASK_SCAN);
    for (let p = h.log.start; p < end; p++) {
      const e = h.log.event(p);
      if ('type' in e && e.type === 'task.spawned' && !e.system) return e.ts;
    }
    return h.since;
  }

  dispose(): void {
    this.disposed = true;
  }
}
