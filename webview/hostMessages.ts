// The host's messages to the page: each only marks what is dirty for the
// next frame (runs listed, a snapshot or delta of rows, settings, a task to
// select from the Tasks view or the debugger, tasks picked from an editor
// hint, the debugger's marks, a picture to export); the timeline's own
// messages go to the timeline.
import type { HostMessage, ImageFormat, WebviewMessage } from '../contract/messages';
import type { Chrome } from './chrome';
import type { DebuggerMarks } from './debuggerMarks';
import type { Follow } from './follow';
import type { Picks } from './picks';
import type { Selection } from './selection';
import type { Timeline } from './timeline/timeline';
import { DIRTY } from './tree/frameScheduler';
import type { RunsMirror } from './tree/mirror';
import { visible } from './tree/programText';
import type { ShownTree } from './tree/shownTree';
import type { Choices } from './viewState';

export interface HostMessageParts {
  mirror: RunsMirror;
  choices: Choices;
  tree: ShownTree;
  timeline: Timeline;
  follow: Follow;
  selection: Selection;
  picks: Picks;
  chrome: Chrome;
  debuggerMarks: DebuggerMarks;
  /** The run in view. */
  readonly current: string | null;
  setCurrent(key: string | null): void;
  changed(flags: number, save?: boolean): void;
  exportImage(id: number, format: ImageFormat): Promise<void>;
  post(m: WebviewMessage): void;
}

export class HostMessages {
  /** The host has listed its runs at least once. */
  private gotRuns = false;
  /** A `drawn` is owed to the host after the next frame. */
  private drawnOwed = false;

  constructor(private readonly p: HostMessageParts) {}

  receive(m: HostMessage): void {
    const { p } = this;
    if (m.type === 'snapshot' || m.type === 'delta') this.sayDrawn(); // first: whatever the handling does
    switch (m.type) {
      case 'runs': {
        p.mirror.setListed(m.runs);
        const keys = new Set(m.runs.map((r) => r.key));
        const saved = p.choices.state.run;
        let want = m.selected;
        if (!this.gotRuns && saved && keys.has(saved) && saved !== m.selected && !m.chosenAway) {
          // A reload: come back to the run the user was looking at.
          want = saved;
          p.post({ type: 'selectRun', run: want });
        }
        this.gotRuns = true;
        if (want === null || !keys.has(want))
          want = p.current !== null && keys.has(p.current) ? p.current : (m.runs[0]?.key ?? null);
        p.setCurrent(want);
        p.changed(DIRTY.chrome);
        break;
      }
      case 'snapshot': {
        const change = p.mirror.snapshot(m.run, m.rows);
        if (p.current === null) p.setCurrent(m.run.key);
        if (m.run.key === p.current) {
          p.timeline.liveChanged();
          if (p.timeline.inPast) break;
          p.follow.noteAdded(change.added);
          p.changed(DIRTY.structure | DIRTY.chrome, false);
          p.tree.forgetCost();
        }
        break;
      }
      case 'delta': {
        const change = p.mirror.delta(m.run, m.upsert, m.remove);
        if (p.current === null) p.setCurrent(m.run.key);
        if (m.run.key !== p.current) break;
        p.timeline.liveChanged(change.structural || change.finishedChanged);
        if (p.timeline.inPast) {
          p.changed(DIRTY.chrome, false); // the run list's counts; the tree shows the past
          break;
        }
        p.follow.noteAdded(change.added);
        const flags = change.structural || change.finishedChanged ? DIRTY.rows : DIRTY.content;
        p.changed(flags | DIRTY.chrome, false);
        break;
      }
      case 'notice':
        p.chrome.notices.hostNotice = m.text;
        p.changed(DIRTY.chrome, false);
        break;
      case 'config':
        p.choices.hideSystemDefault = m.hideSystemDefault;
        p.changed(DIRTY.structure | DIRTY.chrome, false);
        break;
      case 'selectTasks':
        this.pick(m.run, m.ids, m.label);
        break;
      case 'select':
        if (typeof m.run === 'string' && typeof m.id === 'number') p.selection.want(m.run, m.id);
        break;
      case 'debugMarks':
        p.debuggerMarks.receive(m);
        break;
      case 'export':
        void p.exportImage(m.id, m.format);
        break;
      default:
        p.timeline.receive(m);
    }
  }

  /**
   * Tells the host, at the next frame, that the rows it sent are taken in:
   * it sends the next delta only then, so a page slower than the program
   * falls no further behind (rowsFeed.ts). The tree draws them in that frame
   * too, but for a huge tree's deferred rebuild (DIRTY.rows); the pacing
   * follows the page's frames either way.
   */
  private sayDrawn(): void {
    if (this.drawnOwed) return;
    this.drawnOwed = true;
    requestAnimationFrame(() => {
      this.drawnOwed = false;
      this.p.post({ type: 'drawn' });
    });
  }

  /** Tasks picked from the editor (a hint's click): the first selected and shown, all outlined. */
  private pick(run: string, ids: readonly number[], hintLabel: string): void {
    const { p } = this;
    const label = visible(hintLabel); // it names the program's file and line
    const rows = p.mirror.get(run)?.rows;
    if (run !== p.current || !rows) return;
    const present = ids.filter((id) => rows.has(id));
    if (!present.length) return;
    // Selected in the next frame, whose rebuild draws it with what the last snapshot brought.
    p.picks.set(run, present, label);
    p.chrome.announce(`${present.length} task${present.length === 1 ? '' : 's'} selected: ${label}`);
    p.changed(DIRTY.structure | DIRTY.chrome);
  }
}
