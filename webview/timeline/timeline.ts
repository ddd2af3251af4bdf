// The timeline strip under the tree and the time cursor (issue #16): builds
// the strip (a bar with play, speed, the moment and Live; the curve and axis;
// the task rows), owns the cursor, the player and the timeline's data, and
// tells the page when the tree must show another moment. The page asks it
// which rows to draw (shown()) and hands it the host's past/timeline/cursor
// messages.
import type { HostMessage, WebviewMessage } from '../../contract/messages';
import type { Row, RunInfo } from '../../contract/rows';
import { setAttr } from '../elements';
import { DIRTY } from '../tree/frameScheduler';
import { runNow } from '../tree/labels';
import type { Change, RunMirror } from '../tree/mirror';
import type { Choices } from '../viewState';
import { autoSpeed, Player } from './player';
import { TimeBar } from './timeBar';
import { TimeCursor } from './timeCursor';
import { bindTimelineInput } from './timelineInput';
import { LaneRequests } from './laneRequests';
import { buildStrip, showCursor, showPastBadge } from './stripElements';
import { StripGrip } from './stripGrip';
import { TimelineModel } from './timelineModel';
import { gutterOf, ROW_HEIGHT, scaleOf, StripView, TOP_HEIGHT, visibleRows } from './timelineView';
import './timeline.css';

export interface TimelineParts {
  post(m: WebviewMessage): void;
  choices: Choices;
  /** The live rows of the run in view. */
  liveRun(): RunMirror | undefined;
  /** The tree's element: busy (aria-busy) while the moment it will show is not back from the host. */
  tree: Element;
  /** The tree must be drawn again (back to live, the strip's size, a choice to remember). */
  changed(flags: number): void;
  /** The past moment's rows changed (as a delta would change the live ones: follow mode pans to new tasks). */
  pastChanged(change: Change): void;
  /** Keys of the tree's nodes drawn collapsed (by the user or the panel's size): rows below them are left out. */
  collapsed(): ReadonlySet<string>;
  /** Select the task in the tree (a lifeline was clicked). */
  selectTask(id: number): void;
  announce(text: string): void;
}

/** The strip is redrawn this often while a live run's now moves. */
const LIVE_TICK_MS = 200;
/** Read only: the tree of a moment not back yet. */
const NO_ROWS = new Map<number, Row>();

export class Timeline {
  readonly el: HTMLElement;
  /** Shown over the tree while it shows a past moment. */
  readonly badge: HTMLElement;
  readonly cursor: TimeCursor;
  readonly player: Player;
  readonly model: TimelineModel;
  readonly top: SVGSVGElement;
  readonly rowsSvg: SVGSVGElement;
  readonly lanes: HTMLElement;
  readonly tip: HTMLElement;
  private readonly view: StripView;
  private readonly body: HTMLElement;
  private readonly spacer: HTMLElement;
  readonly bar: TimeBar;
  private run: string | null = null;
  /** Host cursor moves for runs not in view yet. */
  private readonly waiting = new Map<string, Extract<HostMessage, { type: 'cursor' }>>();
  private drawQueued = false;
  private readonly requests = new LaneRequests();

  constructor(private readonly p: TimelineParts) {
    this.cursor = new TimeCursor((m) => p.post(m));
    this.model = new TimelineModel((m) => p.post(m));
    const prefs = p.choices.state.timeline;
    this.player = new Player(
      {
        at: () => this.cursor.at,
        end: () => this.end(),
        start: () => this.model.data?.start ?? 0,
        seek: (at) => this.seek(at),
        stopped: () => this.drawSoon(),
      },
      prefs.speed || 1,
    );
    this.bar = new TimeBar(prefs.speed, {
      toggle: () => this.setOpen(this.body.hidden, true),
      togglePlay: () => this.togglePlay(),
      setSpeed: (speed) => this.setSpeed(speed),
      live: () => this.live(),
    });
    const strip = buildStrip(this.bar.el);
    ({ el: this.el, body: this.body, top: this.top, rowsSvg: this.rowsSvg, lanes: this.lanes } = strip);
    ({ spacer: this.spacer, tip: this.tip, badge: this.badge } = strip);
    this.view = new StripView(this.top, this.rowsSvg);
    this.setOpen(prefs.open ?? false, false);
    new StripGrip(strip.grip, this.body, (height) => {
      this.p.choices.state.timeline.height = height;
      this.p.changed(DIRTY.view);
    }).restore(prefs.height);
    bindTimelineInput(this, this.body);
    new ResizeObserver(() => this.refresh()).observe(this.lanes);
    window.setInterval(() => this.liveTick(), LIVE_TICK_MS);
  }

  // ---- what the page asks ----

  get inPast(): boolean {
    return this.cursor.inPast;
  }

  /** At a past moment whose rows have come (every move answered). */
  get settledInPast(): boolean {
    return this.cursor.settled;
  }

  /**
   * The rows the tree draws for `key` while the cursor is in the past
   * (undefined: the live ones). Before the host's first answer for the
   * moment, none: the bar already names the moment, and the live rows (a
   * recording's end, as it opens) would show another.
   */
  shown(key: string | null): RunMirror | undefined {
    const past = this.cursor.shown(key);
    if (past || key !== this.run) return past;
    const live = this.p.liveRun();
    if (!live) return undefined;
    if (this.cursor.inPast) return { info: live.info, rows: NO_ROWS };
    return this.cursor.pausedView(live);
  }

  runChanged(key: string | null): void {
    if (key === this.run) return;
    this.player.pause();
    this.requests.cancel();
    this.run = key;
    this.cursor.reset(key);
    this.model.reset(key);
    this.setOpen(this.p.choices.state.timeline.open ?? false, false); // (as the user left it: a recording opened it)
    const moved = key === null ? undefined : this.waiting.get(key);
    if (moved) {
      this.waiting.delete(key!);
      this.cursorMoved(moved);
    }
    this.refresh();
  }

  receive(m: HostMessage): boolean {
    switch (m.type) {
      case 'past': {
        // The banners speak of the run as a whole (a recording's outcome); rows and counts are the moment's.
        const live = this.p.liveRun()?.info;
        const run = live
          ? { ...m.run, status: live.status, outcome: live.outcome, error: live.error, problems: live.problems }
          : m.run;
        const change = this.cursor.receive({ ...m, run });
        if (change) this.p.pastChanged(change);
        this.showBusy();
        this.drawSoon();
        return true;
      }
      case 'timeline':
        if (this.model.receive(m.data)) {
          if (!this.p.choices.state.timeline.speed) this.player.speed = autoSpeed(m.data.end - m.data.start);
          this.drawSoon();
        }
        return true;
      case 'cursor':
        if (m.run !== this.run) this.waiting.set(m.run, m);
        else this.cursorMoved(m);
        return true;
      default:
        return false;
    }
  }

  /** A live snapshot or delta of the run in view arrived; `structural`: a task came, ended or went. */
  liveChanged(structural = true): void {
    // Asked again as soon as the quicker pace allows (not at the next live tick), unless nothing live is drawn.
    if (structural)
      this.requests.treeChanged(this.body.hidden || this.cursor.inPast ? undefined : () => this.liveTick());
    if (!this.cursor.inPast) this.drawSoon();
  }

  // ---- what the user does (timelineInput.ts calls these too) ----

  seek(at: number): void {
    const wasLive = !this.cursor.inPast;
    this.cursor.seek(Math.max(this.model.data?.start ?? 0, Math.min(at, this.end())));
    if (wasLive) this.p.changed(DIRTY.chrome);
    this.drawSoon();
  }

  /** To the moment `at`, the player paused: the page shows a moment for the user to look at ("Show them"). */
  showMoment(at: number): void {
    this.player.pause();
    this.seek(at);
  }

  step(n: number): void {
    this.player.pause();
    this.cursor.step(n, this.p.choices.hideSystem);
    this.drawSoon();
  }

  live(): void {
    this.player.pause();
    if (!this.cursor.inPast) return;
    this.cursor.live();
    this.p.changed(DIRTY.structure | DIRTY.chrome);
    this.p.announce(this.p.liveRun()?.info.status === 'live' ? 'Back to now' : 'At the end of the run');
    this.drawSoon();
  }

  togglePlay(): void {
    this.player.toggle();
    this.drawSoon();
  }

  /** A task's name, from the timeline or the rows shown. */
  taskName(id: number): string | undefined {
    const line = this.model.line(id);
    if (line) return line.name;
    const row = (this.cursor.shown(this.run) ?? this.p.liveRun())?.rows.get(id);
    return row?.kind === 'task' ? row.name : undefined;
  }

  /** The newest moment: the pause, or the run's now. */
  end(): number {
    return this.cursor.paused ?? Math.max(this.model.data?.end ?? 0, this.now());
  }

  /** The run's time now (a live run's moves on). */
  now(): number {
    const info: RunInfo | undefined = this.p.liveRun()?.info;
    if (!info) return this.model.data?.end ?? 0;
    return this.cursor.paused ?? runNow(info, Date.now());
  }

  /** Shows or hides the strip below its bar; `chosen`: the user did (remembered), not the page on its own. */
  setOpen(open: boolean, chosen: boolean): void {
    const was = !this.body.hidden;
    this.body.hidden = !open;
    this.bar.toggleButton.setAttribute('aria-expanded', String(open));
    if (chosen) this.p.choices.state.timeline.open = open;
    if (was !== open) this.p.changed(DIRTY.view);
    this.refresh();
  }

  setSpeed(speed: number): void {
    this.p.choices.state.timeline.speed = speed;
    this.player.speed = speed || autoSpeed((this.model.data?.end ?? 0) - (this.model.data?.start ?? 0));
    this.p.changed(0);
  }

  select(id: number, at: number): void {
    const line = this.model.line(id);
    // A task not alive at the cursor is not in the tree there: go to the moment pointed at, within its life.
    const cur = this.cursor.inPast ? this.cursor.at : null;
    if (line && cur !== null && (cur < line.spawned || (line.exited !== undefined && cur >= line.exited))) {
      this.seek(Math.max(line.spawned, Math.min(at, (line.exited ?? at) - 1e-6)));
    } else if (
      line &&
      !this.cursor.inPast &&
      line.exited !== undefined &&
      this.p.liveRun()?.rows.get(id) === undefined
    ) {
      this.seek(Math.max(line.spawned, Math.min(at, line.exited - 1e-6)));
    }
    this.p.selectTask(id);
    this.drawSoon();
  }

  /** Asks for the window on screen again (zoom, pan, scroll, resize, filters) and redraws. */
  refresh(): void {
    this.requests.again();
    this.drawSoon();
  }

  drawSoon(): void {
    if (this.drawQueued) return;
    this.drawQueued = true;
    requestAnimationFrame(() => {
      this.drawQueued = false;
      this.draw();
    });
  }

  // ---- inside ----

  private cursorMoved(m: Extract<HostMessage, { type: 'cursor' }>): void {
    if (m.paused !== undefined) {
      this.cursor.paused = m.paused;
      if (m.paused !== null) this.player.pause();
    }
    if (typeof m.at === 'number') {
      // A recording opens at its start: the strip shows, even if the user closed it (for a live run: their
      // choice stays saved). Closed, a recording showed its first task and only a small ▶ said there was more.
      this.setOpen(true, false);
      this.seek(m.at);
    }
    this.drawSoon();
  }

  private liveTick(): void {
    const info = this.p.liveRun()?.info;
    if (!info || info.status !== 'live' || document.hidden) return;
    // Collapsed, the bar still tells the run's time: a quiet (hung) program sends nothing to redraw it.
    if (this.body.hidden) return this.drawBar();
    this.requests.refreshIfStale();
    this.drawSoon();
  }

  private draw(): void {
    this.el.hidden = this.run === null;
    const choices = this.p.choices;
    const o = choices.modelOptions(null);
    this.model.filter({ search: o.search, collapsed: this.p.collapsed(), hideSystem: o.hideSystem });
    this.drawBar();
    if (this.body.hidden || this.run === null) return;
    const width = this.lanes.clientWidth;
    const height = this.lanes.clientHeight;
    const now = this.now();
    const window = this.model.window(now);
    const frame = {
      window,
      width,
      height,
      scrollTop: this.lanes.scrollTop,
      rows: this.model.rows,
      bands: this.model.bands,
      lanes: this.model.lanes,
      marks: this.model.data?.marks ?? [],
      curve: this.model.data?.curve ?? { t: [], n: [] },
      start: this.model.data?.start ?? 0,
      exactFrom: this.model.data?.exactFrom ?? 0,
      at: this.cursor.at,
      now,
      paused: this.cursor.paused,
      selected: this.selectedId(),
    };
    // Drawn every frame of a live run: only what changed is written.
    setAttr(this.top, 'width', String(width));
    setAttr(this.top, 'height', String(TOP_HEIGHT));
    setAttr(this.rowsSvg, 'width', String(width));
    setAttr(this.rowsSvg, 'height', String(Math.max(height, 1)));
    setAttr(this.rowsSvg, 'viewBox', `0 ${this.lanes.scrollTop} ${width} ${Math.max(height, 1)}`);
    const spacer = `${Math.max(0, this.model.rows.length * ROW_HEIGHT - height)}px`;
    if (this.spacer.style.height !== spacer) this.spacer.style.height = spacer;
    this.view.draw(frame);
    this.ask(frame.window, width, frame);
  }

  /** Asks the host for the window on screen when it changed, or now and then for a live run. */
  private ask(window: { from: number; to: number }, width: number, f: { scrollTop: number; height: number }): void {
    const [first, last] = visibleRows({ ...f, rows: this.model.rows });
    const ids = this.model.rows.slice(Math.max(0, first - 20), last + 20).map((l) => l.id);
    const zoom = this.model.zoom;
    // Per run (another run's rows have the same ids); the whole run's window grows with a live run: one key.
    const key = `${this.p.liveRun()?.info.key ?? ''}:${zoom ? `${zoom.from}:${zoom.to}` : 'run'}:${width}`;
    // A run that has ended, once its answer reaches its end, does not change: a scrub across it asks nothing more.
    const done = this.p.liveRun()?.info.status !== 'live' && (this.model.data?.end ?? -Infinity) >= this.now();
    if (!this.requests.due(key, ids, done)) return;
    const sc = scaleOf({ window, width });
    this.model.request(window, Math.max(50, sc.x1 - gutterOf(width)), ids, this.p.choices.hideSystem);
  }

  private selectedId(): number | null {
    const key = this.p.choices.selected;
    return key !== null && /^\d+$/.test(key) ? Number(key) : null;
  }

  private drawBar(): void {
    const past = this.cursor.inPast;
    const info = this.p.liveRun()?.info;
    const end = this.end();
    const at = this.cursor.at ?? end;
    const words = this.bar.draw({
      info,
      past,
      paused: this.cursor.paused !== null,
      at,
      end,
      lastEvent: this.cursor.lastEvent,
      shown: this.cursor.shown(this.run),
      hideSystem: this.p.choices.hideSystem,
      coarse: this.cursor.coarse,
      data: this.model.data,
      playing: this.player.playing,
    });
    showCursor(this.top, at, end, words);
    showPastBadge(this.badge, past ? at : null, info?.status === 'live');
    document.body.classList.toggle('in-past', past);
    this.showBusy();
  }

  private showBusy(): void {
    setAttr(this.p.tree, 'aria-busy', this.cursor.waiting ? 'true' : null);
  }
}
