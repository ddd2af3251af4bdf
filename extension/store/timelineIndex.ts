// Follows a run's history with a replay of its own, so the timeline's facts
// (lifelines.ts) come from the reducer's rows: after each event, the rows it
// changed are read (and the lint events, which change none). It catches up
// in slices (a long run's first look costs about one reducer pass), and
// leaves checkpoints behind like any replay.
import type { RunHistory } from './runHistory';
import type { RunState } from './runState';
import { Lifelines } from './lifelines';

export class TimelineIndex {
  readonly lines = new Lifelines();
  private state: RunState | null = null;
  private pos = 0;

  constructor(private readonly history: RunHistory) {}

  /** True when it has seen every event the history holds. */
  get caughtUp(): boolean {
    return this.state !== null && this.pos >= this.history.length;
  }

  /** Follows the history for at most `maxEvents` more events; true when caught up. */
  advance(maxEvents: number): boolean {
    const h = this.history;
    if (!this.state || this.pos < h.log.start) {
      // First look, or the history let go of events this replay had not reached: go on from what is held.
      const m = h.firstExact();
      if (!m) return true;
      this.state = m.state;
      this.pos = m.pos;
      const now = m.state.now;
      m.state.drainChanges(() => undefined);
      for (const row of m.state.rowsAsStored()) this.lines.observe(row, now);
    }
    const state = this.state;
    const to = Math.min(h.length, this.pos + maxEvents);
    const lines = this.lines;
    h.replay(state, this.pos, to, (e) => {
      const now = state.now;
      state.drainChanges((row) => lines.observe(row, now));
      lines.dropped(state.dropped, now);
      // The lints the runtime reports change no row: their marks come from the events.
      if ('mark' in e) {
        if (e.mark === 'disconnected') lines.ended();
      } else if (e.type === 'loop.blocked') lines.blocked(e);
      else if (e.type === 'warning') lines.warning(e);
      else if (e.type === 'run.finished') lines.ended();
    });
    this.pos = to;
    return to >= h.length;
  }
}
