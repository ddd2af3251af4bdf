// What surrounds the tree: the toolbar's state, the banners, the note shown
// while there is nothing to draw, the empty state before any run, and the
// run's status said once to screen readers when it changes.
import type { RunInfo } from '../contract/rows';
import type { Breadcrumbs } from './breadcrumbs';
import type { DebuggerPause } from './debuggerMarks';
import { h, setHidden, setText } from './elements';
import { type Notices, pauseSentence, statusSentence, taskCounts } from './notices';
import type { Toolbar } from './toolbar';
import type { RunMirror } from './tree/mirror';
import type { ViewNode } from './tree/model';
import type { Choices } from './viewState';

/** What the chrome shows in one frame. */
export interface ChromeInput {
  runs: RunInfo[];
  current: string | null;
  run: RunMirror | undefined;
  /** Nodes the tree draws (0: the note says why). */
  drawn: number;
  choices: Choices;
  /** Search matches, while searching. */
  matches: number | null;
  /** The way down to the focused node, when one is focused. */
  focusPath: ViewNode[] | null;
  /** The debugger's pause of the run in view. */
  pause?: DebuggerPause | null;
  /** Fit holds: the tree is fitted again as it or the panel changes, until the user moves the view. */
  fitting?: boolean;
}

export class Chrome {
  /** Shown over the tree area while there is nothing to draw. */
  readonly waiting = h('div', { class: 'waiting-note' }, 'Waiting for the first tasks of this run…');
  /** Read by screen readers when it changes. */
  readonly live = h('div', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
  private lastStatus = '';

  constructor(
    private readonly toolbar: Toolbar,
    readonly notices: Notices,
    /** Shown before any run: how to start one. */
    readonly empty: HTMLElement,
    private readonly svg: SVGSVGElement,
    readonly crumbs: Breadcrumbs,
  ) {}

  /** Runs were shown in this panel: the empty state no longer says "yet". */
  private hadRuns = false;

  announce(text: string): void {
    this.live.textContent = text;
  }

  /** Tree or empty state: before a rebuild too, so the tree area has its size when the budget is taken. */
  showTree(hasRuns: boolean): void {
    // After runs were shown (then cleared), "No run yet" would be wrong.
    if (hasRuns) this.hadRuns = true;
    else if (this.hadRuns) setText(this.empty.querySelector('h2')!, 'No runs to show');
    setHidden(this.empty, hasRuns);
    setHidden(this.toolbar.el, !hasRuns);
    this.svg.style.display = hasRuns ? '' : 'none';
  }

  update(c: ChromeInput): void {
    const { run, choices } = c;
    const info = run?.info;
    const hasRuns = c.runs.length > 0;
    this.showTree(hasRuns);
    setHidden(this.waiting, !hasRuns || c.drawn > 0);
    if (!this.waiting.hidden) {
      const filtered = choices.state.hideFinished || choices.search.trim() !== '';
      const note = !run
        ? 'Loading the run…'
        : filtered && run.rows.size
          ? 'Nothing matches these filters.'
          : run.info.status === 'live'
            ? 'Waiting for the first tasks of this run…'
            : 'This run has no tasks to show.';
      setText(this.waiting, note);
    }
    this.toolbar.setRuns(c.runs, c.current);
    this.toolbar.setState({
      hideFinished: choices.state.hideFinished,
      hideSystem: choices.hideSystem,
      follow: choices.following,
      showWaits: choices.state.showWaits,
      search: choices.search,
      run: c.current,
      matches: c.matches,
      counts: info ? taskCounts(info, choices.hideSystem) : { text: '', title: '' },
      fitting: c.fitting === true,
    });
    const paused = info?.status === 'live' && c.pause ? pauseSentence(c.pause, run?.rows) : null;
    // The banners speak of the run as a whole: a past moment's info knows nothing of how it ended.
    const whole = (info?.at !== undefined && c.runs.find((r) => r.key === info.key)) || info;
    this.notices.update(whole, paused);
    this.crumbs.update(c.focusPath, run?.rows);
    const statusKey = whole ? `${whole.key}:${whole.status}:${paused?.text ?? ''}` : '';
    if (statusKey !== this.lastStatus) {
      this.lastStatus = statusKey;
      if (whole) this.announce(paused?.text ?? statusSentence(whole));
    }
  }
}
