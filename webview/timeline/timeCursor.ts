// The time cursor of the run in view: live (the tree shows now, and follows)
// or at a past moment (the tree shows the rows the host sent for it). Seeks
// go out one at a time: while one is answered the cursor may move on, and
// only where it is when the answer comes is asked next, so dragging across
// a big run costs one answer per round trip. The past rows live in their own
// mirror beside the live one, which keeps receiving deltas.
import type { HostMessage, WebviewMessage } from '../../contract/messages';
import type { PastEvent } from '../../contract/timeline';
import { RunsMirror, type Change, type RunMirror } from '../tree/mirror';

type Past = Extract<HostMessage, { type: 'past' }>;

/** An answer not back after this long is taken as lost: the next seek goes out anyway. */
const ANSWER_TIMEOUT_MS = 2000;

export class TimeCursor {
  /** The run the cursor belongs to. */
  private run: string | null = null;
  /** The moment the user points at; null: live; NaN: a step from now, until the host says where it landed. */
  private wanted: number | null = null;
  /** Not sent yet: a moment to go to, then events to step. */
  private pendingAt: number | null = null;
  private pendingStep = 0;
  /** Steps go over the events about the library's own rows (Hide system). */
  private stepHidesSystem = false;
  private seq = 0;
  private inFlight: { seq: number; sent: number } | null = null;
  /** The rows of the moment shown (once the host has answered). */
  private readonly mirror = new RunsMirror();
  /** What the host said of the moment shown. */
  shownAt: number | null = null;
  shownPos = 0;
  coarse = false;
  lastEvent: PastEvent | null = null;
  /** The program is paused in the debugger since this moment (null: it runs). */
  paused: number | null = null;
  /** The last paused view, one object for the frames between deltas. */
  private pausedLast: { live: RunMirror; view: RunMirror } | null = null;

  constructor(private readonly post: (m: WebviewMessage) => void) {}

  /** The cursor is at a past moment (even before its rows arrive). */
  get inPast(): boolean {
    return this.wanted !== null;
  }

  /** In the past with no answer from the host yet: no rows of the moment to show. */
  get waiting(): boolean {
    return this.inPast && this.shownAt === null;
  }

  /** In the past, and the host has answered every move asked for: the rows shown are the moment's. */
  get settled(): boolean {
    return (
      this.inPast && this.shownAt !== null && this.inFlight === null && this.pendingAt === null && !this.pendingStep
    );
  }

  /** Where the cursor is: the moment pointed at (or, after a step, where it landed); null when live. */
  get at(): number | null {
    if (this.wanted === null) return null;
    return Number.isNaN(this.wanted) ? this.shownAt : this.wanted;
  }

  get runKey(): string | null {
    return this.run;
  }

  /** The rows to draw for `key`: the past moment's once the host has answered; undefined: draw the live ones. */
  shown(key: string | null): RunMirror | undefined {
    if (key === null || key !== this.run || !this.inPast) return undefined;
    return this.mirror.get(key);
  }

  /**
   * A program paused in the debugger stands still at the pause: its live rows
   * are that moment's, and their durations and countdowns read at it (not on
   * in wall time beside "paused at 2.1 s"). Undefined while it runs.
   */
  pausedView(live: RunMirror): RunMirror | undefined {
    const at = this.paused;
    if (at === null) return undefined;
    const v = this.pausedLast;
    if (v && v.live.info === live.info && v.live.rows === live.rows && v.view.info.at === at) return v.view;
    this.pausedLast = { live: { ...live }, view: { info: { ...live.info, at }, rows: live.rows } };
    return this.pausedLast.view;
  }

  /** Another run came into view: the cursor is live there. */
  reset(key: string | null): void {
    if (key === this.run) return;
    this.run = key;
    this.wanted = null;
    this.pendingAt = null;
    this.pendingStep = 0;
    this.inFlight = null;
    this.forgetShown();
    this.paused = null;
  }

  private forgetShown(): void {
    this.shownAt = null;
    this.lastEvent = null;
    this.coarse = false;
    this.mirror.setListed([]);
  }

  /** To the moment `at` (ms). */
  seek(at: number): void {
    if (this.run === null || !Number.isFinite(at)) return;
    this.wanted = at;
    this.pendingAt = at;
    this.pendingStep = 0;
    this.flush();
  }

  /**
   * `n` events on (back when negative) from the moment shown; from now, when
   * live (the host counts from its end). `hideSystem`: the tree hides the
   * library's own rows, so the events about them are no steps.
   */
  step(n: number, hideSystem = false): void {
    if (this.run === null || !n) return;
    if (this.wanted === null) this.wanted = NaN;
    this.pendingStep += n;
    this.stepHidesSystem = hideSystem;
    this.flush();
  }

  /** Back to now: the live rows, and the host lets go of the moment. */
  live(): void {
    if (this.run === null || !this.inPast) return;
    this.wanted = null;
    this.pendingAt = null;
    this.pendingStep = 0;
    this.inFlight = null;
    this.forgetShown();
    this.post({ type: 'live', run: this.run });
  }

  private flush(): void {
    const run = this.run;
    if (run === null) return;
    if (this.inFlight && performance.now() - this.inFlight.sent < ANSWER_TIMEOUT_MS) return;
    const seq = ++this.seq;
    if (this.pendingAt !== null) {
      this.post({ type: 'seek', run, seq, at: this.pendingAt });
      this.pendingAt = null;
    } else if (this.pendingStep) {
      this.post({ type: 'seek', run, seq, step: this.pendingStep, hideSystem: this.stepHidesSystem });
      this.pendingStep = 0;
    } else return;
    this.inFlight = { seq, sent: performance.now() };
  }

  /** The host's answer; returns what changed for drawing (null: not for the moment in view). */
  receive(m: Past): Change | null {
    if (m.run.key !== this.run || !this.inFlight || m.seq !== this.inFlight.seq) return null;
    this.inFlight = null;
    if (this.wanted === null) return null; // went live meanwhile
    const change =
      m.reset || !this.mirror.get(m.run.key)
        ? this.mirror.snapshot(m.run, m.rows)
        : this.mirror.delta(m.run, m.rows, m.remove);
    this.shownAt = m.run.at ?? null;
    this.shownPos = m.pos;
    this.coarse = m.coarse;
    this.lastEvent = m.event ?? null;
    // Where a step landed (or a moment clamped to the run) is where the cursor is, unless the user pointed elsewhere since.
    if (this.pendingAt === null) this.wanted = this.shownAt;
    this.flush();
    return change;
  }
}
